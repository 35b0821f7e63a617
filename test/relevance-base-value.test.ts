// The relevance model's base value: with every feature's contribution it adds up to the score's log-odds.
import { describe, expect, it } from 'vitest';
import { NUM_FEATURES } from '../models/features.ts';
import { loadRelevanceModel } from '../models/relevance-model.ts';
import { trainReplayModel } from '../replay/model.ts';
import { parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';

const DAY = 86_400_000;

describe('RelevanceModel.baseLogOdds', () => {
  it('is the log-odds every row starts from: base plus all contributions is the logit of the score', () => {
    const world = generateWorld(parseWorldSpec({ seed: 5, fans: { count: 200 }, creators: { count: 6 } }));
    const trained = trainReplayModel(world, world.startMs, world.startMs + 5 * DAY, { params: ['num_iterations=20'] });
    const model = loadRelevanceModel(1, trained.text);
    if ('incompatible' in model) throw new Error(model.incompatible);
    const rows = new Float64Array(4 * NUM_FEATURES).map((_, i) => ((i * 7) % 11) / 10);
    const scores = model.predict(rows);
    const base = model.baseLogOdds();
    expect(Number.isFinite(base)).toBe(true);
    expect(model.baseLogOdds()).toBe(base);
    for (let r = 0; r < 4; r++) {
      const sum = model.topContributions(rows, r, NUM_FEATURES).reduce((s, c) => s + c.contribution, 0);
      expect(base + sum).toBeCloseTo(Math.log(scores[r] / (1 - scores[r])), 6);
    }
    // Different rows move away from the same base by different amounts.
    expect(scores[0]).not.toBeCloseTo(scores[1], 9);
  });
});
