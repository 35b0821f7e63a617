// Tests the shared command-line conventions: usage text, strict flags, key=value arguments, subcommands.
import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  defineGroup,
  HelpRequested,
  keyValueArgs,
  parseFlags,
  type Syntax,
  UsageError,
  usage,
} from './args.ts';

const SYNTAX = {
  command: 'demo',
  summary: 'a command to test with',
  operands: ['FILE'],
  flags: {
    days: { value: 'N', help: 'days, 1 to 60' },
    fans: { value: 'N', help: 'fans' },
    seed: { value: 'N', help: 'seed' },
    scores: { value: 'model|oracle', help: 'where scores come from' },
    verbose: { help: 'say more' },
  },
  env: { DATABASE_URL: 'PostgreSQL connection string' },
  notes: ['FILE is a file.'],
} satisfies Syntax;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('usage', () => {
  it('names the operands, the flags with their values, --help, the environment and the notes', () => {
    expect(usage(SYNTAX)).toBe(
      [
        'usage: fanfare demo FILE [--days N] [--fans N] [--seed N] [--scores model|oracle] [--verbose]',
        '',
        'a command to test with',
        '',
        'flags:',
        '  --days N               days, 1 to 60',
        '  --fans N               fans',
        '  --seed N               seed',
        '  --scores model|oracle  where scores come from',
        '  --verbose              say more',
        '  -h, --help             print this help',
        '',
        'environment:',
        '  DATABASE_URL  PostgreSQL connection string',
        '',
        'FILE is a file.',
        '',
      ].join('\n'),
    );
  });

  it('writes [flags] when the flags do not fit on the usage line', () => {
    const flags = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`flag-${i}-long`, { value: 'N', help: '' }]));
    expect(usage({ command: 'long', summary: 's', flags })).toMatch(/^usage: fanfare long \[flags\]\n/);
  });
});

describe('parseFlags', () => {
  it('reads values, switches and operands', () => {
    const line = parseFlags(['f.json', '--days', '3', '--verbose', '--seed=-2', '--scores', 'oracle'], SYNTAX);
    expect(line.operands).toEqual(['f.json']);
    expect(line.integer('days', { min: 1, max: 60 })).toBe(3);
    expect(line.integer('fans', { min: 1 })).toBeUndefined();
    expect(line.integer('seed')).toBe(-2);
    expect(line.oneOf('scores', ['model', 'oracle'])).toBe('oracle');
    expect(line.switch('verbose')).toBe(true);
  });

  it('answers --help or -h anywhere before "--", even beside a mistake, with the usage', () => {
    for (const args of [['--help'], ['f', '-h'], ['--bogus', '--help']]) {
      const err = thrown(() => parseFlags(args, SYNTAX));
      expect(err).toBeInstanceOf(HelpRequested);
      expect((err as HelpRequested).usage).toBe(usage(SYNTAX));
    }
  });

  it('refuses a mistake with a message naming the flag and the rule, carrying the usage', () => {
    const cases: [string[], string][] = [
      [['f', '--speed', '2'], 'unknown argument "--speed"'],
      [['f', '-x'], 'unknown argument "-x"'],
      [['f', '--days'], '--days: needs a value'],
      [['f', '--days', '--verbose'], '--days: needs a value (one that starts with "-" is written --days=VALUE)'],
      [['f', '--days='], '--days: needs a value'],
      [['f', '--verbose=yes'], '--verbose: takes no value'],
      [[], 'needs FILE'],
      [['f', 'g'], 'unexpected argument "g"'],
    ];
    for (const [args, message] of cases) {
      const err = thrown(() => parseFlags(args, SYNTAX));
      expect(err).toBeInstanceOf(UsageError);
      expect(err).toMatchObject({ message, usage: usage(SYNTAX) });
    }
  });

  it('checks integers and choices against their rule', () => {
    const read = (args: string[], check: (line: ReturnType<typeof parseFlags<typeof SYNTAX>>) => unknown) =>
      thrown(() => check(parseFlags(['f', ...args], SYNTAX))) as UsageError;
    expect(read(['--days', '0'], (l) => l.integer('days', { min: 1, max: 60 })).message).toBe(
      '--days: must be an integer from 1 to 60, got "0"',
    );
    expect(read(['--fans', '2.5'], (l) => l.integer('fans', { min: 1 })).message).toBe(
      '--fans: must be a positive integer, got "2.5"',
    );
    expect(read(['--fans', '1'], (l) => l.integer('fans', { min: 2 })).message).toBe(
      '--fans: must be an integer of at least 2, got "1"',
    );
    expect(read(['--seed', 'x'], (l) => l.integer('seed')).message).toBe('--seed: must be an integer, got "x"');
    expect(read(['--scores', 'best'], (l) => l.oneOf('scores', ['model', 'oracle'])).message).toBe(
      '--scores: must be "model" or "oracle", got "best"',
    );
    expect(read(['--scores', 'c'], (l) => l.oneOf('scores', ['a', 'b', 'd'])).message).toBe(
      '--scores: must be one of "a", "b", "d", got "c"',
    );
  });
});

describe('keyValueArgs', () => {
  it('passes key=value arguments through, answers --help and refuses other flags', () => {
    expect(keyValueArgs(['data=x.tsv', 'num_leaves=4'], SYNTAX)).toEqual(['data=x.tsv', 'num_leaves=4']);
    expect(thrown(() => keyValueArgs(['data=x', '-h'], SYNTAX))).toBeInstanceOf(HelpRequested);
    expect(thrown(() => keyValueArgs(['--data=x'], SYNTAX))).toMatchObject({
      message: 'unknown argument "--data=x"; parameters are written key=value',
    });
  });
});

describe('defineGroup', () => {
  const ran: string[][] = [];
  const leaf = defineCommand({ command: 'group leaf', summary: 'a leaf' }, async (args) => {
    ran.push(args);
    return 0;
  });
  const group = defineGroup({ command: 'group', summary: 'a group' }, { leaf });

  it('runs the subcommand named first with the rest, and lists the subcommands in its usage', async () => {
    await group.run(['leaf', 'a']);
    expect(ran).toEqual([['a']]);
    expect(group.subcommands).toEqual({ leaf });
    const listed = /^usage: fanfare group <leaf> \[args\]\n\na group\n\nsubcommands:\n {2}leaf {2}a leaf\n/;
    expect(group.usage).toMatch(listed);
  });

  it('answers --help, and refuses no subcommand, an unknown one or a flag, with its usage', async () => {
    await expect(group.run(['--help'])).rejects.toBeInstanceOf(HelpRequested);
    await expect(group.run([])).rejects.toMatchObject({ message: 'needs a subcommand', usage: group.usage });
    await expect(group.run(['fly'])).rejects.toMatchObject({ message: 'unknown subcommand "fly"' });
    await expect(group.run(['--fly'])).rejects.toMatchObject({ message: 'unknown argument "--fly"' });
  });
});
