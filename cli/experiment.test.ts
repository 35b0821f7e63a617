// Tests `fanfare experiment`'s arm spec parser and its text results.
import { describe, expect, it } from 'vitest';
import type { ExperimentResultsAnswer } from '../wire/experiments.ts';
import { formatResults, parseArmSpec } from './experiment.ts';

const fail = (message: string): never => {
  throw new Error(message);
};

describe('parseArmSpec', () => {
  it('reads name=PERCENT with policy, model and holdout options', () => {
    expect(parseArmSpec('control=20, tight=20:policy=4:model=2,held=5.5:holdout', fail)).toEqual([
      { name: 'control', allocation: 20 },
      { name: 'tight', allocation: 20, capPolicyVersion: 4, modelVersion: 2 },
      { name: 'held', allocation: 5.5, holdout: true },
    ]);
  });
  it('names the arm and the option it cannot read', () => {
    expect(() => parseArmSpec('control', fail)).toThrow('--arms: arm 1 must read name=PERCENT, got "control"');
    expect(() => parseArmSpec('a=1,b=2:cap=3', fail)).toThrow(
      '--arms: arm "b" has "cap=3"; options are policy=V, model=V and holdout',
    );
  });
});

describe('formatResults', () => {
  it('prints one table per metric with the difference to the control and its interval', () => {
    const metric = (mean: number, d: number | null) => ({
      mean,
      difference: d === null ? null : { estimate: d, low: d - 0.1, high: d + 0.1 },
      relative: d === null ? null : { estimate: d / 2, low: null, high: null },
    });
    const arm = (name: string, kind: 'control' | 'variant', d: number | null) => ({
      arm: name,
      kind,
      fans: 10,
      metrics: {
        alerts: metric(2, d),
        alertOpens: metric(1, d),
        digestOpens: metric(0, d),
        clicks: metric(0.5, d),
        unsubscribes: metric(0, d),
      },
    });
    const r: ExperimentResultsAnswer = {
      experimentId: 3,
      name: 'tight',
      control: 'control',
      from: '2026-05-01T00:00:00.000Z',
      to: '2026-05-08T00:00:00.000Z',
      arms: [arm('control', 'control', null), arm('tight', 'variant', -0.5)],
    };
    const text = formatResults(r);
    expect(text).toContain('experiment 3: tight');
    expect(text).toContain('fans: control 10, tight 10');
    const means = ['2.000', '1.000', '0.000', '0.500', '0.000'];
    expect(text.split('\n').filter((l) => l.startsWith('tight '))).toEqual(
      means.map((m) => `tight    ${m}  -0.500 [-0.600, -0.400]  -25.0% [-, -]`),
    );
  });
});
