// Tests how the temporal CLI is found (TEMPORAL_CLI_PATH, PATH, cache) and built with Go, using fake directories.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import {
  cachedTemporalCliPath,
  findTemporalCli,
  goMinorVersion,
  plannedPackages,
  TEMPORAL_CLI_VERSION,
} from './temporal-cli.ts';

let root: string;

async function executable(path: string, body = '#!/bin/sh\nexit 0\n'): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, body);
  await chmod(path, 0o755);
  return path;
}

// A stand-in for `go` that answers `go env GOVERSION`, plans `packages` packages for `go install -n` (a `# <path>`
// line and commands each, as the real one prints), and makes `go install` name them on stderr, as -v does, then drop
// a binary into $GOBIN, or fail without one.
function fakeGo(version: string, { packages = 0, fail = false } = {}): string {
  return `#!/bin/sh
if [ "$1" = env ]; then echo ${version}; exit 0; fi
if [ "$2" = -n ]; then
  echo '# import config' >&2
  i=0
  while [ $i -lt ${packages} ]; do i=$((i+1)); printf '# example.com/pkg%s\\nmkdir -p $WORK/b%s/\\n' $i $i >&2; done
  exit 0
fi
printf '%s\\n' "$@" > "${root}/go-args"
printf 'CGO_ENABLED=%s\\nGOBIN=%s\\n' "$CGO_ENABLED" "$GOBIN" > "${root}/go-env"
i=0; while [ $i -lt ${packages} ]; do i=$((i+1)); echo "example.com/pkg$i" >&2; done
${fail ? 'echo "compile error" >&2; exit 1' : ''}
printf '#!/bin/sh\\necho built\\n' > "$GOBIN/temporal"
/bin/chmod 755 "$GOBIN/temporal"
`;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fanfare-cli-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('findTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH and the cache', async () => {
    const explicit = await executable(join(root, 'explicit', 'temporal'));
    await executable(join(root, 'path', 'temporal'));
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: join(root, 'path'), FANFARE_CACHE: join(root, 'cache') };
    await executable(cachedTemporalCliPath(readToolPaths(env)));
    expect(await findTemporalCli(readToolPaths(env))).toBe(explicit);
  });

  it('rejects a TEMPORAL_CLI_PATH that is not executable, naming the variable', async () => {
    const notExecutable = join(root, 'temporal');
    await writeFile(notExecutable, 'not a program');
    await expect(findTemporalCli(readToolPaths({ TEMPORAL_CLI_PATH: notExecutable, PATH: '' }))).rejects.toThrow(
      /TEMPORAL_CLI_PATH must name an executable/,
    );
  });

  it('uses PATH before the cache', async () => {
    const onPath = await executable(join(root, 'path', 'temporal'));
    const env = { PATH: `${join(root, 'empty')}:${join(root, 'path')}`, FANFARE_CACHE: join(root, 'cache') };
    await executable(cachedTemporalCliPath(readToolPaths(env)));
    expect(await findTemporalCli(readToolPaths(env))).toBe(onPath);
  });

  it('falls back to the cache under FANFARE_CACHE, then under HOME', async () => {
    const env = { PATH: join(root, 'empty'), FANFARE_CACHE: join(root, 'cache') };
    const cached = await executable(cachedTemporalCliPath(readToolPaths(env)));
    expect(cached).toBe(join(root, 'cache', 'bin', 'temporal'));
    expect(await findTemporalCli(readToolPaths(env))).toBe(cached);
    const home = { PATH: '', HOME: join(root, 'home') };
    const underHome = await executable(join(root, 'home', '.cache', 'fanfare', 'bin', 'temporal'));
    expect(await findTemporalCli(readToolPaths(home))).toBe(underHome);
  });

  it('builds the pinned CLI into the cache with go install when none exists', async () => {
    await executable(join(root, 'go-bin', 'go'), fakeGo('go1.23.4'));
    const env = { PATH: join(root, 'go-bin'), FANFARE_CACHE: join(root, 'cache') };
    expect(await findTemporalCli(readToolPaths(env))).toBe(join(root, 'cache', 'bin', 'temporal'));
    const args = (await readFile(join(root, 'go-args'), 'utf8')).trim().split('\n');
    expect(args[0]).toBe('install');
    expect(args).toContain('-ldflags=-s -w');
    expect(args.at(-1)).toBe(`github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`);
    expect(await readFile(join(root, 'go-env'), 'utf8')).toBe(`CGO_ENABLED=0\nGOBIN=${join(root, 'cache', 'bin')}\n`);
  });

  it('counts the packages go install names instead of echoing them, and prints them all if it fails', async () => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      stderr += String(s);
      return true;
    });
    try {
      const env = { PATH: join(root, 'go-bin'), FANFARE_CACHE: join(root, 'cache') };
      await executable(join(root, 'go-bin', 'go'), fakeGo('go1.23.4', { packages: 300 }));
      expect(await findTemporalCli(readToolPaths(env))).toBe(join(root, 'cache', 'bin', 'temporal'));
      expect(stderr).toContain('fanfare: 300 packages to compile');
      expect(stderr).not.toContain('example.com/pkg');
      await rm(join(root, 'cache'), { recursive: true });
      await executable(join(root, 'go-bin', 'go'), fakeGo('go1.23.4', { packages: 300, fail: true }));
      await expect(findTemporalCli(readToolPaths(env))).rejects.toThrow(/exit code 1; see its output above/);
      expect(stderr).toContain('example.com/pkg1\nexample.com/pkg2\n');
      expect(stderr).toContain('example.com/pkg300\ncompile error\n');
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('refuses to build with a Go older than 1.22', async () => {
    await executable(join(root, 'go-bin', 'go'), fakeGo('go1.21.9'));
    const env = { PATH: join(root, 'go-bin'), FANFARE_CACHE: join(root, 'cache') };
    await expect(findTemporalCli(readToolPaths(env))).rejects.toThrow(/"go1.21.9", older than go1.22/);
  });

  it('says what to install when there is neither a CLI nor Go', async () => {
    const env = { PATH: join(root, 'empty'), FANFARE_CACHE: join(root, 'cache') };
    const error = await findTemporalCli(readToolPaths(env)).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(error).toMatch(/no `go` on PATH/);
    expect(error).toMatch(/go\.dev/);
    expect(error).toMatch(/TEMPORAL_CLI_PATH/);
    expect(error).toMatch(/TestWorkflowEnvironment\.createLocal/);
  });
});

describe('plannedPackages', () => {
  it('counts the packages go install -n would compile, not its import config or command lines', () => {
    const plan = [
      'go: downloading github.com/spf13/cobra v1.8.1',
      '# internal/goarch',
      'mkdir -p $WORK/b042/',
      "cat >$WORK/b042/importcfg << 'EOF' # internal",
      '# import config',
      'EOF',
      '# github.com/temporalio/cli/cmd/temporal',
      'cd /root/go/pkg/mod/github.com/temporalio/cli@v1.5.1/cmd/temporal',
      '',
    ].join('\n');
    expect(plannedPackages(plan)).toBe(2);
    expect(plannedPackages('mkdir -p $WORK/b001/\n# import config\n')).toBe(0);
  });
});

describe('goMinorVersion', () => {
  it('reads the minor version of release and pre-release Go versions', () => {
    expect(goMinorVersion('go1.22.3')).toBe(22);
    expect(goMinorVersion('go1.26rc1\n')).toBe(26);
    expect(goMinorVersion('devel +abc')).toBeUndefined();
  });
});
