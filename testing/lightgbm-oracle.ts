// Locates the LightGBM 4.1 oracle that scripts/lightgbm-oracle.sh builds, and runs its CLI for tests and golden files.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readToolPaths } from '../app/config.ts';

/** The cache folder the build script writes: ${FANFARE_CACHE:-$HOME/.cache/fanfare}/lightgbm-4.1. */
export function oracleDir(): string {
  return join(readToolPaths().cacheDir, 'lightgbm-4.1');
}

/** The LightGBM CLI, or null when the oracle has not been built. */
export function oraclePath(): string | null {
  const path = join(oracleDir(), 'lightgbm');
  return existsSync(path) ? path : null;
}

/** The LightGBM CLI; throws a message saying how to build it when absent (tests must fail, not skip). */
export function requireOracle(): string {
  const path = oraclePath();
  if (!path) {
    throw new Error(
      `LightGBM oracle not found at ${join(oracleDir(), 'lightgbm')}: ` +
        'run "bash scripts/lightgbm-oracle.sh" first (about 6 minutes on 2 cores)',
    );
  }
  return path;
}

/** lib_lightgbm.so beside the CLI, for the C API benchmark; throws when absent. */
export function requireOracleLibrary(): string {
  requireOracle();
  const path = join(oracleDir(), 'lib_lightgbm.so');
  if (!existsSync(path)) throw new Error(`${path} is missing: rebuild with "bash scripts/lightgbm-oracle.sh"`);
  return path;
}

/** LightGBM's examples/ folder (binary_classification, lambdarank, multiclass_classification, ...). */
export function examplesDir(): string {
  requireOracle();
  return join(oracleDir(), 'source', 'examples');
}

/** Runs the CLI with key=value arguments in `cwd`, single-threaded and deterministic; returns its stdout. */
export function runOracle(args: Record<string, string | number | boolean>, cwd: string): string {
  const argv = Object.entries({ num_threads: 1, deterministic: true, ...args }).map(([k, v]) => `${k}=${v}`);
  return execFileSync(requireOracle(), argv, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
}
