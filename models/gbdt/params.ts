// Training parameters: parse LightGBM-style `key=value` arguments and config files, resolve, check, fill defaults.
import { readFileSync } from 'node:fs';
import { canonicalParameterName } from './param-names.ts';

/** One `key=value` as written, with where it came from, for error messages. */
export interface ParamEntry {
  key: string;
  value: string;
  origin: string;
}

export type ObjectiveName = 'binary' | 'regression' | 'lambdarank';
export type MetricName = 'auc' | 'binary_logloss' | 'binary_error' | 'l2' | 'rmse' | 'l1' | 'ndcg';

export interface GbdtParams {
  task: string;
  objective: ObjectiveName;
  data: string;
  valid: string[];
  outputModel: string;
  numIterations: number;
  learningRate: number;
  numLeaves: number;
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL1: number;
  lambdaL2: number;
  minGainToSplit: number;
  maxBin: number;
  minDataInBin: number;
  binConstructSampleCnt: number;
  dataRandomSeed: number;
  useMissing: boolean;
  zeroAsMissing: boolean;
  featurePreFilter: boolean;
  featureFraction: number;
  featureFractionSeed: number;
  baggingFraction: number;
  baggingFreq: number;
  baggingSeed: number;
  /** Column indices or, with a header, `name:` lists; resolved against the data by the trainer. */
  categoricalFeature: string;
  catSmooth: number;
  catL2: number;
  maxCatThreshold: number;
  minDataPerGroup: number;
  maxCatToOnehot: number;
  earlyStoppingRound: number;
  firstMetricOnly: boolean;
  metric: MetricName[];
  metricFreq: number;
  isProvideTrainingMetric: boolean;
  evalAt: number[];
  sigmoid: number;
  boostFromAverage: boolean;
  labelGain: number[];
  lambdarankTruncationLevel: number;
  lambdarankNorm: boolean;
  header: boolean;
  labelColumn: string;
  weightColumn: string;
  groupColumn: string;
  ignoreColumn: string;
  verbosity: number;
  /** Every parameter given, canonical name → value, for the model file's parameters block. */
  given: Map<string, string>;
}

/** LightGBM parameters that change nothing for a single-machine CPU trainer reading text files. */
const NO_EFFECT = new Set([
  'config',
  'task',
  'num_threads',
  'device_type',
  'deterministic',
  'force_col_wise',
  'force_row_wise',
  'histogram_pool_size',
  'is_enable_sparse',
  'enable_bundle',
  'two_round',
  'save_binary',
  'pre_partition',
  'num_machines',
  'local_listen_port',
  'time_out',
  'machine_list_filename',
  'machines',
  'snapshot_freq',
  'precise_float_parser',
  'gpu_platform_id',
  'gpu_device_id',
  'gpu_use_dp',
  'num_gpu',
  'input_model',
  'output_result',
  'predict_raw_score',
  'predict_leaf_index',
  'predict_contrib',
  'predict_disable_shape_check',
  'start_iteration_predict',
  'num_iteration_predict',
  'pred_early_stop',
  'pred_early_stop_freq',
  'pred_early_stop_margin',
  'convert_model',
  'convert_model_language',
  'saved_feature_importance_type',
  'objective_seed',
  'drop_seed',
  'extra_seed',
  'verbosity',
]);

/** LightGBM features this trainer lacks, accepted only at the value that switches them off. */
const ONLY_NEUTRAL: Record<string, string[]> = {
  boosting: ['gbdt', 'gbrt'],
  tree_learner: ['serial', 'feature', 'data', 'voting'],
  data_sample_strategy: ['bagging'],
  num_class: ['1'],
  extra_trees: ['false'],
  linear_tree: ['false'],
  use_quantized_grad: ['false'],
  max_delta_step: ['0', '0.0'],
  path_smooth: ['0', '0.0'],
  feature_fraction_bynode: ['1', '1.0'],
  pos_bagging_fraction: ['1', '1.0'],
  neg_bagging_fraction: ['1', '1.0'],
  is_unbalance: ['false'],
  scale_pos_weight: ['1', '1.0'],
  forcedsplits_filename: [''],
  forcedbins_filename: [''],
  monotone_constraints: [''],
  interaction_constraints: [''],
  max_bin_by_feature: [''],
  feature_contri: [''],
};

const OBJECTIVES: Record<string, ObjectiveName> = {
  binary: 'binary',
  regression: 'regression',
  regression_l2: 'regression',
  l2: 'regression',
  mean_squared_error: 'regression',
  mse: 'regression',
  lambdarank: 'lambdarank',
};

const METRICS: Record<string, MetricName> = {
  auc: 'auc',
  binary_logloss: 'binary_logloss',
  binary: 'binary_logloss',
  binary_error: 'binary_error',
  l2: 'l2',
  mean_squared_error: 'l2',
  mse: 'l2',
  regression_l2: 'l2',
  regression: 'l2',
  rmse: 'rmse',
  l2_root: 'rmse',
  root_mean_squared_error: 'rmse',
  l1: 'l1',
  mean_absolute_error: 'l1',
  mae: 'l1',
  regression_l1: 'l1',
  ndcg: 'ndcg',
  lambdarank: 'ndcg',
  rank_xendcg: 'ndcg',
  xendcg: 'ndcg',
  xe_ndcg: 'ndcg',
  xe_ndcg_mart: 'ndcg',
  xendcg_mart: 'ndcg',
};

const DEFAULT_METRIC: Record<ObjectiveName, MetricName> = {
  binary: 'binary_logloss',
  regression: 'l2',
  lambdarank: 'ndcg',
};

/** Parse `key=value` command-line arguments. */
export function parseArgs(args: readonly string[]): ParamEntry[] {
  return args.map((arg, i) => splitKeyValue(arg, `argument ${i + 1} ("${arg}")`));
}

/** Parse a LightGBM config file's text: `key = value` lines, `#` starts a comment. */
export function parseConfigText(text: string, path: string): ParamEntry[] {
  const entries: ParamEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line !== '') entries.push(splitKeyValue(line, `${path} line ${i + 1}`));
  });
  return entries;
}

function splitKeyValue(text: string, origin: string): ParamEntry {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`${origin}: expected key=value, got "${text}"`);
  return { key: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim(), origin };
}

/**
 * Resolve arguments plus the config file they name (`config=FILE`) into checked parameters.
 * As in LightGBM's CLI, an argument beats the config file and, within one source, the first mention wins.
 */
export function loadParams(args: readonly string[]): GbdtParams {
  const fromArgs = parseArgs(args);
  const configEntry = fromArgs.find((e) => canonicalParameterName(e.key) === 'config');
  const fromFile = configEntry ? parseConfigText(readFileSync(configEntry.value, 'utf8'), configEntry.value) : [];
  return resolveParams([...fromArgs, ...fromFile]);
}

/** Check each entry's name, keep the first value per canonical name, and build typed parameters. */
export function resolveParams(entries: readonly ParamEntry[]): GbdtParams {
  const given = new Map<string, ParamEntry>();
  for (const entry of entries) {
    const name = canonicalParameterName(entry.key);
    if (name === undefined) throw new Error(`${entry.origin}: unknown parameter "${entry.key}"`);
    const neutral = ONLY_NEUTRAL[name];
    if (neutral && !neutral.includes(entry.value.toLowerCase())) {
      throw new Error(
        `${entry.origin}: parameter "${entry.key}=${entry.value}" is not supported by this trainer ` +
          `(only ${neutral.map((v) => `"${v}"`).join(' or ')})`,
      );
    }
    if (!given.has(name)) given.set(name, { ...entry, key: name });
  }
  const known = new Set([...Object.keys(READERS), ...NO_EFFECT, ...Object.keys(ONLY_NEUTRAL)]);
  for (const [name, entry] of given) {
    if (!known.has(name))
      throw new Error(`${entry.origin}: LightGBM parameter "${name}" is not supported by this trainer`);
  }
  const r = new Reader(given);
  const seed = r.has('seed') ? r.int('seed', -2147483648) : undefined;
  const derived = seed === undefined ? undefined : deriveSeeds(seed);
  const objective = r.oneOf('objective', OBJECTIVES, 'regression');
  const metricText = r.str('metric', '');
  const metric = parseMetrics(metricText, objective, given.get('metric'));
  const params: GbdtParams = {
    task: r.str('task', 'train'),
    objective,
    data: r.str('data', ''),
    valid: r.list('valid'),
    outputModel: r.str('output_model', 'LightGBM_model.txt'),
    numIterations: r.int('num_iterations', 0, 100),
    learningRate: r.num('learning_rate', 0, 0.1, true),
    numLeaves: r.int('num_leaves', 2, 31),
    maxDepth: r.int('max_depth', -1, -1),
    minDataInLeaf: r.int('min_data_in_leaf', 0, 20),
    minSumHessianInLeaf: r.num('min_sum_hessian_in_leaf', 0, 1e-3),
    lambdaL1: r.num('lambda_l1', 0, 0),
    lambdaL2: r.num('lambda_l2', 0, 0),
    minGainToSplit: r.num('min_gain_to_split', 0, 0),
    maxBin: r.int('max_bin', 2, 255),
    minDataInBin: r.int('min_data_in_bin', 1, 3),
    binConstructSampleCnt: r.int('bin_construct_sample_cnt', 1, 200000),
    dataRandomSeed: r.int('data_random_seed', -2147483648, derived?.data ?? 1),
    useMissing: r.bool('use_missing', true),
    zeroAsMissing: r.bool('zero_as_missing', false),
    featurePreFilter: r.bool('feature_pre_filter', true),
    featureFraction: r.fraction('feature_fraction'),
    featureFractionSeed: r.int('feature_fraction_seed', -2147483648, derived?.featureFraction ?? 2),
    baggingFraction: r.fraction('bagging_fraction'),
    baggingFreq: r.int('bagging_freq', 0, 0),
    baggingSeed: r.int('bagging_seed', -2147483648, derived?.bagging ?? 3),
    categoricalFeature: r.str('categorical_feature', ''),
    catSmooth: r.num('cat_smooth', 0, 10),
    catL2: r.num('cat_l2', 0, 10),
    maxCatThreshold: r.int('max_cat_threshold', 1, 32),
    minDataPerGroup: r.int('min_data_per_group', 1, 100),
    maxCatToOnehot: r.int('max_cat_to_onehot', 1, 4),
    earlyStoppingRound: r.int('early_stopping_round', 0, 0),
    firstMetricOnly: r.bool('first_metric_only', false),
    metric,
    metricFreq: r.int('metric_freq', 1, 1),
    isProvideTrainingMetric: r.bool('is_provide_training_metric', false),
    evalAt: r.intList('eval_at', [1, 2, 3, 4, 5], 1),
    sigmoid: r.num('sigmoid', 0, 1, true),
    boostFromAverage: r.bool('boost_from_average', true),
    labelGain: r.numList(
      'label_gain',
      Array.from({ length: 31 }, (_, i) => 2 ** i - 1),
    ),
    lambdarankTruncationLevel: r.int('lambdarank_truncation_level', 1, 30),
    lambdarankNorm: r.bool('lambdarank_norm', true),
    header: r.bool('header', false),
    labelColumn: r.str('label_column', ''),
    weightColumn: r.str('weight_column', ''),
    groupColumn: r.str('group_column', ''),
    ignoreColumn: r.str('ignore_column', ''),
    verbosity: r.int('verbosity', -2147483648, 1),
    given: new Map([...given].map(([k, e]) => [k, e.value])),
  };
  return params;
}

function parseMetrics(text: string, objective: ObjectiveName, entry: ParamEntry | undefined): MetricName[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (names.length === 0) return [DEFAULT_METRIC[objective]];
  if (names.some((n) => ['none', 'null', 'custom', 'na'].includes(n))) return [];
  const out: MetricName[] = [];
  for (const name of names) {
    const metric = METRICS[name];
    if (!metric)
      throw new Error(
        `${entry!.origin}: metric "${name}" is not supported (use ${[...new Set(Object.values(METRICS))].join(', ')})`,
      );
    if (!out.includes(metric)) out.push(metric);
  }
  return out;
}

/** LightGBM derives each unset seed from `seed` with its LCG, so `seed=N` alone fixes the whole run. */
function deriveSeeds(seed: number): { data: number; bagging: number; featureFraction: number } {
  let x = seed >>> 0;
  const nextShort = () => {
    x = (Math.imul(214013, x) + 2531011) >>> 0;
    return ((x >>> 16) & 0x7fff) % 32767;
  };
  const data = nextShort();
  const bagging = nextShort();
  nextShort(); // drop_seed
  const featureFraction = nextShort();
  return { data, bagging, featureFraction };
}

/** Typed access to the given values; each failure names the parameter, its origin and the rule. */
class Reader {
  constructor(private readonly given: Map<string, ParamEntry>) {}

  has(name: string): boolean {
    return this.given.has(name);
  }

  private fail(name: string, rule: string): never {
    const e = this.given.get(name)!;
    throw new Error(`${e.origin}: parameter ${name} must be ${rule}, got "${e.value}"`);
  }

  str(name: string, fallback: string): string {
    return this.given.get(name)?.value ?? fallback;
  }

  list(name: string): string[] {
    return this.str(name, '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  num(name: string, min: number, fallback: number, exclusiveMin = false): number {
    const e = this.given.get(name);
    if (!e) return fallback;
    const v = Number(e.value);
    const rule = `a number ${exclusiveMin ? '>' : '>='} ${min}`;
    if (e.value === '' || !Number.isFinite(v) || v < min || (exclusiveMin && v === min)) this.fail(name, rule);
    return v;
  }

  int(name: string, min: number, fallback?: number): number {
    const e = this.given.get(name);
    if (!e) {
      if (fallback === undefined) throw new Error(`parameter ${name} is required`);
      return fallback;
    }
    const v = Number(e.value);
    if (!/^[-+]?\d+$/.test(e.value) || v < min) this.fail(name, `an integer >= ${min}`);
    return v;
  }

  fraction(name: string): number {
    const v = this.num(name, 0, 1, true);
    if (v > 1) this.fail(name, 'in (0, 1]');
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    const e = this.given.get(name);
    if (!e) return fallback;
    const v = e.value.toLowerCase();
    if (v === 'true' || v === '1' || v === '+') return true;
    if (v === 'false' || v === '0' || v === '-') return false;
    this.fail(name, 'true or false');
  }

  oneOf<T>(name: string, table: Record<string, T>, fallback: T): T {
    const e = this.given.get(name);
    if (!e) return fallback;
    const v = table[e.value.toLowerCase()];
    if (v === undefined) this.fail(name, `one of ${Object.keys(table).join(', ')}`);
    return v;
  }

  numList(name: string, fallback: number[]): number[] {
    if (!this.given.has(name)) return fallback;
    const values = this.list(name).map(Number);
    if (values.length === 0 || values.some((v) => !Number.isFinite(v)))
      this.fail(name, 'a comma-separated list of numbers');
    return values;
  }

  intList(name: string, fallback: number[], min: number): number[] {
    const values = this.numList(name, fallback);
    if (values.some((v) => !Number.isInteger(v) || v < min))
      this.fail(name, `a comma-separated list of integers >= ${min}`);
    return values;
  }
}

/** The names `resolveParams` reads; anything else LightGBM knows is either no-op or rejected. */
const READERS: Record<string, true> = Object.fromEntries(
  [
    'objective',
    'data',
    'valid',
    'output_model',
    'num_iterations',
    'learning_rate',
    'num_leaves',
    'max_depth',
    'min_data_in_leaf',
    'min_sum_hessian_in_leaf',
    'lambda_l1',
    'lambda_l2',
    'min_gain_to_split',
    'max_bin',
    'min_data_in_bin',
    'bin_construct_sample_cnt',
    'data_random_seed',
    'use_missing',
    'zero_as_missing',
    'feature_pre_filter',
    'feature_fraction',
    'feature_fraction_seed',
    'bagging_fraction',
    'bagging_freq',
    'bagging_seed',
    'seed',
    'categorical_feature',
    'cat_smooth',
    'cat_l2',
    'max_cat_threshold',
    'min_data_per_group',
    'max_cat_to_onehot',
    'early_stopping_round',
    'first_metric_only',
    'metric',
    'metric_freq',
    'is_provide_training_metric',
    'eval_at',
    'sigmoid',
    'boost_from_average',
    'label_gain',
    'lambdarank_truncation_level',
    'lambdarank_norm',
    'header',
    'label_column',
    'weight_column',
    'group_column',
    'ignore_column',
  ].map((n) => [n, true]),
);
