// Fails when a line of our code is longer than 120 columns: the lines a formatter cannot wrap (comments, strings, SQL).
// Run: npx tsx scripts/line-length.ts (part of `npm run lint`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const CODE = /\.(ts|js|cjs|mjs|css|html|sql)$/;
/** Generated files: golden models and the schema dump are written by tools, not by us. */
const GENERATED = /^(models\/gbdt\/testdata\/|db\/schema\.sql$)/;

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => CODE.test(f) && !GENERATED.test(f));
const long: string[] = [];
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed but deleted in the work tree
  }
  text.split('\n').forEach((line, i) => {
    // Columns as a reader counts them: one per code point, not per UTF-16 unit.
    const width = [...line].length;
    if (width > MAX) long.push(`${file}:${i + 1}: ${width} columns`);
  });
}
if (long.length > 0) {
  process.stderr.write(`${long.join('\n')}\n${long.length} lines longer than ${MAX} columns\n`);
  process.exitCode = 1;
}
