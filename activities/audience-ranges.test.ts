// The range plan: disjoint ranges covering every member once, closed while more plans follow, open at the end.
import { describe, expect, it } from 'vitest';
import { rangePlan } from './audience-ranges.ts';

describe('rangePlan', () => {
  it('leaves the last range open when the audience ends inside the read', () => {
    expect(rangePlan(0, { bounds: [30, 60], members: 7 }, 3, 5)).toEqual({
      ranges: [
        { afterFanId: 0, throughFanId: 30 },
        { afterFanId: 30, throughFanId: 60 },
        { afterFanId: 60, throughFanId: null },
      ],
      nextAfterFanId: null,
    });
  });

  it('opens the last full range rather than adding an empty one', () => {
    expect(rangePlan(5, { bounds: [30, 60], members: 6 }, 3, 5)).toEqual({
      ranges: [
        { afterFanId: 5, throughFanId: 30 },
        { afterFanId: 30, throughFanId: null },
      ],
      nextAfterFanId: null,
    });
  });

  it('closes every range of a full read and says where the next plan starts', () => {
    expect(rangePlan(0, { bounds: [3, 6], members: 6 }, 3, 2)).toEqual({
      ranges: [
        { afterFanId: 0, throughFanId: 3 },
        { afterFanId: 3, throughFanId: 6 },
      ],
      nextAfterFanId: 6,
    });
  });

  it('plans nothing past the end, and one open range for a short audience', () => {
    expect(rangePlan(9, { bounds: [], members: 0 }, 3, 2)).toEqual({ ranges: [], nextAfterFanId: null });
    expect(rangePlan(0, { bounds: [], members: 2 }, 3, 2)).toEqual({
      ranges: [{ afterFanId: 0, throughFanId: null }],
      nextAfterFanId: null,
    });
  });
});
