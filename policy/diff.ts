// The difference between two policy documents as a list of changed paths, for the audit trail and the CLI.
import type { JsonChange } from '../domain/json-change.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(a: unknown, b: unknown, path: string, out: JsonChange[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
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

/** Changes that turn `before` into `after`, depth first in document order; arrays compare by position. */
export function jsonDiff(before: unknown, after: unknown): JsonChange[] {
  const out: JsonChange[] = [];
  walk(before, after, '', out);
  return out;
}

/** "rules[0].limit: 3 → 4", one line per change. */
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
