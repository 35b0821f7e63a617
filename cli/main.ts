// The `fanfare` command: dispatches a subcommand to its module.
import { commands } from './commands.ts';

async function usage(): Promise<string> {
  const lines: string[] = [];
  for (const name of Object.keys(commands).sort()) {
    const command = await commands[name]();
    lines.push(`  ${name.padEnd(13)} ${command.summary}`);
  }
  return `usage: fanfare <command> [args]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(await usage());
    return;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`fanfare: unknown command "${name}"\n\n${await usage()}`);
    process.exitCode = 2;
    return;
  }
  const command = await load();
  try {
    const code = await command.run(rest);
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    process.stderr.write(`fanfare ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
