// Tests the binary and regression objectives: loss derivatives as gradients, weights, the weighted mean as start.
import { describe, expect, it } from 'vitest';
import { BinaryObjective } from './binary-objective.ts';
import { RegressionObjective } from './regression-objective.ts';

describe('BinaryObjective', () => {
  it('gives the logloss derivatives at each score', () => {
    const labels = Float32Array.from([1, 0, 1]);
    const obj = new BinaryObjective({ labels }, 1);
    const score = Float64Array.from([0.3, -1.2, 2]);
    const grad = new Float32Array(3);
    const hess = new Float32Array(3);
    obj.gradients(score, grad, hess);
    score.forEach((s, i) => {
      const p = 1 / (1 + Math.exp(-s));
      expect(grad[i]).toBeCloseTo(p - labels[i], 6);
      expect(hess[i]).toBeCloseTo(p * (1 - p), 6);
    });
    expect(obj.modelLine).toBe('binary sigmoid:1');
  });

  it('starts from the weighted log-odds and scales gradients by weight', () => {
    const labels = Float32Array.from([1, 0, 0, 1]);
    const weights = Float32Array.from([3, 1, 1, 1]);
    const obj = new BinaryObjective({ labels, weights }, 1);
    expect(obj.boostFromScore()).toBeCloseTo(Math.log(4 / 2), 12);
    const grad = new Float32Array(4);
    const hess = new Float32Array(4);
    obj.gradients(new Float64Array(4), grad, hess);
    expect(grad[0]).toBeCloseTo(3 * -0.5, 6);
    expect(hess[0]).toBeCloseTo(3 * 0.25, 6);
  });

  it('rejects labels other than 0 and 1, naming the row', () => {
    expect(() => new BinaryObjective({ labels: Float32Array.from([0, 2]) }, 1)).toThrow('row 2 has 2');
  });
});

describe('RegressionObjective', () => {
  it('gives score − label with unit hessians and the weighted mean as start', () => {
    const obj = new RegressionObjective({ labels: Float32Array.from([1, 3]), weights: Float32Array.from([1, 3]) });
    expect(obj.boostFromScore()).toBeCloseTo(2.5, 12);
    const grad = new Float32Array(2);
    const hess = new Float32Array(2);
    obj.gradients(Float64Array.from([2, 2]), grad, hess);
    expect([...grad]).toEqual([1, -3]);
    expect([...hess]).toEqual([1, 3]);
  });
});
