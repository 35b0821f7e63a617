// What a subcommand is: a one-line summary and a run that returns its exit code.

export type Command = {
  summary: string;
  run: (args: string[]) => Promise<number | void>;
};
