// What a command is: a one-line summary, the usage --help prints, and a run that returns its exit code.

export type Command = {
  summary: string;
  /** The text of `fanfare <command> --help`: a "usage:" line, the flags and the environment variables read. */
  usage: string;
  /** The subcommands of a group such as `fanfare policy`, each with its own usage; run dispatches to them. */
  subcommands?: Readonly<Record<string, Command>>;
  run: (args: string[]) => Promise<number>;
};
