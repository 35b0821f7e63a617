// `fanfare simulate --model`: a registry model (real PostgreSQL) or a LightGBM text file, refused when unknown.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertCandidateModel } from '../db/models.ts';
import { NUM_FEATURES } from '../models/features.ts';
import { trainReplayModel } from '../replay/model.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { useTestSchema } from '../testing/db.ts';
import { loadReplayModel, parseSimulateArgs } from './simulate.ts';

const DAY = 86_400_000;

describe('fanfare simulate --model', () => {
  const world = generateWorld(parseWorldSpec({ seed: 9, fans: { count: 200 }, creators: { count: 6 } }));
  const trained = trainReplayModel(world, world.startMs, world.startMs + 5 * DAY, { params: ['num_iterations=10'] });
  const rows = new Float64Array(3 * NUM_FEATURES).map((_, i) => (i % 7) / 10);
  const db = useTestSchema('simulate_model');

  it('reads a registry version, scoring as the model it stores', async () => {
    const now = new Date();
    const version = await insertCandidateModel(db().pool, {
      params: {},
      metrics: {},
      oracleMetrics: null,
      trainFrom: now,
      trainTo: now,
      modelText: trained.text,
    });
    const model = await loadReplayModel(String(version), () => db().connectionString);
    expect(model.version).toBe(version);
    expect([...model.predict(rows)]).toEqual([...trained.model.predict(rows)]);
    await expect(loadReplayModel('987654', () => db().connectionString)).rejects.toThrow(
      /^--model: no model version 987654 in the registry/,
    );
  });

  it('reads a LightGBM text file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'fanfare-model-')), 'model.txt');
    await writeFile(file, trained.text);
    expect([...(await loadReplayModel(file)).predict(rows)]).toEqual([...trained.model.predict(rows)]);
  });
});

describe('parseSimulateArgs', () => {
  it('reads the command line, naming the flag and the rule', () => {
    expect(parseSimulateArgs(['--policy', 'p.json', '--days', '14'])).toMatchObject({
      policy: 'p.json',
      world: null,
      days: 14,
      fans: null,
      scores: 'model',
      model: null,
      trainDays: 14,
      seeds: 1,
    });
    expect(parseSimulateArgs(['--scores', 'oracle'])).toMatchObject({ scores: 'oracle' });
    expect(() => parseSimulateArgs(['--scores', 'best'])).toThrow(/^--scores: must be "model" or "oracle"/);
    expect(() => parseSimulateArgs(['--scores', 'oracle', '--model', '3'])).toThrow(
      /^--model: cannot be combined with --scores oracle/,
    );
    expect(() => parseSimulateArgs(['--days', '0'])).toThrow(/^--days: must be an integer from 1 to 60/);
    expect(() => parseSimulateArgs(['--speed', '2'])).toThrow(/^unknown argument "--speed"/);
    expect(parseSimulateArgs([]).seeds).toBe(1);
    expect(parseSimulateArgs(['--seeds', '5']).seeds).toBe(5);
    expect(() => parseSimulateArgs(['--seeds', '21'])).toThrow(/^--seeds: must be an integer from 1 to 20/);
  });
});
