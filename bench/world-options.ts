// What the several-worlds benches (bench/worlds.ts, bench/worlds-gap-parts.ts) read from their command line alike:
// integer options, the world spec files, and each world at a given seed and size.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadWorldSpec, parseWorldSpec, type WorldSpec } from '../simulator/spec.ts';

const WORLDS_DIR = new URL('../simulator/worlds/', import.meta.url).pathname;

/** An integer option of at least `min`; anything else stops the bench naming the option and the rule. */
export function intOption(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: must be an integer >= ${min} (got ${value})`);
  return n;
}

/** The spec files named in `--worlds` (comma-separated), or every file in simulator/worlds/, in name order. */
export async function worldFiles(worlds: string | undefined): Promise<string[]> {
  if (worlds) return worlds.split(',');
  return (await readdir(WORLDS_DIR))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(WORLDS_DIR, f));
}

/** Each world's name (its file's, without `.json`) and its spec as written. */
export async function loadWorlds(files: readonly string[]): Promise<{ name: string; base: WorldSpec }[]> {
  return Promise.all(
    files.map(async (file) => ({
      name: file.replace(/^.*\//, '').replace(/\.json$/, ''),
      base: await loadWorldSpec(file),
    })),
  );
}

/** The world as written, with its seed and fan count replaced. */
export function worldAt(base: WorldSpec, seed: number, fans: number): WorldSpec {
  return parseWorldSpec({ ...base, seed, fans: { ...base.fans, count: fans } });
}
