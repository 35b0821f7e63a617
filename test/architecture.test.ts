// docs/ARCHITECTURE.md against the tree: the folders it names and the code's folders agree, SQL is only in db/, the
// environment is read only in app/config.ts, and the docs name only files that exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** The README and the Markdown files of docs/ (docs/ also holds the images they show). */
function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
  return ['README.md', ...docs.map((f) => join('docs', f))];
}

/**
 * Repository paths (with a folder) that the README and docs/ mention in backticks, and the images they show (a
 * Markdown image's relative path, resolved from the document's folder).
 */
function mentionedPaths(): { doc: string; path: string }[] {
  return docFiles().flatMap((doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const named = [...text.matchAll(/`([a-z][\w.-]*\/[\w./-]+\.(?:ts|sql|sh|js|cjs|json|md))`/g)].map((m) => m[1]);
    const shown = [...text.matchAll(/!\[[^\]]*\]\(([\w./-]+\.png)\)/g)].map((m) => join(dirname(doc), m[1]));
    return [...named, ...shown].map((path) => ({ doc, path }));
  });
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

/** Every file of ours, tests apart, outside the folders given: a path and its text. */
function sourcesOutside(...skipped: string[]): { rel: string; text: string }[] {
  const out: { rel: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!['node_modules', '.git', '.data', 'test-artifacts', 'coverage', ...skipped].includes(rel)) walk(rel);
      } else if (/\.(ts|js|cjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) {
        out.push({ rel, text: readFileSync(join(ROOT, rel), 'utf8') });
      }
    }
  };
  walk('');
  return out;
}

/** SQL statements as they start, whatever the case: what no file outside db/ should hold. */
const COLUMN = String.raw`[\w*.()]+(\s+as\s+\w+)?`;
const SQL_TEXT = new RegExp(
  [
    String.raw`select\s+(distinct\s+)?${COLUMN}(\s*,\s*${COLUMN})*\s+from\s+\w`,
    String.raw`insert\s+into\s+\w`,
    String.raw`update\s+\w+\s+set\s`,
    String.raw`delete\s+from\s+\w`,
    String.raw`create\s+(table|(unique\s+)?index|extension|schema|database)\s`,
    String.raw`(alter|drop)\s+(table|schema|database)\s`,
    String.raw`truncate\s+(table\s+)?\w+\s*(;|${'`'}|'|,|restart|cascade)`,
  ]
    .map((statement) => String.raw`\b${statement}`)
    .join('|'),
  'i',
);

describe('SQL', () => {
  it('is run only from db/ (and tests)', () => {
    const querying = sourcesOutside('db').filter((f) => /\.query(<[^>]*>)?\(/.test(f.text));
    expect(querying.map((f) => f.rel)).toEqual([]);
  });

  it('is written only in db/ (and tests)', () => {
    expect(SQL_TEXT.test('`select id from fans where id = $1`')).toBe(true);
    expect(SQL_TEXT.test("'insert into decisions (fan_id) values ($1)'")).toBe(true);
    expect(SQL_TEXT.test('select count(*) as n, max(f.id) from fans f')).toBe(true);
    expect(SQL_TEXT.test('select the fans who opened, from their rows')).toBe(false);
    const holding = sourcesOutside('db').filter((f) => SQL_TEXT.test(f.text));
    expect(holding.map((f) => `${f.rel}: ${f.text.match(SQL_TEXT)?.[0]}`)).toEqual([]);
  });
});

describe('environment variables', () => {
  it('are read only in app/config.ts (tests may set their own)', () => {
    // Passing the whole environment on to a child (`...process.env`) reads no variable of ours.
    const reading = sourcesOutside().filter(
      (f) => f.rel !== 'app/config.ts' && /process\.env(\.|\[|\?\.)/.test(f.text),
    );
    expect(reading.map((f) => f.rel)).toEqual([]);
  });
});

describe('the README and docs/', () => {
  it('mention only files that exist', () => {
    expect(mentionedPaths().filter((m) => !existsSync(join(ROOT, m.path)))).toEqual([]);
  });
});
