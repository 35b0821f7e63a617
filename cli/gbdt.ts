// `fanfare gbdt <train|predict> key=value ...`: dispatches to the LightGBM-compatible training and prediction tasks.
import type { Command } from './command.ts';

const USAGE = `usage: fanfare gbdt train key=value ...     (LightGBM training parameters, or config=FILE)
       fanfare gbdt predict input_model=FILE data=FILE output_result=FILE [predict_raw_score=true|predict_contrib=true] ...`;

type Task = { run: (args: string[]) => Promise<number | void> };

/** Each task loads lazily, exporting run(args). */
const TASKS: Record<string, () => Promise<Task>> = {
  train: async () => import('./gbdt-train.ts'),
  predict: async () => import('./gbdt-predict.ts'),
};

export const command: Command = {
  summary: 'train or apply a LightGBM-compatible tree model',
  async run(args: string[]): Promise<number | void> {
    const [task, ...rest] = args;
    // LightGBM's own style, task=predict among the arguments, works too.
    const taskArg = args.find((a) => a.startsWith('task='));
    const name = task && TASKS[task] ? task : taskArg ? taskArg.slice('task='.length) : undefined;
    if (!name || !TASKS[name]) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const params = name === task ? rest : args;
    return (await TASKS[name]()).run(params);
  },
};
