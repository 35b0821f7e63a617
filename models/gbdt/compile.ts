// The fast predictor: each tree compiled once to straight-line JavaScript (ifs on literal thresholds) via new Function.
import { outputTransform } from './objective-output.ts';
import { finishOutputs, numFeatures, type PredictOptions, rowCount, ZERO_THRESHOLD } from './predict.ts';
import {
  CATEGORICAL_MASK,
  DEFAULT_LEFT_MASK,
  MISSING_NAN,
  MISSING_ZERO,
  type Model,
  missingType,
  type Tree,
} from './tree.ts';

/** Adds a run of trees' leaf values to `s` for the row at rows[offset..]; the order of additions matches LightGBM's. */
type TreeRun = (rows: ArrayLike<number>, offset: number, s: number) => number;

/**
 * Internal nodes per generated function. V8 stops optimizing functions past about 60 KB of bytecode, and a run
 * of trees over that limit is several times slower; 512 nodes stays well under it while amortizing the calls.
 */
const NODES_PER_FUNCTION = 512;

/** Rows per block in batch prediction. */
const ROW_BLOCK = 256;

/** A double as a JavaScript literal that reads back to the same value. */
function literal(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

class TreeWriter {
  /** Every categorical bitset word of the model, shared by the generated functions as `cats`. */
  readonly cats: number[] = [];

  /** JavaScript that is true when the row goes to the left child of `node` (LightGBM's Tree::Decision). */
  condition(tree: Tree, node: number): string {
    const f = tree.splitFeature[node];
    const x = `(x = r[o + ${f}])`;
    const type = tree.decisionType[node];
    if (type & CATEGORICAL_MASK) {
      const idx = tree.threshold[node];
      const start = tree.catBoundaries[idx];
      const n = tree.catBoundaries[idx + 1] - start;
      // static_cast<int> truncates toward zero, so (-1, 0) is category 0; NaN fails both comparisons.
      if (n === 1) return `(${x} > -1 && x < 32 && ((${tree.catThreshold[start] >>> 0} >>> (x | 0)) & 1) === 1)`;
      const base = this.cats.length;
      for (let i = 0; i < n; i += 1) this.cats.push(tree.catThreshold[start + i]);
      return `(${x} > -1 && x < ${32 * n} && ((cats[${base} + ((x | 0) >>> 5)] >>> (x & 31)) & 1) === 1)`;
    }
    const t = literal(tree.threshold[node]);
    const left = (type & DEFAULT_LEFT_MASK) !== 0;
    switch (missingType(type)) {
      case MISSING_ZERO: {
        const z = literal(ZERO_THRESHOLD);
        // NaN becomes 0, which is zero: both take the default direction.
        return left
          ? `(${x} <= ${t} || x !== x || (x >= -${z} && x <= ${z}))`
          : `(${x} <= ${t} && (x < -${z} || x > ${z}))`;
      }
      case MISSING_NAN:
        return left ? `!(${x} > ${t})` : `(${x} <= ${t})`;
      default:
        // NaN is read as 0.
        return tree.threshold[node] >= 0 ? `!(${x} > ${t})` : `(${x} <= ${t})`;
    }
  }

  node(tree: Tree, node: number): string {
    if (node < 0) return `s += ${literal(tree.leafValue[~node])};`;
    // In this order: condition() appends the node's categorical bitset to `cats` before its children's.
    const condition = this.condition(tree, node);
    const left = this.node(tree, tree.leftChild[node]);
    const right = this.node(tree, tree.rightChild[node]);
    return `if (${condition}) { ${left} } else { ${right} }`;
  }

  tree(tree: Tree): string {
    return tree.numLeaves <= 1 ? `s += ${literal(tree.leafValue[0])};` : this.node(tree, 0);
  }
}

export interface CompiledModel {
  readonly model: Model;
  readonly numFeatures: number;
  /** Raw scores of the row at rows[offset..], added into out[outOffset .. outOffset+numTreePerIteration). */
  addRaw(rows: ArrayLike<number>, offset: number, out: Float64Array, outOffset: number): void;
  /** A row-major batch: numRows × numTreePerIteration outputs. */
  predict(rows: Float64Array, options?: PredictOptions): Float64Array;
  /** One row's outputs (length numTreePerIteration). */
  predictRow(row: ArrayLike<number>, options?: PredictOptions): Float64Array;
}

/** Compiles a model's trees to JavaScript functions; do it once per model and reuse the result. */
export function compileModel(model: Model): CompiledModel {
  const k = model.numTreePerIteration;
  const writer = new TreeWriter();
  const sources: string[][] = Array.from({ length: k }, () => []);
  const perClass: Tree[][] = Array.from({ length: k }, () => []);
  model.trees.forEach((tree, t) => {
    perClass[t % k].push(tree);
  });
  for (let c = 0; c < k; c += 1) {
    let group: string[] = [];
    let nodes = 0;
    const flush = () => {
      if (group.length > 0) sources[c].push(`let x = 0;\n${group.join('\n')}\nreturn s;`);
      group = [];
      nodes = 0;
    };
    for (const tree of perClass[c]) {
      if (nodes > 0 && nodes + tree.numLeaves - 1 > NODES_PER_FUNCTION) flush();
      group.push(writer.tree(tree));
      nodes += Math.max(1, tree.numLeaves - 1);
    }
    flush();
  }
  const cats = Uint32Array.from(writer.cats);
  const runs: TreeRun[][] = sources.map((list) =>
    list.map((body) => new Function('cats', `return function treeRun(r, o, s) {\n${body}\n};`)(cats) as TreeRun),
  );
  const width = numFeatures(model);
  const transform = outputTransform(model.objective, k);

  const addRaw = (rows: ArrayLike<number>, offset: number, out: Float64Array, outOffset: number): void => {
    for (let c = 0; c < k; c += 1) {
      const list = runs[c];
      let s = out[outOffset + c];
      for (let i = 0; i < list.length; i += 1) s = list[i](rows, offset, s);
      out[outOffset + c] = s;
    }
  };

  // Rows go through the trees in blocks: each generated function runs over a block of rows while its code is
  // hot in the instruction cache, and each row still adds its trees in LightGBM's order.
  const batchRaw = (rows: Float64Array, numRows: number, out: Float64Array): void => {
    for (let start = 0; start < numRows; start += ROW_BLOCK) {
      const end = Math.min(numRows, start + ROW_BLOCK);
      for (let c = 0; c < k; c += 1) {
        const list = runs[c];
        for (let i = 0; i < list.length; i += 1) {
          const run = list[i];
          if (k === 1) {
            for (let r = start, o = start * width; r < end; r += 1, o += width) out[r] = run(rows, o, out[r]);
          } else {
            for (let r = start, o = start * width; r < end; r += 1, o += width)
              out[r * k + c] = run(rows, o, out[r * k + c]);
          }
        }
      }
    }
  };

  return {
    model,
    numFeatures: width,
    addRaw,
    predict(rows: Float64Array, options: PredictOptions = {}): Float64Array {
      const numRows = rowCount(model, rows);
      const out = new Float64Array(numRows * k);
      batchRaw(rows, numRows, out);
      return finishOutputs(model, out, numRows, options, transform);
    },
    predictRow(row: ArrayLike<number>, options: PredictOptions = {}): Float64Array {
      if (row.length < width) throw new Error(`row: has ${row.length} features, the model needs ${width}`);
      const out = new Float64Array(k);
      addRaw(row, 0, out, 0);
      return finishOutputs(model, out, 1, options, transform);
    },
  };
}
