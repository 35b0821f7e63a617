// Locates the `temporal` CLI binary (env, PATH, cache) and builds it into the cache with Go when it is nowhere.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { readToolPaths, type ToolPaths } from '../app/config.ts';
import { startProgress } from '../cli/progress.ts';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
// v1.6+ carry a replace directive in go.mod, which `go install pkg@version` refuses.
const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;
const MIN_GO_MINOR = 22;

export function cachedTemporalCliPath(paths: ToolPaths = readToolPaths()): string {
  return join(paths.cacheDir, 'bin', 'temporal');
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string, paths: ToolPaths): Promise<string | undefined> {
  for (const dir of paths.searchPath.split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

/** Finds the CLI without building: TEMPORAL_CLI_PATH, then PATH, then the cache. */
export async function locateTemporalCli(paths: ToolPaths = readToolPaths()): Promise<string | undefined> {
  const explicit = paths.temporalCliPath;
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    throw new Error(
      `TEMPORAL_CLI_PATH must name an executable temporal CLI binary; "${explicit}" is missing or not executable`,
    );
  }
  const found = await onPath('temporal', paths);
  if (found) return found;
  const cached = cachedTemporalCliPath(paths);
  return (await isExecutable(cached)) ? cached : undefined;
}

function installHint(reason: string): string {
  return (
    `${reason}. Install Go >= 1.${MIN_GO_MINOR} (https://go.dev/dl/) ` +
    `so Fanfare can build the temporal CLI ${TEMPORAL_CLI_VERSION} into its cache, ` +
    'or install a temporal CLI binary and set TEMPORAL_CLI_PATH to it. With internet access, ' +
    'the SDK launcher (TestWorkflowEnvironment.createLocal from @temporalio/testing, which downloads the CLI) ' +
    'is an alternative.'
  );
}

interface RunResult {
  code: number;
  stdout: string;
  /** stdout and stderr as they came. */
  output: string;
}

/**
 * Runs a command in this process's environment plus `extraEnv`, through env(1) so nothing is read here to copy; its
 * output is kept, and each whole line of its stderr is told to `onErrorLine`.
 */
function run(command: string, args: string[], extraEnv: string[], onErrorLine?: (line: string) => void) {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn('env', [...extraEnv, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onErrorLine?.(line);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, output }));
  });
}

/** Parses `go1.22.3` / `go1.26rc1` into a minor version, or undefined if unreadable. */
export function goMinorVersion(goVersion: string): number | undefined {
  const match = /^go1\.(\d+)/.exec(goVersion.trim());
  return match ? Number(match[1]) : undefined;
}

/**
 * How many packages `go install -n` plans to compile: it prints a `# <import path>` line before each package's
 * commands, and nothing for one already in the build cache.
 */
export function plannedPackages(planOutput: string): number {
  let count = 0;
  for (const line of planOutput.split('\n')) if (/^# [^\s]+$/.test(line)) count++;
  return count;
}

/** What `goInstall` builds: Go packages at a pinned version, installed into one folder of the cache. */
export interface GoInstall {
  /** The progress bar's label and the messages' name for what is built, e.g. "temporal CLI". */
  label: string;
  /** `module/path/cmd@version`, one or more from the same module version. */
  targets: string[];
  binDir: string;
  /** Why a build is needed at all, for the error when Go is missing or too old. */
  missing: string;
  /** Tells how to do without the build, appended to that error. */
  hint: (reason: string) => string;
}

/**
 * Builds `targets` with `go install` into `binDir` (Go from PATH, at least 1.MIN_GO_MINOR): first the plan (`go
 * install -n`: seconds, after downloading the modules the build needs anyway), whose count of packages to compile is
 * the progress bar's total; then `go install -v`, which names each package it compiles on stderr.
 */
export async function goInstall(paths: ToolPaths, what: GoInstall): Promise<void> {
  const go = await onPath('go', paths);
  if (!go) throw new Error(what.hint(`${what.missing} and no \`go\` on PATH to build one`));
  const version = (await run(go, ['env', 'GOVERSION'], [])).stdout.trim();
  const minor = goMinorVersion(version);
  if (minor === undefined || minor < MIN_GO_MINOR) {
    throw new Error(
      what.hint(`${what.missing}, and ${go} reports "${version}", older than go1.${MIN_GO_MINOR} needed to build it`),
    );
  }
  await mkdir(what.binDir, { recursive: true });
  const named = what.targets.join(' ');
  process.stderr.write(
    `fanfare: building ${what.label} (${named}) into ${what.binDir} with ${version} ` +
      '(minutes on a cold Go cache)...\n',
  );
  const started = Date.now();
  const env = ['CGO_ENABLED=0', `GOBIN=${what.binDir}`];
  const target = ['-ldflags=-s -w', ...what.targets];
  const planning = startProgress({ label: `${what.label} build` });
  planning.update(0, 'resolving modules');
  const plan = await run(go, ['install', '-n', ...target], env, (line) => {
    if (line.startsWith('go: downloading ')) planning.update(0, 'downloading modules');
  }).finally(() => planning.stop());
  if (plan.code !== 0) {
    process.stderr.write(plan.output);
    throw new Error(`go install -n ${named} failed with exit code ${plan.code}; see its output above`);
  }
  const total = plannedPackages(plan.output);
  process.stderr.write(`fanfare: ${total} packages to compile (the rest are in the Go build cache)\n`);
  // About a thousand package names: counted, not echoed, unless the build fails.
  const progress = startProgress({ label: `${what.label} build`, unit: 'packages', total: Math.max(total, 1) });
  let packages = 0;
  const { code, output } = await run(go, ['install', '-v', ...target], env, (line) => {
    if (line.trim() !== '' && !line.startsWith('go: ')) progress.update(Math.min(++packages, total), 'compiling');
  }).finally(() => progress.stop());
  if (code !== 0) {
    process.stderr.write(output);
    throw new Error(`go install ${named} failed with exit code ${code}; see its output above`);
  }
  process.stderr.write(
    `fanfare: built ${what.label} in ${what.binDir} in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
}

async function buildTemporalCli(paths: ToolPaths): Promise<string> {
  await goInstall(paths, {
    label: 'temporal CLI',
    targets: [TEMPORAL_CLI_MODULE],
    binDir: join(paths.cacheDir, 'bin'),
    missing: 'No temporal CLI found (TEMPORAL_CLI_PATH unset, none on PATH or in the cache)',
    hint: installHint,
  });
  const built = cachedTemporalCliPath(paths);
  if (!(await isExecutable(built))) throw new Error(`go install ${TEMPORAL_CLI_MODULE} left no ${built}`);
  return built;
}

/** Returns the path of a runnable temporal CLI, building it into the cache if none exists. */
export async function findTemporalCli(paths: ToolPaths = readToolPaths()): Promise<string> {
  return (await locateTemporalCli(paths)) ?? (await buildTemporalCli(paths));
}
