// docs/ARCHITECTURE.md against the tree: every folder it names exists, and every folder of code is named in it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');

/** Folder names the document mentions as `name/` or `name/sub/`. */
function namedFolders(): string[] {
  return [...new Set([...DOC.matchAll(/`([a-z][a-z0-9-]*(?:\/[a-z][a-z0-9-]*)*)\/`/g)].map((m) => m[1]))];
}

/** Top-level folders holding TypeScript or JavaScript of ours. */
function codeFolders(): string[] {
  const skip = new Set(['node_modules', '.git', '.data', 'test-artifacts', 'coverage', 'docs']);
  return readdirSync(ROOT).filter((name) => {
    const path = join(ROOT, name);
    if (skip.has(name) || name.startsWith('.') || !statSync(path).isDirectory()) return false;
    const hasCode = (dir: string): boolean =>
      readdirSync(dir, { withFileTypes: true }).some((e) =>
        e.isDirectory() ? hasCode(join(dir, e.name)) : /\.(ts|js|sql)$/.test(e.name),
      );
    return hasCode(path);
  });
}

/** Repository paths (with a folder) that the README and docs/ mention in backticks. */
function mentionedPaths(): { doc: string; path: string }[] {
  const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => join('docs', f))];
  return docs.flatMap((doc) =>
    [
      ...readFileSync(join(ROOT, doc), 'utf8').matchAll(/`([a-z][\w.-]*\/[\w./-]+\.(?:ts|sql|sh|js|cjs|json|md))`/g),
    ].map((m) => ({ doc, path: m[1] })),
  );
}

describe('docs/ARCHITECTURE.md', () => {
  it('names only folders that exist', () => {
    const missing = namedFolders().filter((f) => !existsSync(join(ROOT, f)));
    expect(missing).toEqual([]);
  });

  it('names every folder of code', () => {
    const named = new Set(namedFolders());
    expect(codeFolders().filter((f) => !named.has(f))).toEqual([]);
  });
});

/** Files of ours, tests apart, that run a query: SQL belongs in db/ (tests may query to check what was written). */
function queriesOutsideDb(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!['node_modules', '.git', '.data', 'db', 'test-artifacts'].includes(rel)) walk(rel);
      } else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)) {
        if (/\.query(<[^>]*>)?\(/.test(readFileSync(join(ROOT, rel), 'utf8'))) out.push(rel);
      }
    }
  };
  walk('');
  return out;
}

describe('SQL', () => {
  it('is run only from db/ (and tests)', () => {
    expect(queriesOutsideDb()).toEqual([]);
  });
});

describe('the README and docs/', () => {
  it('mention only files that exist', () => {
    expect(mentionedPaths().filter((m) => !existsSync(join(ROOT, m.path)))).toEqual([]);
  });
});
