// The `fanfare` command: dispatches to a command's module and turns how it ended into output and an exit code.
import { HelpRequested, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { commands } from './commands.ts';

async function overview(): Promise<string> {
  const lines: string[] = [];
  for (const name of Object.keys(commands).sort()) {
    const command = await commands[name]();
    lines.push(`  ${name.padEnd(13)} ${command.summary}`);
  }
  return (
    `usage: fanfare <command> [args]\n\ncommands:\n${lines.join('\n')}\n\n` +
    '"fanfare <command> --help" or "fanfare help <command>" prints a command\'s flags and the environment it reads.\n'
  );
}

/** The command the words name, subcommands included ("policy set"); undefined when there is none. */
async function find(words: string[]): Promise<Command | undefined> {
  const [name, ...rest] = words;
  if (!Object.hasOwn(commands, name)) return undefined;
  let command: Command | undefined = await commands[name]();
  for (const word of rest) {
    const subcommands: Command['subcommands'] = command?.subcommands;
    command = subcommands && Object.hasOwn(subcommands, word) ? subcommands[word] : undefined;
  }
  return command;
}

/**
 * Runs `fanfare <argv>` and returns its exit code: 0 after --help (usage on stdout), 2 for a mistake on the command
 * line (the message and the usage on stderr), 1 for any other error (its message on stderr).
 */
async function execute(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const helpFlag = (arg: string | undefined) => arg === '--help' || arg === '-h';
  if (!name || helpFlag(name) || (name === 'help' && (rest.length === 0 || helpFlag(rest[0])))) {
    process.stdout.write(await overview());
    return 0;
  }
  if (name === 'help') {
    const command = await find(rest);
    if (!command) {
      process.stderr.write(`fanfare help: unknown command "${rest.join(' ')}"\n\n${await overview()}`);
      return 2;
    }
    process.stdout.write(command.usage);
    return 0;
  }
  if (!Object.hasOwn(commands, name)) {
    process.stderr.write(`fanfare: unknown command "${name}"\n\n${await overview()}`);
    return 2;
  }
  const command = await commands[name]();
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(err.usage);
      return 0;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`fanfare ${name}: ${err.message}\n\n${err.usage}`);
      return 2;
    }
    process.stderr.write(`fanfare ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await execute(argv);
}
