// `fanfare temporal-cli`: makes sure the temporal CLI exists (building it into the cache if needed) and prints its path.
import type { Command } from './command.ts';
import { findTemporalCli } from '../dev/temporal-cli.ts';

export const command: Command = {
  summary: 'print the temporal CLI path, building it into the cache first if needed',
  async run(args) {
    if (args.length > 0) throw new Error(`temporal-cli takes no arguments, got "${args.join(' ')}"`);
    process.stdout.write(`${await findTemporalCli()}\n`);
  },
};
