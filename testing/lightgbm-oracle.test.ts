// Runs the LightGBM oracle live on a small case: train, predict; our parser, writer and predictor agree with it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../models/gbdt/compile.ts';
import { parseModel } from '../models/gbdt/model-text-parse.ts';
import { modelToText } from '../models/gbdt/model-text-write.ts';
import { examplesDir, requireOracle, runOracle } from './lightgbm-oracle.ts';

describe('LightGBM oracle, live', () => {
  const work = mkdtempSync(join(tmpdir(), 'gbdt-oracle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is built (run "bash scripts/lightgbm-oracle.sh" when this fails)', () => {
    expect(requireOracle()).toMatch(/lightgbm$/);
    expect(readFileSync(join(examplesDir(), 'binary_classification', 'binary.train'), 'utf8').length).toBeGreaterThan(
      0,
    );
  });

  it('trains a small model whose predictions and text we reproduce', () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      const a = (i * 37) % 101;
      const b = i % 7 === 0 ? 'nan' : String(((i * 13) % 17) - 8);
      const c = (i * 11) % 5;
      lines.push(`${(a > 50 ? 1 : 0) ^ (c === 3 ? 1 : 0)}\t${a}\t${b}\t${c}`);
    }
    writeFileSync(join(work, 'train.tsv'), `${lines.join('\n')}\n`);
    runOracle(
      {
        task: 'train',
        data: 'train.tsv',
        objective: 'binary',
        num_trees: 5,
        num_leaves: 7,
        min_data_in_leaf: 10,
        output_model: 'model.txt',
        verbosity: -1,
      },
      work,
    );
    runOracle(
      { task: 'predict', data: 'train.tsv', input_model: 'model.txt', output_result: 'pred.tsv', verbosity: -1 },
      work,
    );

    const text = readFileSync(join(work, 'model.txt'), 'utf8');
    const model = parseModel(text, 'model.txt');
    expect(modelToText(model)).toBe(text);
    const rows = new Float64Array(
      lines.flatMap((l) =>
        l
          .split('\t')
          .slice(1)
          .map((w) => (w === 'nan' ? NaN : Number(w))),
      ),
    );
    const ours = compileModel(model).predict(rows);
    const theirs = readFileSync(join(work, 'pred.tsv'), 'utf8').trim().split('\n').map(Number);
    expect(theirs.length).toBe(500);
    theirs.forEach((p, i) => {
      expect(Math.abs(ours[i] - p)).toBeLessThanOrEqual(1e-10);
    });
  });
});
