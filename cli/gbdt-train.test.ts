// Tests `fanfare gbdt train`: a LightGBM config trains and saves a loadable model; bad input exits 1 naming the line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseModel } from '../models/gbdt/model-text-parse.ts';
import { runTrain } from './gbdt-train.ts';

const dir = mkdtempSync(join(tmpdir(), 'train-cli-'));

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  return { out: () => out, err: () => err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runTrain', () => {
  it('trains from a LightGBM config file and writes a model LightGBM-format parsers accept', async () => {
    const lines = Array.from(
      { length: 300 },
      (_, i) => `${i % 3 === 0 ? 1 : 0}\t${(i * 7) % 11}\t${i % 3}\t${(i * 13) % 5}`,
    );
    writeFileSync(join(dir, 'small.train'), `${lines.join('\n')}\n`);
    const conf = join(dir, 'train.conf');
    const model = join(dir, 'model.txt');
    writeFileSync(
      conf,
      [
        'task = train',
        'objective = binary',
        'metric = auc',
        `data = ${join(dir, 'small.train')}`,
        `valid_data = ${join(dir, 'small.train')}`,
        'num_trees = 5',
        'min_data_in_leaf = 10',
        `output_model = ${model}`,
        'tree_learner = serial',
        '',
      ].join('\n'),
    );
    const io = capture();
    const code = await runTrain([`config=${conf}`, 'num_leaves=4']);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/Iteration:5, valid_1 auc : 1\b/);
    const parsed = parseModel(readFileSync(model, 'utf8'));
    expect(parsed.trees.length).toBe(5);
    expect(parsed.trees[0].numLeaves).toBeLessThanOrEqual(4);
    expect(parsed.objective).toBe('binary sigmoid:1');
  });

  it('names the config line of an unknown parameter', async () => {
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, 'task = train\n# comment\nnum_leavs = 4\n');
    const io = capture();
    expect(await runTrain([`config=${conf}`])).toBe(1);
    expect(io.err()).toContain(`${conf} line 3: unknown parameter "num_leavs"`);
  });

  it('names the line of a ragged data file', async () => {
    const data = join(dir, 'ragged.train');
    writeFileSync(data, '1\t2\t3\n0\t4\t5\n1\t6\n');
    const io = capture();
    expect(await runTrain([`data=${data}`, 'objective=binary'])).toBe(1);
    expect(io.err()).toMatch(/ragged\.train line 3: expected 3 columns .*found 2/);
  });
});
