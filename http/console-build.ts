// Builds the console's front end with Vite's JS API into a cache directory named by its sources' hash, once per change.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('../console', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOCKFILE = join(ROOT, 'package-lock.json');
/** What the console may import from outside console/ (.dependency-cruiser.cjs): it is bundled too. */
const SHARED_SOURCES = ['wire', 'domain', 'policy/diff.ts'];

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .flatMap((name) => files(join(path, name)))
    .sort();
}

/** Changes whenever a console source, a shared one or a dependency version does, so a stale build is never served. */
export function consoleSourceHash(sourceDir = CONSOLE_SOURCE_DIR): string {
  const h = createHash('sha256');
  for (const path of files(sourceDir)) {
    h.update(relative(sourceDir, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  for (const path of SHARED_SOURCES.flatMap((p) => files(join(ROOT, p)))) {
    h.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  if (existsSync(LOCKFILE)) h.update(readFileSync(LOCKFILE));
  return h.digest('hex').slice(0, 16);
}

/**
 * The directory holding the built console for the current sources, building it first when missing. The build goes
 * to a temporary sibling and is renamed into place, so two processes building at once both end with a whole build.
 */
export function buildConsole(cacheDir: string, log: (line: string) => void = () => {}): Promise<string> {
  const outDir = join(cacheDir, consoleSourceHash());
  if (existsSync(join(outDir, 'index.html'))) return Promise.resolve(outDir);
  let running = inFlight.get(outDir);
  if (!running) {
    running = viteBuild(cacheDir, outDir, log).finally(() => inFlight.delete(outDir));
    inFlight.set(outDir, running);
  }
  return running;
}

/** One build per output directory at a time in this process; a failed one is retried by the next call. */
const inFlight = new Map<string, Promise<string>>();

async function viteBuild(cacheDir: string, outDir: string, log: (line: string) => void): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  const started = Date.now();
  const { build } = await import('vite');
  await build({
    root: CONSOLE_SOURCE_DIR,
    base: '/console/',
    configFile: false,
    logLevel: 'warn',
    build: { outDir: tmp, emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  });
  try {
    renameSync(tmp, outDir);
  } catch (err) {
    // Another process finished first: its build is the same sources, keep it.
    if (!existsSync(join(outDir, 'index.html'))) throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  // Builds of other source versions a day old are left by earlier checkouts; a younger one may still be served.
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (path !== outDir && statSync(path).mtimeMs < Date.now() - 86_400_000)
      rmSync(path, { recursive: true, force: true });
  }
  log(`console: built with Vite in ${((Date.now() - started) / 1000).toFixed(1)} s into ${outDir}`);
  return outDir;
}
