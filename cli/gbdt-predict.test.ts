// Tests `fanfare gbdt predict`: LightGBM's parameter aliases, and output files as LightGBM's CLI writes them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { command } from './gbdt.ts';
import { resolvePredictParams, runPredict } from './gbdt-predict.ts';

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'gbdt', 'testdata');
const work = mkdtempSync(join(tmpdir(), 'gbdt-predict-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function table(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t').map(Number));
}

describe('prediction parameters', () => {
  it('accepts LightGBM aliases', () => {
    const p = resolvePredictParams([
      'model_in=m.txt',
      'train=d.tsv',
      'pred_name=o.tsv',
      'is_predict_raw_score=true',
      'has_header=false',
    ]);
    expect(p).toMatchObject({
      inputModel: 'm.txt',
      data: 'd.tsv',
      outputResult: 'o.tsv',
      raw: true,
      header: false,
      contrib: false,
    });
    const q = resolvePredictParams([
      'model_input=m.txt',
      'test=t.tsv',
      'contrib=true',
      'prediction_result=r.tsv',
      'label=2',
    ]);
    expect(q).toMatchObject({
      inputModel: 'm.txt',
      data: 't.tsv',
      outputResult: 'r.tsv',
      contrib: true,
      labelColumn: '2',
    });
    expect(resolvePredictParams(['input_model=m', 'data=d', 'raw_score=1']).raw).toBe(true);
    expect(resolvePredictParams(['input_model=m', 'data=d', 'predict_rawscore=true']).raw).toBe(true);
  });

  it('reads a config file, arguments winning over it', () => {
    const conf = 'task = predict\ndata = from-file.tsv\ninput_model = model.txt # comment\npredict_contrib = true\n';
    const p = resolvePredictParams(['config=p.conf', 'data=from-args.tsv'], () => conf);
    expect(p).toMatchObject({
      data: 'from-args.tsv',
      inputModel: 'model.txt',
      contrib: true,
      outputResult: 'LightGBM_predict_result.txt',
    });
  });

  it('names the parameter that is wrong', () => {
    expect(() => resolvePredictParams(['input_model=m', 'data=d', 'bogus=1'])).toThrow(/unknown parameter "bogus"/);
    expect(() => resolvePredictParams(['data=d'])).toThrow(/missing parameter input_model/);
    expect(() => resolvePredictParams(['input_model=m'])).toThrow(/missing parameter data/);
    expect(() => resolvePredictParams(['input_model=m', 'data=d', 'raw_score=maybe'])).toThrow(
      /raw_score must be true or false/,
    );
    expect(() => resolvePredictParams(['input_model=m', 'data=d', 'raw_score=1', 'contrib=1'])).toThrow(/at most one/);
  });
});

describe('fanfare gbdt predict', () => {
  const run = (name: string, out: string, extra: string[] = []) =>
    command.run([
      'predict',
      `input_model=${join(TESTDATA, `${name}.model.txt`)}`,
      `data=${join(TESTDATA, `${name}.data.tsv`)}`,
      `output_result=${out}`,
      ...extra,
    ]);

  it.each(['binary', 'categorical', 'multiclass'])(
    '%s: raw scores print exactly as LightGBM printed them',
    async (name) => {
      const out = join(work, `${name}.raw.tsv`);
      await run(name, out, ['predict_raw_score=true']);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(TESTDATA, `${name}.raw.tsv`), 'utf8'));
    },
  );

  it.each(['missing', 'multiclass', 'lambdarank'])('%s: transformed outputs match LightGBM to 1e-10', async (name) => {
    const out = join(work, `${name}.pred.tsv`);
    await run(name, out);
    const want = table(join(TESTDATA, `${name}.pred.tsv`));
    const got = table(out);
    expect(got.length).toBe(want.length);
    got.forEach((row, r) => {
      row.forEach((v, j) => {
        expect(Math.abs(v - want[r][j])).toBeLessThanOrEqual(1e-10);
      });
    });
  });

  it('writes contributions in predict_contrib layout', async () => {
    const contribData = join(work, 'contrib-rows.tsv');
    const want = table(join(TESTDATA, 'multiclass.contrib.tsv'));
    writeFileSync(
      contribData,
      `${readFileSync(join(TESTDATA, 'multiclass.data.tsv'), 'utf8').split('\n').slice(0, want.length).join('\n')}\n`,
    );
    const out = join(work, 'contrib.tsv');
    await command.run([
      'predict',
      `input_model=${join(TESTDATA, 'multiclass.model.txt')}`,
      `data=${contribData}`,
      `output_result=${out}`,
      'predict_contrib=true',
    ]);
    const got = table(out);
    expect(got.length).toBe(want.length);
    got.forEach((row, r) => {
      expect(row.length).toBe(5 * 29);
      row.forEach((v, j) => {
        expect(Math.abs(v - want[r][j])).toBeLessThanOrEqual(1e-9);
      });
    });
  });

  it('reads files without a label column, and matches columns by name with a header', () => {
    const lines = readFileSync(join(TESTDATA, 'tiny.data.tsv'), 'utf8').trim().split('\n');
    const noLabel = join(work, 'nolabel.tsv');
    writeFileSync(noLabel, `${lines.map((l) => l.split('\t').slice(1).join('\t')).join('\n')}\n`);
    const withHeader = join(work, 'header.csv');
    // Columns reordered and a label in the middle: names decide.
    writeFileSync(
      withHeader,
      `${[
        'Column_2,label,Column_0,Column_1',
        ...lines.map((l) => {
          const [y, a, b, c] = l.split('\t');
          return [c, y, a, b].join(',');
        }),
      ].join('\n')}\n`,
    );
    const model = join(TESTDATA, 'tiny.model.txt');
    const want = readFileSync(join(TESTDATA, 'tiny.raw.tsv'), 'utf8');
    runPredict(
      resolvePredictParams([
        `input_model=${model}`,
        `data=${noLabel}`,
        `output_result=${join(work, 'a.tsv')}`,
        'predict_raw_score=true',
      ]),
    );
    runPredict(
      resolvePredictParams([
        `input_model=${model}`,
        `data=${withHeader}`,
        'header=true',
        `output_result=${join(work, 'b.tsv')}`,
        'predict_raw_score=true',
      ]),
    );
    expect(readFileSync(join(work, 'a.tsv'), 'utf8')).toBe(want);
    expect(readFileSync(join(work, 'b.tsv'), 'utf8')).toBe(want);
  });

  it('refuses a file with the wrong number of features unless told to', () => {
    const narrow = join(work, 'narrow.tsv');
    writeFileSync(narrow, '1\t2\n3\t4\n');
    const args = [
      `input_model=${join(TESTDATA, 'tiny.model.txt')}`,
      `data=${narrow}`,
      `output_result=${join(work, 'n.tsv')}`,
    ];
    expect(() => runPredict(resolvePredictParams(args))).toThrow(
      /number of features .* \(1\) is not the same as in the model \(3\)/,
    );
    expect(runPredict(resolvePredictParams([...args, 'predict_disable_shape_check=true']))).toBe(2);
  });

  it('prints usage for an unknown task', () => {
    const bin = join(import.meta.dirname, '..', 'bin', 'fanfare.js');
    const env = { PATH: process.env.PATH };
    const run = spawnSync(process.execPath, [bin, 'gbdt', 'fly'], { env, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^fanfare gbdt: unknown subcommand "fly"\n\nusage: fanfare gbdt <train\|predict>/);
  });
});
