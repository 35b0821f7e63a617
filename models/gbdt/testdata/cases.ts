// The golden cases: each LightGBM-made model in this folder, the training it came from, and how to load its files.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GoldenCase {
  name: string;
  /** Where the training rows come from: a synthetic set made by scripts/gbdt-golden.ts, or a LightGBM example. */
  source: 'tiny' | 'missing' | 'categorical' | 'binary' | 'multiclass' | 'lambdarank';
  /** LightGBM CLI training parameters. */
  train: Record<string, string | number | boolean>;
}

export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: 'tiny', source: 'tiny', train: { objective: 'regression', num_trees: 1, num_leaves: 4, min_data_in_leaf: 5 } },
  {
    name: 'binary',
    source: 'binary',
    train: { objective: 'binary', num_trees: 20, num_leaves: 31, learning_rate: 0.1, min_data_in_leaf: 50, feature_fraction: 0.8 },
  },
  { name: 'missing', source: 'missing', train: { objective: 'binary', num_trees: 12, num_leaves: 8, min_data_in_leaf: 20 } },
  {
    name: 'missing-zero',
    source: 'missing',
    train: { objective: 'binary', num_trees: 12, num_leaves: 8, min_data_in_leaf: 20, zero_as_missing: true },
  },
  {
    name: 'categorical',
    source: 'categorical',
    train: {
      objective: 'binary',
      num_trees: 12,
      num_leaves: 8,
      min_data_in_leaf: 20,
      min_data_per_group: 10,
      cat_smooth: 1,
      categorical_feature: '0,1',
    },
  },
  {
    name: 'lambdarank',
    source: 'lambdarank',
    train: { objective: 'lambdarank', num_trees: 15, num_leaves: 15, learning_rate: 0.1, min_data_in_leaf: 50 },
  },
  {
    name: 'multiclass',
    source: 'multiclass',
    train: { objective: 'multiclass', num_class: 5, num_trees: 8, num_leaves: 15, learning_rate: 0.05 },
  },
];

const DIR = dirname(fileURLToPath(import.meta.url));

export interface GoldenFiles {
  modelText: string;
  /** Rows × numFeatures, row-major, without the label column. */
  rows: Float64Array;
  numRows: number;
  numFeatures: number;
  /** LightGBM's outputs, one array of columns per row. */
  pred: number[][];
  raw: number[][];
  contrib: number[][];
}

function readTable(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t').map((w) => (w === 'nan' ? NaN : Number(w))));
}

/** Loads one case's model text, its test rows and LightGBM's predictions for them. */
export function loadGolden(name: string): GoldenFiles {
  const base = join(DIR, name);
  const table = readTable(`${base}.data.tsv`);
  const numFeatures = table[0].length - 1;
  const rows = new Float64Array(table.length * numFeatures);
  table.forEach((row, i) => rows.set(row.slice(1), i * numFeatures));
  return {
    modelText: readFileSync(`${base}.model.txt`, 'utf8'),
    rows,
    numRows: table.length,
    numFeatures,
    pred: readTable(`${base}.pred.tsv`),
    raw: readTable(`${base}.raw.tsv`),
    contrib: readTable(`${base}.contrib.tsv`),
  };
}
