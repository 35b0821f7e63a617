// Tests reading a stored world spec: a spec stored before a field existed is the world it was seeded as, field neutral.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, parseWorldSpec } from './spec.ts';
import { generateWorld } from './world.ts';
import { storedWorldSpec } from './world-setting.ts';

describe('storedWorldSpec', () => {
  it('reads a spec stored whole as it was stored', () => {
    const spec = parseWorldSpec({ seed: 9, fans: { count: 50 }, affinity: { fanShare: 0.2, creatorShare: 0.1 } });
    expect(storedWorldSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('reads a spec stored before the affinity split as independent memberships, the world that was seeded', () => {
    const { fanShare: _f, creatorShare: _c, ...before } = DEFAULT_SPEC.affinity;
    const stored = JSON.parse(
      JSON.stringify({ ...DEFAULT_SPEC, fans: { ...DEFAULT_SPEC.fans, count: 200 }, affinity: before }),
    );
    const spec = storedWorldSpec(stored);
    expect(spec.affinity).toEqual({ ...before, fanShare: 0, creatorShare: 0 });
    const world = generateWorld(spec);
    expect(world.fans.affinityEffect.every((x) => x === 0)).toBe(true);
    expect(world.creators.affinityEffect.every((x) => x === 0)).toBe(true);
  });

  it('reads a spec stored before opens followed the fan rhythm as the world without it', () => {
    const { awayWaitsForPeak: _a, ...before } = DEFAULT_SPEC.response;
    const stored = JSON.parse(JSON.stringify({ ...DEFAULT_SPEC, response: before }));
    expect(storedWorldSpec(stored).response).toEqual({ ...before, awayWaitsForPeak: 0 });
  });
});
