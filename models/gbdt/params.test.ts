// Tests for parameter parsing: aliases, precedence, defaults, and errors that name the line and the problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadParams, parseConfigText, resolveParams } from './params.ts';

describe('params', () => {
  it('resolves aliases and fills LightGBM defaults', () => {
    const p = resolveParams(
      parseConfigText('objective = binary\nnum_trees = 7 # comment\nmin_data = 5\nsub_row=0.5\n', 'x.conf'),
    );
    expect(p.objective).toBe('binary');
    expect(p.numIterations).toBe(7);
    expect(p.minDataInLeaf).toBe(5);
    expect(p.baggingFraction).toBe(0.5);
    expect(p.numLeaves).toBe(31);
    expect(p.maxBin).toBe(255);
    expect(p.metric).toEqual(['binary_logloss']);
    expect(p.labelGain.slice(0, 4)).toEqual([0, 1, 3, 7]);
  });

  it('lets arguments override the config file, first mention winning within a source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'params-'));
    const conf = join(dir, 'train.conf');
    writeFileSync(conf, 'num_leaves = 15\nlearning_rate = 0.3\nlearning_rate = 0.9\nmetric = auc,binary_logloss\n');
    const p = loadParams([`config=${conf}`, 'num_leaves=7']);
    expect(p.numLeaves).toBe(7);
    expect(p.learningRate).toBe(0.3);
    expect(p.metric).toEqual(['auc', 'binary_logloss']);
  });

  it('accepts the LightGBM example config keys that have no effect here', () => {
    const text =
      'task = train\ntree_learner = serial\nis_enable_sparse = true\nuse_two_round_loading = false\n' +
      'num_machines = 1\nmachine_list_file = mlist.txt\n';
    expect(() => resolveParams(parseConfigText(text, 'a.conf'))).not.toThrow();
  });

  it('names the config file line of an unknown parameter', () => {
    expect(() => resolveParams(parseConfigText('# header\nnum_leaves = 3\nnum_leafs = 4\n', 'bad.conf'))).toThrow(
      'bad.conf line 3: unknown parameter "num_leafs"',
    );
  });

  it('names the argument of an unknown parameter and rejects bad values with the rule', () => {
    expect(() => loadParams(['learning_rate=0.1', 'bogus=1'])).toThrow(
      'argument 2 ("bogus=1"): unknown parameter "bogus"',
    );
    expect(() => loadParams(['num_leaves=1'])).toThrow('parameter num_leaves must be an integer >= 2, got "1"');
    expect(() => loadParams(['bagging_fraction=1.5'])).toThrow('bagging_fraction must be in (0, 1]');
    expect(() => loadParams(['boosting=dart'])).toThrow('not supported');
    expect(() => parseConfigText('just words\n', 'c.conf')).toThrow('c.conf line 1: expected key=value');
  });

  it('derives the unset seeds from seed', () => {
    const a = loadParams(['seed=42']);
    const b = loadParams(['seed=43']);
    expect(a.baggingSeed).not.toBe(b.baggingSeed);
    expect(loadParams(['seed=42', 'bagging_seed=9']).baggingSeed).toBe(9);
    expect(loadParams([]).baggingSeed).toBe(3);
  });
});
