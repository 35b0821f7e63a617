// Walks the command table: every command and subcommand answers --help (exit 0) and an unknown flag (exit 2).
// Through the real bin, with no DATABASE_URL: a command that connected before parsing would fail otherwise.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from './command.ts';
import { commands } from './commands.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'fanfare.js');

type Run = { status: number | null; stdout: string; stderr: string };

function fanfare(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    execFile(process.execPath, [BIN, ...args], { env, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** Every entry of the table and, below a group, each of its subcommands: ["policy"], ["policy", "set"], ... */
async function walk(): Promise<string[][]> {
  const out: string[][] = [];
  const visit = (words: string[], command: Command) => {
    out.push(words);
    for (const [name, sub] of Object.entries(command.subcommands ?? {})) visit([...words, name], sub);
  };
  for (const [name, load] of Object.entries(commands)) visit([name], await load());
  return out;
}

const all = await walk();
const named = all.map((words) => [words.join(' '), words] as const);

describe('fanfare <command> --help', () => {
  it('covers every command of the table and the subcommands of each group', () => {
    const expected = ['seed', 'simulate', 'train', 'policy set', 'model promote', 'gbdt train', 'gbdt predict'];
    expect(all.map((w) => w.join(' '))).toEqual(expect.arrayContaining(expected));
  });

  it.concurrent.each(named)('%s --help prints its usage on stdout and exits 0', async (name, words) => {
    const run = await fanfare([...words, '--help']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^usage: fanfare ${name}( |$)`, 'm'));
  });

  it.concurrent.each(named)('%s --no-such-flag exits 2, the message and usage on stderr', async (name, words) => {
    const run = await fanfare([...words, '--no-such-flag']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^fanfare ${words[0]}: unknown argument "--no-such-flag"`));
    expect(run.stderr).toMatch(new RegExp(`^usage: fanfare ${name}( |$)`, 'm'));
  });
});

describe('fanfare help', () => {
  it('lists the commands with --help, help or nothing', async () => {
    for (const args of [['--help'], ['help', '-h']]) {
      const run = await fanfare(args);
      expect(run.status).toBe(0);
      for (const name of Object.keys(commands)) expect(run.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });

  it("prints a command's or a subcommand's usage, the same as its --help", async () => {
    const run = await fanfare(['help', 'policy', 'set']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe((await fanfare(['policy', 'set', '-h'])).stdout);
  });

  it('refuses an unknown command or subcommand with exit 2', async () => {
    const refused = (message: RegExp) => ({ status: 2, stdout: '', stderr: expect.stringMatching(message) });
    expect(await fanfare(['help', 'policy', 'drop'])).toEqual(refused(/^fanfare help: unknown command "policy drop"/));
    expect(await fanfare(['fly'])).toEqual(refused(/^fanfare: unknown command "fly"/));
    expect(await fanfare(['policy', 'drop'])).toEqual(refused(/^fanfare policy: unknown subcommand "drop"/));
    expect(await fanfare(['policy'])).toEqual(refused(/^fanfare policy: needs a subcommand\n\nusage: fanfare policy/));
  });
});
