// Tests the holdout metrics on hand-checked cases: perfect and constant scores, calibration bins, decile lift.
import { describe, expect, it } from 'vitest';
import { evaluateProbabilities, liftByDecile, logloss, reliability } from './evaluation.ts';

describe('evaluation', () => {
  it('scores a perfect ranking at AUC 1 and a constant one at 0.5', () => {
    const labels = [0, 0, 1, 1];
    expect(evaluateProbabilities([0.1, 0.2, 0.8, 0.9], labels).auc).toBe(1);
    expect(evaluateProbabilities([0.5, 0.5, 0.5, 0.5], labels).auc).toBe(0.5);
  });

  it('computes logloss as the mean negative log likelihood', () => {
    expect(logloss([0.5, 0.5], [0, 1])).toBeCloseTo(Math.log(2), 12);
    expect(logloss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
  });

  it('finds no calibration error when each bin’s rate matches its predictions, and the gap when not', () => {
    const probs = [0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12];
    const calibrated = reliability(probs, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(calibrated.bins).toHaveLength(1);
    expect(calibrated.bins[0]).toMatchObject({ count: 10, observedRate: 0.1 });
    expect(calibrated.ece).toBeCloseTo(0.02, 12);
    expect(reliability(probs, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]).ece).toBeCloseTo(0.38, 12);
  });

  it('puts the highest scores in decile 1 with their lift over the base rate', () => {
    const probs = Array.from({ length: 100 }, (_, i) => i / 100);
    const labels = probs.map((p) => (p >= 0.9 ? 1 : 0));
    const lift = liftByDecile(probs, labels);
    expect(lift[0]).toMatchObject({ decile: 1, count: 10, observedRate: 1, lift: 10 });
    expect(lift[9].observedRate).toBe(0);
  });
});
