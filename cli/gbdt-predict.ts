// `fanfare gbdt predict`: LightGBM's CLI prediction task (parameter names, aliases, output layout) over our predictors.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { compileModel } from '../models/gbdt/compile.ts';
import { loadDataFile } from '../models/gbdt/data-file.ts';
import { parseModel } from '../models/gbdt/model-text-parse.ts';
import { formatG17 } from '../models/gbdt/number-format.ts';
import { canonicalParameterName } from '../models/gbdt/param-names.ts';
import { type ParamEntry, parseArgs, parseConfigText } from '../models/gbdt/params.ts';
import { leafIndex } from '../models/gbdt/predict.ts';
import { shapExplainer } from '../models/gbdt/shap.ts';
import type { Model } from '../models/gbdt/tree.ts';

/** Parameters this command reads; every other LightGBM parameter is accepted and ignored, as LightGBM's CLI does. */
export interface PredictParams {
  inputModel: string;
  data: string;
  outputResult: string;
  header: boolean;
  labelColumn: string;
  raw: boolean;
  contrib: boolean;
  leafIndex: boolean;
  disableShapeCheck: boolean;
  startIteration: number;
  numIteration: number;
}

function parseBool(entry: ParamEntry): boolean {
  const v = entry.value.toLowerCase();
  if (v === 'true' || v === '1' || v === '+') return true;
  if (v === 'false' || v === '0' || v === '-') return false;
  throw new Error(`${entry.origin}: ${entry.key} must be true or false, got "${entry.value}"`);
}

function parseInt10(entry: ParamEntry, min: number): number {
  if (!/^-?\d+$/.test(entry.value) || Number(entry.value) < min) {
    throw new Error(`${entry.origin}: ${entry.key} must be an integer of at least ${min}, got "${entry.value}"`);
  }
  return Number(entry.value);
}

/**
 * Resolves key=value arguments (and a config=FILE they name) into prediction parameters; arguments win,
 * then first mention.
 */
export function resolvePredictParams(
  args: readonly string[],
  readText = (p: string) => readFileSync(p, 'utf8'),
): PredictParams {
  const fromArgs = parseArgs(args);
  const config = fromArgs.find((e) => canonicalParameterName(e.key) === 'config');
  const entries = [...fromArgs, ...(config ? parseConfigText(readText(config.value), config.value) : [])];
  const given = new Map<string, ParamEntry>();
  for (const entry of entries) {
    const name = canonicalParameterName(entry.key);
    if (name === undefined) throw new Error(`${entry.origin}: unknown parameter "${entry.key}"`);
    if (!given.has(name)) given.set(name, { ...entry, key: entry.key });
  }
  const task = given.get('task');
  if (task && task.value !== 'predict' && task.value !== 'prediction') {
    throw new Error(`${task.origin}: task must be "predict" for fanfare gbdt predict, got "${task.value}"`);
  }
  const required = (name: string, what: string): string => {
    const e = given.get(name);
    if (!e || e.value === '') throw new Error(`missing parameter ${name}=<${what}>`);
    return e.value;
  };
  const bool = (name: string) => (given.has(name) ? parseBool(given.get(name)!) : false);
  const int = (name: string, min: number, fallback: number) =>
    given.has(name) ? parseInt10(given.get(name)!, min) : fallback;
  // LightGBM predicts the file named by `data`; `test`/`valid` is accepted when `data` is absent.
  const data = given.get('data')?.value || given.get('valid')?.value.split(',')[0] || '';
  if (data === '') throw new Error('missing parameter data=<file to predict>');
  const params: PredictParams = {
    inputModel: required('input_model', 'model file'),
    data,
    outputResult: given.get('output_result')?.value || 'LightGBM_predict_result.txt',
    header: bool('header'),
    labelColumn: given.get('label_column')?.value ?? '',
    raw: bool('predict_raw_score'),
    contrib: bool('predict_contrib'),
    leafIndex: bool('predict_leaf_index'),
    disableShapeCheck: bool('predict_disable_shape_check'),
    startIteration: int('start_iteration_predict', 0, 0),
    numIteration: int('num_iteration_predict', -1, -1),
  };
  if ([params.raw, params.contrib, params.leafIndex].filter(Boolean).length > 1) {
    throw new Error('choose at most one of predict_raw_score, predict_contrib and predict_leaf_index');
  }
  return params;
}

/**
 * The model restricted to iterations [start, start+num) as LightGBM's start_iteration_predict/num_iteration_predict do.
 */
export function selectIterations(model: Model, start: number, num: number): Model {
  const k = model.numTreePerIteration;
  const total = Math.floor(model.trees.length / k);
  const from = Math.min(start, total);
  const to = num > 0 ? Math.min(from + num, total) : total;
  if (from === 0 && to === total) return model;
  return { ...model, trees: model.trees.slice(from * k, to * k) };
}

/** Reads the rows to predict, laid out as the model's features (by header name when the file has a header). */
function loadRows(params: PredictParams, model: Model): { rows: Float64Array; numRows: number } {
  const width = model.maxFeatureIdx + 1;
  if (params.header) {
    // With a header LightGBM reads no label: columns are matched to the model's features by name.
    const first = readFileSync(params.data, 'utf8').split('\n', 1)[0].replace(/\r$/, '');
    const numCols = first.split(/[\t,]/).length;
    const file = loadDataFile(params.data, { header: true, numFeatures: numCols });
    const names = file.featureNames ?? [];
    const column = new Map(names.map((n, i) => [n, i]));
    const rows = new Float64Array(file.numRows * width);
    model.featureNames.forEach((name, f) => {
      const c = column.get(name);
      if (c === undefined) return;
      for (let r = 0; r < file.numRows; r += 1) rows[r * width + f] = file.rows[r * file.numFeatures + c];
    });
    return { rows, numRows: file.numRows };
  }
  const file = loadDataFile(params.data, {
    numFeatures: width,
    ...(params.labelColumn !== '' ? { labelColumn: params.labelColumn } : {}),
  });
  if (file.numFeatures === width) return { rows: file.rows, numRows: file.numRows };
  if (!params.disableShapeCheck) {
    throw new Error(
      `the number of features in ${params.data} (${file.numFeatures}) is not the same as in the model (${width}); ` +
        'set predict_disable_shape_check=true to predict anyway',
    );
  }
  // Extra columns are dropped and absent ones read as 0, as LightGBM's predict buffer does.
  const rows = new Float64Array(file.numRows * width);
  const n = Math.min(width, file.numFeatures);
  for (let r = 0; r < file.numRows; r += 1) {
    rows.set(file.rows.subarray(r * file.numFeatures, r * file.numFeatures + n), r * width);
  }
  return { rows, numRows: file.numRows };
}

/** Values per row, tab-separated, each as C++'s ostream with setprecision(17) prints a double. */
function writeTable(path: string, values: Float64Array, numRows: number, width: number): void {
  const fd = openSync(path, 'w');
  try {
    const BATCH = 4096;
    for (let start = 0; start < numRows; start += BATCH) {
      const lines: string[] = [];
      for (let r = start; r < Math.min(numRows, start + BATCH); r += 1) {
        const cells = new Array<string>(width);
        for (let j = 0; j < width; j += 1) cells[j] = formatG17(values[r * width + j]);
        lines.push(cells.join('\t'));
      }
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs a prediction task; returns the number of rows written. */
export function runPredict(params: PredictParams): number {
  const model = selectIterations(
    parseModel(readFileSync(params.inputModel, 'utf8'), params.inputModel),
    params.startIteration,
    params.numIteration,
  );
  const { rows, numRows } = loadRows(params, model);
  const width = model.maxFeatureIdx + 1;
  let out: Float64Array;
  let columns: number;
  if (params.contrib) {
    const explainer = shapExplainer(model);
    out = explainer.explain(rows);
    columns = explainer.width;
  } else if (params.leafIndex) {
    columns = model.trees.length;
    out = new Float64Array(numRows * columns);
    for (let r = 0; r < numRows; r += 1) {
      for (let t = 0; t < columns; t += 1) out[r * columns + t] = leafIndex(model.trees[t], rows, r * width);
    }
  } else {
    out = compileModel(model).predict(rows, { raw: params.raw });
    columns = model.numTreePerIteration;
  }
  writeTable(params.outputResult, out, numRows, columns);
  return numRows;
}

export async function run(args: string[]): Promise<number> {
  const params = resolvePredictParams(args);
  const n = runPredict(params);
  process.stderr.write(`[fanfare gbdt] predicted ${n} rows into ${params.outputResult}\n`);
  return 0;
}
