// Tests the embedded PostgreSQL for real: init, query, restarts, clean stop; symlink hydration; the binaries' copy.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { copyPostgresBinaries, hydrateSymlinks, postgresBinaries } from './postgres-binaries.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fanfare-pg-'));
  // mkdtemp makes a 0700 directory; the postgres OS user must be able to reach the data dir inside it.
  await chmod(root, 0o755);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(connectionString: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startEmbeddedPostgres', () => {
  it('initialises a data dir, answers queries, keeps data across restarts and stops cleanly', async () => {
    const dataDir = join(root, 'pg');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(first.connectionString).toBe(`postgres://postgres:fanfare@127.0.0.1:${port}/fanfare`);
      expect(await query(first.connectionString, 'select 1 as one')).toEqual([{ one: 1 }]);
      await query(first.connectionString, "create table kept (note text); insert into kept values ('still here')");
    } finally {
      await first.stop();
    }
    expect(await accepts(port)).toBe(false);

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(second.connectionString, 'select note from kept')).toEqual([{ note: 'still here' }]);
      const [{ server_encoding }] = await query<{ server_encoding: string }>(
        second.connectionString,
        'show server_encoding',
      );
      expect(server_encoding).toBe('UTF8');
    } finally {
      await second.stop();
    }
    expect(await accepts(second.port)).toBe(false);
  });

  it('refuses a non-empty data dir that is not a PostgreSQL cluster', async () => {
    const dataDir = join(root, 'not-pg');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
      /dataDir .* must be empty or hold a PostgreSQL cluster/,
    );
  });

  it('refuses a database name that is not a plain identifier', async () => {
    await expect(startEmbeddedPostgres({ dataDir: join(root, 'pg'), database: 'Fan-Fare' })).rejects.toThrow(
      /database must be a lowercase identifier/,
    );
  });
});

describe('hydrateSymlinks', () => {
  it('creates the missing library links relative to their folder, once', async () => {
    await mkdir(join(root, 'native', 'lib'), { recursive: true });
    await writeFile(join(root, 'native', 'lib', 'libpq.so.5.17'), 'elf');
    await writeFile(
      join(root, 'native', 'pg-symlinks.json'),
      JSON.stringify([
        { source: 'native/lib/libpq.so.5.17', target: 'native/lib/libpq.so.5' },
        { source: 'native/lib/libpq.so.5.17', target: 'native/lib/libpq.so' },
      ]),
    );
    expect(await hydrateSymlinks(root)).toEqual(['libpq.so.5', 'libpq.so']);
    expect(await readlink(join(root, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
    expect(await hydrateSymlinks(root)).toEqual([]);
  });

  it('does nothing for a package without a symlink list', async () => {
    expect(await hydrateSymlinks(root)).toEqual([]);
  });
});

describe('copyPostgresBinaries', () => {
  it('copies once, atomically: concurrent copies agree, links stay links, an unfinished one is replaced', async () => {
    const source = await postgresBinaries();
    const parent = join(root, 'cache');
    const target = join(parent, `postgres-${source.version}-${platform()}-${arch()}`);
    // Left by something other than a finished copy: must be replaced, not merged into or trusted.
    await mkdir(join(target, 'bin'), { recursive: true });
    await writeFile(join(target, 'bin', 'postgres'), 'not a server');

    const [a, b] = await Promise.all([copyPostgresBinaries(source, parent), copyPostgresBinaries(source, parent)]);
    expect(a).toEqual(b);
    expect(a.root).toBe(target);
    expect(a.postgres).toBe(join(target, 'bin', 'postgres'));
    // No temporary or set-aside copies are left next to it.
    expect(await readdir(parent)).toEqual([basename(target)]);
    expect(await readlink(join(target, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
    expect(spawnSync(a.postgres, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);
    expect((await stat(join(target, 'share'))).mode & 0o777).toBe(0o755);

    // A finished copy is reused as it is.
    const marker = await readFile(join(target, '.fanfare-complete'), 'utf8');
    const before = (await stat(a.postgres)).mtimeMs;
    expect(await copyPostgresBinaries(source, parent)).toEqual(a);
    expect((await stat(a.postgres)).mtimeMs).toBe(before);
    expect(await readFile(join(target, '.fanfare-complete'), 'utf8')).toBe(marker);
  });
});
