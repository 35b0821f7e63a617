// `fanfare temporal-cli`: prints the temporal CLI's path, building it into the cache first if it is nowhere.
import { findTemporalCli } from '../dev/temporal-cli.ts';
import { defineCommand, ENV, parseFlags, type Syntax } from './args.ts';

const SYNTAX = {
  command: 'temporal-cli',
  summary: 'print the temporal CLI path, building it into the cache first if needed',
  env: { ...ENV.temporalCli, ...ENV.cache },
  notes: [
    'The build is `go install` of the pinned version, with Go 1.22 or newer from PATH; stderr counts the packages ' +
      "compiled, and shows go's whole output if the build fails.",
  ],
} satisfies Syntax;

export const command = defineCommand(SYNTAX, async (args) => {
  parseFlags(args, SYNTAX);
  process.stdout.write(`${await findTemporalCli()}\n`);
  return 0;
});
