// `fanfare gbdt train key=value…`: LightGBM's CLI training task over our trainer, with a bar counting iterations.
import { writeFileSync } from 'node:fs';
import { trainModel } from '../models/gbdt/boosting.ts';
import { type DataFileOptions, loadDataFile } from '../models/gbdt/data-file.ts';
import { modelToText } from '../models/gbdt/model-text-write.ts';
import { loadParams } from '../models/gbdt/params.ts';
import { type Progress, startProgress } from './progress.ts';

/** Runs a training task; returns the process exit code (1 with a one-line message on bad input). */
export async function runTrain(args: string[]): Promise<number> {
  // LightGBM's log lines stay on stdout; while the bar shows they are printed above it.
  let progress: Progress | undefined;
  const info = (line: string) => {
    if (progress) progress.log(`[fanfare] [Info] ${line}`, process.stdout);
    else process.stdout.write(`[fanfare] [Info] ${line}\n`);
  };
  try {
    const p = loadParams(args);
    if (p.task !== 'train') throw new Error(`task must be "train" for fanfare gbdt train, got "${p.task}"`);
    if (p.data === '') throw new Error('missing parameter data=<training data file>');
    const opts: DataFileOptions = {
      header: p.header,
      labelColumn: p.labelColumn || undefined,
      weightColumn: p.weightColumn || undefined,
      groupColumn: p.groupColumn || undefined,
      ignoreColumn: p.ignoreColumn || undefined,
    };
    const t0 = performance.now();
    const train = loadDataFile(p.data, opts);
    const valids = p.valid.map((path) => loadDataFile(path, opts));
    info(`Finished loading data in ${((performance.now() - t0) / 1000).toFixed(6)} seconds`);

    const result = trainModel(train, valids, p, {
      log: info,
      onIteration: (iteration, total) => {
        progress ??= startProgress({ label: 'gbdt train', unit: 'iterations', total });
        progress.update(iteration);
      },
    });
    progress?.stop();
    progress = undefined;
    writeFileSync(p.outputModel, modelToText(result.model));
    info(`Binning took ${(result.binningMs / 1000).toFixed(3)} s, boosting ${(result.trainingMs / 1000).toFixed(3)} s`);
    info(`Finished training; ${result.model.trees.length} trees saved to ${p.outputModel}`);
    return 0;
  } catch (err) {
    progress?.stop();
    process.stderr.write(`fanfare gbdt train: ${(err as Error).message}\n`);
    return 1;
  }
}

/** The name cli/gbdt.ts dispatches to. */
export const run = runTrain;
