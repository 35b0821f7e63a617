// Tests the model-text parser and writer: golden files round-trip byte for byte, bad files fail naming the line.
import { describe, expect, it } from 'vitest';
import { ModelFormatError, parseModel } from './model-text-parse.ts';
import { modelToText, treeToText } from './model-text-write.ts';
import { GOLDEN_CASES, loadGolden } from './testdata/cases.ts';
import { CATEGORICAL_MASK } from './tree.ts';

/** The "Tree=N" blocks of a model file, as LightGBM wrote them. */
function treeBlocks(text: string): string[] {
  const body = text.slice(text.indexOf('\nTree=0\n') + 1, text.indexOf('end of trees\n'));
  return body.split(/(?=^Tree=\d+$)/m);
}

describe('model text round trip', () => {
  it.each(GOLDEN_CASES.map((c) => c.name))("%s: saving reproduces LightGBM's file byte for byte", (name) => {
    const { modelText } = loadGolden(name);
    const model = parseModel(modelText, name);
    const blocks = treeBlocks(modelText);
    expect(blocks.length).toBe(model.trees.length);
    model.trees.forEach((tree, i) => {
      expect(`Tree=${i}\n${treeToText(tree)}\n`).toBe(blocks[i]);
    });
    expect(modelToText(model)).toBe(modelText);
  });

  it('reads header fields and tree arrays', () => {
    const model = parseModel(loadGolden('multiclass').modelText);
    expect(model.numClass).toBe(5);
    expect(model.numTreePerIteration).toBe(5);
    expect(model.objective).toBe('multiclass num_class:5');
    expect(model.featureNames.length).toBe(model.maxFeatureIdx + 1);
    expect(model.trees.length).toBe(40);
    expect(model.parameters[0]).toBe('[boosting: gbdt]');
  });

  it('reads categorical bitsets spanning two words', () => {
    const model = parseModel(loadGolden('categorical').modelText);
    const tree = model.trees[0];
    expect(tree.numCat).toBeGreaterThan(0);
    expect(tree.catBoundaries.length).toBe(tree.numCat + 1);
    expect(tree.catThreshold.length).toBe(tree.catBoundaries[tree.numCat]);
    expect(Array.from(tree.decisionType).some((d) => d & CATEGORICAL_MASK)).toBe(true);
    expect(
      Math.max(
        ...Array.from(tree.catBoundaries)
          .slice(1)
          .map((b, i) => b - tree.catBoundaries[i]),
      ),
    ).toBe(2);
  });

  it('keeps optional header and trailer lines', () => {
    const text =
      loadGolden('tiny').modelText.replace('feature_names=', 'average_output\nfeature_names=') +
      '\npandas_categorical:null\n';
    const model = parseModel(text);
    expect(model.averageOutput).toBe(true);
    expect(model.pandasCategorical).toBe('null');
    expect(modelToText(model)).toBe(text);
  });
});

describe('malformed model files', () => {
  const tiny = loadGolden('tiny').modelText;
  const lines = tiny.split('\n');
  const lineOf = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix)) + 1;

  function failure(text: string): ModelFormatError {
    try {
      parseModel(text, 'bad.txt');
    } catch (err) {
      expect(err).toBeInstanceOf(ModelFormatError);
      return err as ModelFormatError;
    }
    throw new Error('parseModel accepted a malformed model');
  }

  it('names the line when the file is truncated inside a tree', () => {
    const cut = `${lines.slice(0, lineOf('leaf_value=')).join('\n')}\n`;
    const err = failure(cut);
    expect(err.message).toMatch(/^bad\.txt:\d+: /);
    expect(err.message).toMatch(/truncated|lacks/);
  });

  it('names the line when a tree ends without "end of trees"', () => {
    const err = failure(tiny.slice(0, tiny.indexOf('end of trees')));
    expect(err.message).toContain('without "end of trees"');
  });

  it('names the line when an array has the wrong length', () => {
    const at = lineOf('leaf_value=');
    const err = failure(tiny.replace(/^leaf_value=.*$/m, 'leaf_value=4.32 4.75'));
    expect(err.line).toBe(at);
    expect(err.message).toContain('leaf_value has 2 values, expected 4');
  });

  it('rejects a bad number naming line and entry', () => {
    const at = lineOf('threshold=');
    const err = failure(tiny.replace(/threshold=\S+/, 'threshold=abc'));
    expect(err.line).toBe(at);
    expect(err.message).toContain('threshold[0]: "abc" is not a number');
  });

  it('rejects a child pointer that would loop', () => {
    const err = failure(tiny.replace('left_child=1 -1 -2', 'left_child=0 -1 -2'));
    expect(err.line).toBe(lineOf('left_child='));
    expect(err.message).toContain('left_child[0]=0');
  });

  it('rejects a split on a feature the header does not have', () => {
    const err = failure(tiny.replace('split_feature=1 0 0', 'split_feature=1 0 7'));
    expect(err.message).toContain('split_feature[2]=7 is outside 0..2');
  });

  it('checks tree_sizes against the bytes of each tree', () => {
    const err = failure(tiny.replace('tree_sizes=471', 'tree_sizes=470'));
    expect(err.line).toBe(lineOf('Tree=0'));
    expect(err.message).toContain('tree_sizes says Tree=0 has 470 bytes but it has 471');
  });

  it('rejects unknown keys, a missing header key and an unclosed parameters block', () => {
    expect(failure(tiny.replace('num_cat=0', 'num_cat=0\nbogus=1')).message).toContain('unknown tree key "bogus"');
    expect(failure(tiny.replace(/^label_index=0\n/m, '')).message).toContain('lacks required key "label_index"');
    expect(failure(tiny.slice(0, tiny.indexOf('end of parameters'))).message).toContain('never closed');
    expect(failure('').message).toContain('empty model file');
    expect(failure('booster\n').line).toBe(1);
  });

  it('rejects linear trees, which it cannot predict', () => {
    expect(failure(tiny.replace('is_linear=0', 'is_linear=1')).message).toContain('linear trees');
  });
});
