// The difference between two policy documents as a list of changed paths, for the audit trail and the CLI.
import type { JsonChange } from '../domain/json-change.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The names of an array of named objects (cap rules, segments), when every element has a distinct one. */
function names(list: unknown[]): string[] | null {
  const out = list.map((x) => (isObject(x) && typeof x.name === 'string' && x.name !== '' ? x.name : null));
  if (out.some((n) => n === null) || new Set(out).size !== out.length) return null;
  return out as string[];
}

function walk(a: unknown, b: unknown, path: string, out: JsonChange[]): void {
  const namesA = Array.isArray(a) ? names(a) : null;
  const namesB = Array.isArray(b) ? names(b) : null;
  if (Array.isArray(a) && Array.isArray(b) && namesA && namesB && (a.length > 0 || b.length > 0)) {
    // Named elements match by name, so a rule keeps its name in the path when others move, come or go.
    for (const [i, name] of namesB.entries()) {
      const p = `${path}[${name}]`;
      const j = namesA.indexOf(name);
      if (j < 0) out.push({ path: p, op: 'add', to: b[i] });
      else walk(a[j], b[i], p, out);
    }
    for (const [j, name] of namesA.entries()) {
      if (!namesB.includes(name)) out.push({ path: `${path}[${name}]`, op: 'remove', from: a[j] });
    }
    const order = (list: string[]) => list.filter((n) => namesA.includes(n) && namesB.includes(n)).join();
    if (order(namesA) !== order(namesB)) out.push({ path: `${path}(order)`, op: 'change', from: namesA, to: namesB });
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= a.length) out.push({ path: p, op: 'add', to: b[i] });
      else if (i >= b.length) out.push({ path: p, op: 'remove', from: a[i] });
      else walk(a[i], b[i], p, out);
    }
  } else if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const p = path === '' ? key : `${path}.${key}`;
      if (!(key in a) || a[key] === undefined) {
        if (b[key] !== undefined) out.push({ path: p, op: 'add', to: b[key] });
      } else if (!(key in b) || b[key] === undefined) out.push({ path: p, op: 'remove', from: a[key] });
      else walk(a[key], b[key], p, out);
    }
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path: path || '(document)', op: 'change', from: a, to: b });
  }
}

/**
 * Changes that turn `before` into `after`, depth first in document order. Arrays whose elements all carry distinct
 * names (cap rules, segments) compare by name, and their paths name the element: `rules[push_gap].minGap`; a new
 * order of the same names is one change at `rules(order)`. Other arrays compare by position: `kinds[0]`.
 */
export function jsonDiff(before: unknown, after: unknown): JsonChange[] {
  const out: JsonChange[] = [];
  walk(before, after, '', out);
  return out;
}

/** "rules[push_per_day].limit: 3 → 4", one line per change. */
export function formatChanges(changes: readonly JsonChange[]): string {
  return changes
    .map((c) =>
      c.op === 'add'
        ? `${c.path}: added ${JSON.stringify(c.to)}`
        : c.op === 'remove'
          ? `${c.path}: removed (was ${JSON.stringify(c.from)})`
          : `${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`,
    )
    .join('\n');
}
