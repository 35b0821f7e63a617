// The world specs of simulator/worlds/ (docs/SIMULATOR.md, "Worlds"): each parses, and they differ in what they assume.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadWorldSpec, type WorldSpec } from './spec.ts';

const DIR = new URL('./worlds/', import.meta.url).pathname;

describe('simulator/worlds', () => {
  it('holds three or more valid specs, differing in affinity split, hours, push share, rates and fatigue', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const specs: WorldSpec[] = [];
    for (const f of files) specs.push(await loadWorldSpec(`${DIR}${f}`));
    const distinct = (pick: (s: WorldSpec) => unknown) => new Set(specs.map((s) => JSON.stringify(pick(s)))).size;
    expect(distinct((s) => [s.affinity.fanShare, s.affinity.creatorShare])).toBe(specs.length);
    expect(distinct((s) => s.response.hourEffect)).toBe(specs.length);
    expect(distinct((s) => s.fans.pushShare)).toBe(specs.length);
    expect(distinct((s) => s.response.baseOpenRate)).toBe(specs.length);
    expect(distinct((s) => s.response.fatiguePerNotification)).toBe(specs.length);
    expect(distinct((s) => s.fans.timeZones)).toBe(specs.length);
  });
});
