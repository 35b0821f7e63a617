// The command-line conventions every command shares: usage text, strict flags, --help and usage errors.
// Flags are parsed by node:util parseArgs; cli/main.ts turns HelpRequested into exit 0 and UsageError into exit 2.
import { parseArgs } from 'node:util';
import type { Command } from './command.ts';

/** A mistake on the command line: main prints "fanfare <cmd>: <message>" and the usage on stderr, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** --help or -h: main prints the usage on stdout and exits 0. An exception, so that nothing after parsing runs. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor(readonly usage: string) {
    super('help requested');
  }
}

export interface Flag {
  /** The value's placeholder in the usage ("N", "FILE"); a flag without one is a switch. */
  value?: string;
  help: string;
}

export interface Syntax {
  /** The words after "fanfare": "seed", "policy set". */
  command: string;
  summary: string;
  /** Required operands after the command, in order, e.g. ["FILE"]. */
  operands?: readonly string[];
  /** Flags by long name (without the dashes). */
  flags?: Readonly<Record<string, Flag>>;
  /** Environment variables the command reads, with what each is for. */
  env?: Readonly<Record<string, string>>;
  /** Paragraphs after the flags: what the operands mean, examples. */
  notes?: readonly string[];
}

/** The environment variables of the services the commands connect to, described once. */
export const ENV = {
  database: { DATABASE_URL: 'PostgreSQL connection string (required)' },
  temporal: {
    TEMPORAL_ADDRESS: 'Temporal frontend (default 127.0.0.1:7233)',
    TEMPORAL_NAMESPACE: 'Temporal namespace (default "default")',
  },
  links: {
    PUBLIC_URL: 'base of the links in messages (default http://HOST:PORT)',
    TRACKING_KEYS: 'kid:secret,... keys that sign links (default: one generated and kept in PostgreSQL)',
  },
  mail: {
    'SMTP_HOST, SMTP_PORT, SMTP_SECURE': 'outgoing mail server (default 127.0.0.1:2525, no TLS)',
    'SMTP_USER, SMTP_PASS': 'SMTP login',
    'SMTP_MAX_CONNECTIONS, SMTP_RATE_LIMIT': 'SMTP pool size (default 5), messages per second (default unlimited)',
    'MAIL_FROM, MAIL_REPLY_TO, LIST_ID': 'sender addresses and List-Id header',
  },
  push: {
    VAPID_SUBJECT: 'contact in the VAPID token (default mailto:push@fanfare.localhost)',
    PUSH_CA_FILE: 'extra CA for a push service with a private certificate',
    FANFARE_PUSH_HOSTS: 'push services fans may register and the worker calls, host[:port],... (default: "default")',
  },
  cache: { FANFARE_CACHE: 'where built tools and consoles are kept (default ~/.cache/fanfare)' },
  metricsApi: {
    FANFARE_API_METRICS_ADDRESS: "host:port of the API's Prometheus /metrics, or off (default 127.0.0.1:9464)",
  },
  metricsWorker: {
    FANFARE_WORKER_METRICS_ADDRESS: "host:port of the worker's Prometheus /metrics, or off (default 127.0.0.1:9465)",
    FANFARE_TEMPORAL_METRICS_ADDRESS: "host:port of the Temporal SDK's worker metrics, or off (default 127.0.0.1:9466)",
  },
  temporalCli: {
    TEMPORAL_CLI_PATH: 'a temporal CLI binary to use (default: PATH, then the cache)',
    PATH: 'searched for temporal, and for go to build it',
  },
} as const;

/** Two columns: names padded to one width. */
function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return rows.map(([name, text]) => `  ${name.padEnd(width)}${text}`);
}

function flagName(name: string, flag: Flag): string {
  return flag.value ? `--${name} ${flag.value}` : `--${name}`;
}

/** The text --help prints: the synopsis, the summary, the flags, the environment variables read, then the notes. */
export function usage(syntax: Syntax, subcommands?: Readonly<Record<string, Command>>): string {
  const flags = Object.entries(syntax.flags ?? {});
  const operands = (syntax.operands ?? []).map((o) => ` ${o}`).join('');
  let synopsis = `usage: fanfare ${syntax.command}${operands}`;
  if (subcommands) synopsis += ` <${Object.keys(subcommands).join('|')}> [args]`;
  const inline = flags.map(([name, flag]) => ` [${flagName(name, flag)}]`).join('');
  synopsis += synopsis.length + inline.length <= 100 ? inline : flags.length > 0 ? ' [flags]' : '';
  const lines = [synopsis, '', syntax.summary];
  if (subcommands) {
    lines.push('', 'subcommands:', ...table(Object.entries(subcommands).map(([name, c]) => [name, c.summary])));
  }
  if (!subcommands || flags.length > 0) {
    const rows = flags.map(([name, f]): [string, string] => [flagName(name, f), f.help]);
    lines.push('', 'flags:', ...table([...rows, ['-h, --help', 'print this help']]));
  }
  const env = Object.entries(syntax.env ?? {});
  if (env.length > 0) lines.push('', 'environment:', ...table(env));
  for (const note of syntax.notes ?? []) lines.push('', note);
  if (subcommands) lines.push('', `"fanfare ${syntax.command} <subcommand> --help" prints a subcommand's flags.`);
  return `${lines.join('\n')}\n`;
}

type ValueFlags<F> = { [K in keyof F]: F[K] extends { value: string } ? K : never }[keyof F] & string;
type Switches<F> = { [K in keyof F]: F[K] extends { value: string } ? never : K }[keyof F] & string;

/** Parsed arguments, read through checks that name the flag and its rule, failing with the command's usage. */
export class CommandLine<F> {
  constructor(
    private readonly values: Record<string, string | boolean | undefined>,
    /** The operands, as many as the syntax names. */
    readonly operands: string[],
    readonly usage: string,
  ) {}

  /** A mistake in the arguments: exit 2 with the usage. */
  fail(message: string): never {
    throw new UsageError(message, this.usage);
  }

  string(name: ValueFlags<F>): string | undefined {
    return this.values[name] as string | undefined;
  }

  switch(name: Switches<F>): boolean {
    return this.values[name] === true;
  }

  /** An integer in [min, max]; undefined when the flag is absent. */
  integer(name: ValueFlags<F>, range: { min?: number; max?: number } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      const rule =
        range.max !== undefined
          ? `an integer from ${min} to ${max}`
          : min === 1
            ? 'a positive integer'
            : range.min !== undefined
              ? `an integer of at least ${min}`
              : 'an integer';
      this.fail(`--${name}: must be ${rule}, got "${raw}"`);
    }
    return n;
  }

  /** One of a few words; undefined when the flag is absent. */
  oneOf<T extends string>(name: ValueFlags<F>, choices: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined || (choices as readonly string[]).includes(raw)) return raw as T | undefined;
    const quoted = choices.map((c) => `"${c}"`);
    const rule = quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ')}`;
    return this.fail(`--${name}: must be ${rule}, got "${raw}"`);
  }
}

/** True when the arguments ask for help (before any "--" that ends the flags). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** parseArgs' error as our message: the flag first, then what is wrong with it. */
function parseErrorMessage(err: Error & { code?: string }): string {
  const flag = /'(--?[^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown argument "${flag}"`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    if (/does not take an argument/.test(err.message)) return `${flag}: takes no value`;
    if (/ambiguous/.test(err.message)) {
      return `${flag}: needs a value (one that starts with "-" is written ${flag}=VALUE)`;
    }
    return `${flag}: needs a value`;
  }
  return err.message;
}

/**
 * Parses a command's arguments strictly against its syntax: --help throws HelpRequested; an unknown flag, a missing
 * or empty value, or a missing or extra operand throws UsageError.
 */
export function parseFlags<S extends Syntax>(args: readonly string[], syntax: S): CommandLine<NonNullable<S['flags']>> {
  const text = usage(syntax);
  if (asksForHelp(args)) throw new HelpRequested(text);
  const flags = syntax.flags ?? {};
  const type = (flag: Flag) => (flag.value ? ('string' as const) : ('boolean' as const));
  const options = Object.fromEntries(Object.entries(flags).map(([name, flag]) => [name, { type: type(flag) }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(parseErrorMessage(err as Error), text);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`--${name}: needs a value`, text);
  }
  const operands = syntax.operands ?? [];
  const given = parsed.positionals;
  if (given.length < operands.length) throw new UsageError(`needs ${operands.slice(given.length).join(' ')}`, text);
  if (given.length > operands.length) throw new UsageError(`unexpected argument "${given[operands.length]}"`, text);
  return new CommandLine(parsed.values as Record<string, string | boolean | undefined>, given, text);
}

/**
 * LightGBM-style `key=value` arguments, which models/gbdt/params.ts reads: --help asks for help, and any other flag is
 * a usage mistake rather than a parameter.
 */
export function keyValueArgs(args: readonly string[], syntax: Syntax): string[] {
  const text = usage(syntax);
  if (asksForHelp(args)) throw new HelpRequested(text);
  const flag = args.find((a) => a.startsWith('-'));
  if (flag !== undefined) throw new UsageError(`unknown argument "${flag}"; parameters are written key=value`, text);
  return [...args];
}

/** A command with flags: its run parses them first, so --help and mistakes never reach a database. */
export function defineCommand(syntax: Syntax, run: Command['run']): Command {
  return { summary: syntax.summary, usage: usage(syntax), run };
}

/** A command of subcommands (`fanfare policy set FILE`): the first argument picks one, which parses the rest. */
export function defineGroup(syntax: Syntax, subcommands: Readonly<Record<string, Command>>): Command {
  const text = usage(syntax, subcommands);
  return {
    summary: syntax.summary,
    usage: text,
    subcommands,
    async run(args) {
      const [name, ...rest] = args;
      if (name === '--help' || name === '-h') throw new HelpRequested(text);
      if (name === undefined) throw new UsageError('needs a subcommand', text);
      if (name.startsWith('-')) throw new UsageError(`unknown argument "${name}"`, text);
      if (!Object.hasOwn(subcommands, name)) throw new UsageError(`unknown subcommand "${name}"`, text);
      return subcommands[name].run(rest);
    },
  };
}
