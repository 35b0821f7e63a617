// `fanfare gbdt train|predict key=value ...`: LightGBM's CLI tasks over our tree engine, with its parameter names.
// Each task's module loads only when it runs.
import { defineCommand, defineGroup, keyValueArgs, type Syntax } from './args.ts';
import type { Command } from './command.ts';

const TRAIN = {
  command: 'gbdt train',
  summary: "train a model as LightGBM's CLI does (task=train), writing LightGBM's model text format",
  operands: ['key=value', '...'],
  notes: [
    [
      "Parameters are LightGBM's, aliases included; an argument beats config=FILE, and within one the first wins:",
      '  config=FILE           a LightGBM config file of "key = value" lines, # comments',
      '  data=FILE             training data, TSV or CSV, label in the first column (label_column=N, header=true)',
      '  valid=FILE[,FILE]     validation sets: metrics each iteration, early_stopping_round=N',
      '  output_model=FILE     where the model goes (default LightGBM_model.txt)',
      '  objective=NAME        binary, regression (default) or lambdarank',
      '  num_iterations=N      boosting rounds (default 100); also learning_rate, num_leaves, min_data_in_leaf,',
      '                        max_bin, feature_fraction, bagging_fraction, bagging_freq, lambda_l1, lambda_l2, seed',
      '  metric=NAME[,NAME]    auc, binary_logloss, binary_error, l2, rmse, l1, ndcg',
      'A parameter this trainer does not support is refused, naming it. Progress goes to stderr.',
    ].join('\n'),
    'example: fanfare gbdt train config=train.conf num_leaves=15 output_model=model.txt',
  ],
} satisfies Syntax;

const PREDICT = {
  command: 'gbdt predict',
  summary: "apply a LightGBM text model to a data file as LightGBM's CLI does (task=predict)",
  operands: ['key=value', '...'],
  notes: [
    [
      "Parameters are LightGBM's, aliases included; an argument beats config=FILE, and within one the first wins:",
      '  input_model=FILE              the model (required)',
      '  data=FILE                     rows to predict, TSV or CSV (required; header=true matches columns by name)',
      '  output_result=FILE            where the predictions go (default LightGBM_predict_result.txt)',
      '  predict_raw_score=true        raw scores instead of transformed ones',
      '  predict_contrib=true          SHAP contributions: per class, a column per feature and the expected value',
      '  predict_leaf_index=true       the leaf of every tree',
      '  start_iteration_predict=N, num_iteration_predict=N   use only these iterations',
      "  predict_disable_shape_check=true   predict a file whose column count differs from the model's",
    ].join('\n'),
    'example: fanfare gbdt predict input_model=model.txt data=test.tsv output_result=scores.tsv',
  ],
} satisfies Syntax;

const train = defineCommand(TRAIN, async (args) => (await import('./gbdt-train.ts')).run(keyValueArgs(args, TRAIN)));
const predict = defineCommand(PREDICT, async (args) =>
  (await import('./gbdt-predict.ts')).run(keyValueArgs(args, PREDICT)),
);

const group = defineGroup(
  {
    command: 'gbdt',
    summary: 'train or apply a LightGBM-compatible tree model',
    notes: ['LightGBM\'s own style, "fanfare gbdt task=predict key=value ...", works too.'],
  },
  { train, predict },
);

export const command: Command = {
  ...group,
  run(args) {
    // LightGBM's style names the task among the parameters: task=predict input_model=...
    const named = args.find((a) => a.startsWith('task='))?.slice('task='.length);
    const [first] = args;
    const picked = first !== undefined && Object.hasOwn(group.subcommands ?? {}, first);
    return group.run(!picked && named !== undefined ? [named, ...args] : args);
  },
};
