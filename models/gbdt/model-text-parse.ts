// Reads LightGBM's v4 text model format into a Model: a line scanner, then a parser driven by model-text-keys.ts.
import {
  END_OF_TREES,
  FEATURE_IMPORTANCES,
  HEADER_KEYS,
  MODEL_TYPE_LINE,
  PANDAS_CATEGORICAL,
  PARAMETERS_END,
  PARAMETERS_START,
  TREE_ARRAYS,
  TREE_KEYS,
  TREE_SCALARS,
  type TreeArrayKey,
} from './model-text-keys.ts';
import { CATEGORICAL_MASK, type Model, type Tree } from './tree.ts';

/** A model file that LightGBM's format does not allow; `line` is 1-based. */
export class ModelFormatError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${source}:${line}: ${problem}`);
    this.name = 'ModelFormatError';
  }
}

interface Line {
  no: number;
  text: string;
  /** Offset of the line's first character and of the character after its line break. */
  start: number;
  next: number;
}

/** Splits text into lines, remembering offsets so tree_sizes can be checked against the bytes. */
function scanLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  let no = 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    const next = end < 0 ? text.length : end + 1;
    if (end < 0) end = text.length;
    const body = end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    lines.push({ no, text: body, start, next });
    start = next;
    no += 1;
  }
  return lines;
}

function splitKeyValue(line: Line): [string, string] | null {
  const eq = line.text.indexOf('=');
  if (eq < 0) return null;
  return [line.text.slice(0, eq), line.text.slice(eq + 1)];
}

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseInt32(word: string, fail: (problem: string) => never, what: string): number {
  if (!INT.test(word)) fail(`${what}: "${word}" is not an integer`);
  const n = Number(word);
  if (n < -2147483648 || n > 4294967295) fail(`${what}: ${word} is out of range`);
  return n;
}

function parseDouble(word: string, fail: (problem: string) => never, what: string): number {
  if (FLOAT.test(word)) return Number(word);
  const lower = word.toLowerCase();
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return fail(`${what}: "${word}" is not a number`);
}

function words(value: string): string[] {
  return value === '' ? [] : value.split(' ');
}

class Parser {
  private pos = 0;
  constructor(
    private readonly lines: Line[],
    private readonly source: string,
  ) {}

  fail(line: number, problem: string): never {
    throw new ModelFormatError(this.source, line, problem);
  }

  /** Line number to blame when the file ends early. */
  private endLine(): number {
    return this.lines.length === 0 ? 1 : this.lines[this.lines.length - 1].no;
  }

  private skipBlank(): void {
    while (this.pos < this.lines.length && this.lines[this.pos].text === '') this.pos += 1;
  }

  parse(): Model {
    this.skipBlank();
    const first = this.lines[this.pos];
    if (!first) this.fail(1, 'empty model file');
    if (first.text !== MODEL_TYPE_LINE) {
      this.fail(first.no, `expected "${MODEL_TYPE_LINE}" as the first line, found "${first.text.slice(0, 60)}"`);
    }
    this.pos += 1;
    const header = this.parseHeader();
    const model = this.buildHeader(header);
    const treeSizes = header.get('tree_sizes');
    this.parseTrees(model, treeSizes);
    this.parseTrailer(model);
    return model;
  }

  private parseHeader(): Map<string, { value: string; line: number }> {
    const known = new Map(HEADER_KEYS.map((k) => [k.key, k]));
    const found = new Map<string, { value: string; line: number }>();
    for (; this.pos < this.lines.length; this.pos += 1) {
      const line = this.lines[this.pos];
      if (line.text === '') continue;
      if (line.text.startsWith('Tree=') || line.text === END_OF_TREES) break;
      const kv = splitKeyValue(line);
      const key = kv ? kv[0] : line.text;
      const spec = known.get(key);
      if (!spec) this.fail(line.no, `unknown header line "${line.text.slice(0, 60)}"`);
      if (found.has(key)) this.fail(line.no, `header key "${key}" appears twice`);
      if (spec.value === 'flag') {
        if (kv) this.fail(line.no, `"${key}" takes no value`);
      } else if (!kv) {
        this.fail(line.no, `"${key}" needs a value ("${key}=...")`);
      }
      found.set(key, { value: kv ? kv[1] : '', line: line.no });
    }
    if (this.pos >= this.lines.length)
      this.fail(this.endLine(), `file ends in the header, before any "Tree=" or "${END_OF_TREES}"`);
    for (const spec of HEADER_KEYS) {
      if (spec.required && !found.has(spec.key)) {
        this.fail(this.lines[this.pos].no, `header lacks required key "${spec.key}"`);
      }
    }
    return found;
  }

  private buildHeader(h: Map<string, { value: string; line: number }>): Model {
    const int = (key: string): number => {
      const e = h.get(key)!;
      return parseInt32(e.value, (p) => this.fail(e.line, p), key);
    };
    const numClass = int('num_class');
    if (numClass < 1) this.fail(h.get('num_class')!.line, `num_class must be at least 1, got ${numClass}`);
    const numTreePerIteration = h.has('num_tree_per_iteration') ? int('num_tree_per_iteration') : numClass;
    if (numTreePerIteration < 1) {
      this.fail(
        h.get('num_tree_per_iteration')!.line,
        `num_tree_per_iteration must be at least 1, got ${numTreePerIteration}`,
      );
    }
    const maxFeatureIdx = int('max_feature_idx');
    if (maxFeatureIdx < 0)
      this.fail(h.get('max_feature_idx')!.line, `max_feature_idx must be at least 0, got ${maxFeatureIdx}`);
    const numFeatures = maxFeatureIdx + 1;
    const perFeature = (key: string): string[] => {
      const e = h.get(key)!;
      const list = words(e.value);
      if (list.length !== numFeatures) {
        this.fail(
          e.line,
          `${key} has ${list.length} entries but max_feature_idx=${maxFeatureIdx} needs ${numFeatures}`,
        );
      }
      return list;
    };
    const model: Model = {
      numClass,
      numTreePerIteration,
      labelIndex: int('label_index'),
      maxFeatureIdx,
      objective: h.get('objective')?.value ?? '',
      featureNames: perFeature('feature_names'),
      featureInfos: perFeature('feature_infos'),
      trees: [],
      parameters: [],
    };
    if (h.has('version')) model.version = h.get('version')!.value;
    if (h.has('average_output')) model.averageOutput = true;
    if (h.has('monotone_constraints')) {
      const e = h.get('monotone_constraints')!;
      model.monotoneConstraints = perFeature('monotone_constraints').map((w) =>
        parseInt32(w, (p) => this.fail(e.line, p), 'monotone_constraints'),
      );
    }
    return model;
  }

  private parseTrees(model: Model, treeSizes: { value: string; line: number } | undefined): void {
    const sizes = treeSizes
      ? words(treeSizes.value).map((w) => parseInt32(w, (p) => this.fail(treeSizes.line, p), 'tree_sizes'))
      : null;
    for (;;) {
      this.skipBlank();
      const line = this.lines[this.pos];
      if (!line)
        this.fail(this.endLine(), `file ends after ${model.trees.length} trees without "${END_OF_TREES}" (truncated?)`);
      if (line.text === END_OF_TREES) {
        this.pos += 1;
        break;
      }
      const index = model.trees.length;
      if (line.text !== `Tree=${index}`)
        this.fail(line.no, `expected "Tree=${index}" or "${END_OF_TREES}", found "${line.text.slice(0, 60)}"`);
      this.pos += 1;
      const tree = this.parseTree(model.maxFeatureIdx, line.no);
      model.trees.push(tree);
      // The block runs to the next "Tree=" or "end of trees" line; tree_sizes counts its bytes.
      this.skipBlank();
      if (sizes) {
        const end = this.pos < this.lines.length ? this.lines[this.pos].start : this.lines[this.lines.length - 1].next;
        if (index >= sizes.length) this.fail(line.no, `tree_sizes lists ${sizes.length} trees but the file has more`);
        if (end - line.start !== sizes[index]) {
          this.fail(line.no, `tree_sizes says Tree=${index} has ${sizes[index]} bytes but it has ${end - line.start}`);
        }
      }
    }
    if (sizes && sizes.length !== model.trees.length) {
      this.fail(treeSizes!.line, `tree_sizes lists ${sizes.length} trees but the file has ${model.trees.length}`);
    }
  }

  private parseTree(maxFeatureIdx: number, treeLine: number): Tree {
    const values = new Map<string, { value: string; line: number }>();
    for (; this.pos < this.lines.length && this.lines[this.pos].text !== ''; this.pos += 1) {
      const line = this.lines[this.pos];
      const kv = splitKeyValue(line);
      if (!kv) this.fail(line.no, `expected "key=value" in a tree, found "${line.text.slice(0, 60)}"`);
      if (!TREE_KEYS.has(kv[0])) this.fail(line.no, `unknown tree key "${kv[0]}"`);
      if (values.has(kv[0])) this.fail(line.no, `tree key "${kv[0]}" appears twice`);
      values.set(kv[0], { value: kv[1], line: line.no });
    }
    if (this.pos >= this.lines.length) {
      this.fail(this.endLine(), `file ends inside the tree that starts at line ${treeLine} (truncated?)`);
    }
    const lastLine = this.lines[this.pos].no;
    const scalar = (key: string, fallback: number | null, float = false): number => {
      const e = values.get(key);
      if (!e) {
        if (fallback === null) this.fail(lastLine, `tree at line ${treeLine} lacks "${key}" (truncated?)`);
        return fallback;
      }
      const fail = (p: string): never => this.fail(e.line, p);
      return float ? parseDouble(e.value, fail, key) : parseInt32(e.value, fail, key);
    };
    const numLeaves = scalar(TREE_SCALARS.numLeaves, null);
    const numCat = scalar(TREE_SCALARS.numCat, null);
    if (numLeaves < 1)
      this.fail(values.get(TREE_SCALARS.numLeaves)!.line, `num_leaves must be at least 1, got ${numLeaves}`);
    if (numCat < 0) this.fail(values.get(TREE_SCALARS.numCat)!.line, `num_cat must be at least 0, got ${numCat}`);
    if (scalar(TREE_SCALARS.isLinear, 0) !== 0) {
      this.fail(values.get(TREE_SCALARS.isLinear)!.line, 'linear trees (is_linear=1) are not supported');
    }
    const shrinkage = scalar(TREE_SCALARS.shrinkage, 1, true);

    const arrays: Record<string, Int32Array | Uint32Array | Uint8Array | Float64Array> = {};
    let catWords = 0;
    for (const spec of TREE_ARRAYS) {
      const isCat = spec.length === 'catBoundaries' || spec.length === 'catThreshold';
      const length = this.arrayLength(spec, numLeaves, numCat, catWords);
      const e = values.get(spec.key);
      if (!e) {
        const needed = isCat ? numCat > 0 : spec.required && (numLeaves > 1 || spec.length === 'leaf');
        if (needed) this.fail(lastLine, `tree at line ${treeLine} lacks "${spec.key}" (truncated?)`);
        arrays[spec.field] = allocate(spec, length);
        continue;
      }
      if (isCat && numCat === 0) this.fail(e.line, `"${spec.key}" given but num_cat=0`);
      arrays[spec.field] = this.parseArray(spec, e.value, e.line, length);
      if (spec.length === 'catBoundaries') {
        const b = arrays[spec.field] as Int32Array;
        catWords = b[b.length - 1];
        for (let i = 0; i < b.length; i += 1) {
          if ((i === 0 && b[0] !== 0) || (i > 0 && b[i] < b[i - 1])) {
            this.fail(e.line, `cat_boundaries must start at 0 and never decrease (entry ${i} is ${b[i]})`);
          }
        }
      }
    }
    const tree = { numLeaves, numCat, shrinkage, ...arrays } as unknown as Tree;
    this.checkTree(tree, maxFeatureIdx, values);
    return tree;
  }

  private arrayLength(spec: TreeArrayKey, numLeaves: number, numCat: number, catWords: number): number {
    switch (spec.length) {
      case 'internal':
        return numLeaves - 1;
      case 'leaf':
        return numLeaves;
      case 'catBoundaries':
        return numCat > 0 ? numCat + 1 : 0;
      case 'catThreshold':
        return catWords;
    }
  }

  private parseArray(spec: TreeArrayKey, value: string, line: number, length: number) {
    const list = words(value);
    if (list.length !== length) this.fail(line, `${spec.key} has ${list.length} values, expected ${length}`);
    const out = allocate(spec, length);
    const fail = (p: string): never => this.fail(line, p);
    for (let i = 0; i < length; i += 1) {
      const what = `${spec.key}[${i}]`;
      out[i] = spec.style === 'int' ? parseInt32(list[i], fail, what) : parseDouble(list[i], fail, what);
      if (spec.kind === 'u8' && (out[i] !== Number(list[i]) || Number(list[i]) < 0))
        fail(`${what}: ${list[i]} is not a valid decision type`);
      if (spec.kind === 'u32' && Number(list[i]) < 0) fail(`${what}: ${list[i]} must not be negative`);
    }
    return out;
  }

  /** Structural checks, so prediction can trust the arrays: every walk ends at a leaf. */
  private checkTree(tree: Tree, maxFeatureIdx: number, values: Map<string, { value: string; line: number }>): void {
    const lineOf = (key: string): number => values.get(key)!.line;
    for (let node = 0; node < tree.numLeaves - 1; node += 1) {
      const f = tree.splitFeature[node];
      if (f < 0 || f > maxFeatureIdx)
        this.fail(lineOf('split_feature'), `split_feature[${node}]=${f} is outside 0..${maxFeatureIdx}`);
      for (const [key, child] of [
        ['left_child', tree.leftChild[node]],
        ['right_child', tree.rightChild[node]],
      ] as const) {
        const ok = child < 0 ? ~child < tree.numLeaves : child > node && child < tree.numLeaves - 1;
        if (!ok)
          this.fail(
            lineOf(key),
            `${key}[${node}]=${child} is not a later node nor a leaf (~0..~${tree.numLeaves - 1})`,
          );
      }
      if (tree.decisionType[node] & CATEGORICAL_MASK) {
        const t = tree.threshold[node];
        if (!Number.isInteger(t) || t < 0 || t >= tree.numCat) {
          this.fail(
            lineOf('threshold'),
            `threshold[${node}]=${t} of a categorical split is not a bitset index below num_cat=${tree.numCat}`,
          );
        }
      }
    }
  }

  private parseTrailer(model: Model): void {
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      this.pos += 1;
      if (line.text === '') continue;
      if (line.text === FEATURE_IMPORTANCES) {
        // Derived from the trees; the writer recomputes it.
        while (
          this.pos < this.lines.length &&
          this.lines[this.pos].text !== '' &&
          this.lines[this.pos].text !== PARAMETERS_START
        ) {
          if (!this.lines[this.pos].text.includes('='))
            this.fail(this.lines[this.pos].no, `expected "feature=count" in feature_importances`);
          this.pos += 1;
        }
      } else if (line.text === PARAMETERS_START) {
        const start = this.pos;
        while (this.pos < this.lines.length && this.lines[this.pos].text !== PARAMETERS_END) this.pos += 1;
        if (this.pos >= this.lines.length)
          this.fail(line.no, `"${PARAMETERS_START}" is never closed by "${PARAMETERS_END}" (truncated?)`);
        model.parameters = this.lines.slice(start, this.pos).map((l) => l.text);
        this.pos += 1;
      } else if (line.text === 'parser:') {
        while (this.pos < this.lines.length && this.lines[this.pos].text !== 'end of parser') this.pos += 1;
        if (this.pos >= this.lines.length)
          this.fail(line.no, '"parser:" is never closed by "end of parser" (truncated?)');
        this.pos += 1;
      } else if (line.text.startsWith(PANDAS_CATEGORICAL)) {
        model.pandasCategorical = line.text.slice(PANDAS_CATEGORICAL.length);
      } else {
        this.fail(line.no, `unexpected line after "${END_OF_TREES}": "${line.text.slice(0, 60)}"`);
      }
    }
  }
}

function allocate(spec: TreeArrayKey, length: number) {
  switch (spec.kind) {
    case 'i32':
      return new Int32Array(length);
    case 'u32':
      return new Uint32Array(length);
    case 'u8':
      return new Uint8Array(length);
    case 'f64':
      return new Float64Array(length);
  }
}

/** Parses a whole model file's text. `source` names the file in error messages. */
export function parseModel(text: string, source = 'model'): Model {
  return new Parser(scanLines(text), source).parse();
}
