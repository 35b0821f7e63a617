// Tests lambdarank: DCG helpers, and gradients pushing relevant documents up and irrelevant ones down within a query.
import { describe, expect, it } from 'vitest';
import { discount, LambdarankObjective, maxDcgAtK } from './lambdarank.ts';

const params = {
  sigmoid: 1,
  lambdarankNorm: true,
  lambdarankTruncationLevel: 30,
  labelGain: Array.from({ length: 31 }, (_, i) => 2 ** i - 1),
};

describe('lambdarank', () => {
  it('computes the ideal DCG at k from the labels', () => {
    expect(maxDcgAtK(2, [0, 2, 1], 0, 3, params.labelGain)).toBeCloseTo(3 * discount(0) + 1 * discount(1), 12);
    expect(discount(0)).toBe(1);
  });

  it('gives negative gradients to relevant documents and positive ones to irrelevant ones, per query', () => {
    const labels = Float32Array.from([0, 2, 1, 0, 1]);
    const obj = new LambdarankObjective({ labels, groups: Int32Array.from([3, 2]) }, params);
    const grad = new Float32Array(5);
    const hess = new Float32Array(5);
    obj.gradients(new Float64Array(5), grad, hess);
    expect(grad[1]).toBeLessThan(0);
    expect(grad[0]).toBeGreaterThan(0);
    expect(grad[4]).toBeLessThan(0);
    expect(grad[3]).toBeGreaterThan(0);
    expect(grad[0] + grad[1] + grad[2]).toBeCloseTo(0, 6);
    hess.forEach((h) => {
      expect(h).toBeGreaterThan(0);
    });
    expect(obj.boostFromScore()).toBe(0);
  });

  it('needs query groups and integer labels within label_gain', () => {
    expect(() => new LambdarankObjective({ labels: Float32Array.from([1]) }, params)).toThrow('needs query groups');
    expect(
      () => new LambdarankObjective({ labels: Float32Array.from([0.5]), groups: Int32Array.from([1]) }, params),
    ).toThrow('row 1 has 0.5');
  });
});
