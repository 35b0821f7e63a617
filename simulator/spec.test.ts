// Tests the world spec: defaults fill gaps, and every bad field is reported by name with its rule.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, loadWorldSpec, parseWorldSpec, WorldSpecError } from './spec.ts';

function issuesOf(input: unknown): string[] {
  try {
    parseWorldSpec(input);
  } catch (err) {
    if (err instanceof WorldSpecError) return err.issues;
    throw err;
  }
  return [];
}

describe('parseWorldSpec', () => {
  it('returns the defaults for an empty spec, and the defaults are valid', () => {
    expect(parseWorldSpec({})).toEqual(DEFAULT_SPEC);
    expect(DEFAULT_SPEC.fans.count).toBe(50_000);
    expect(DEFAULT_SPEC.creators.count).toBe(200);
  });

  it('merges nested fields and keeps the other defaults', () => {
    const spec = parseWorldSpec({ seed: 7, fans: { count: 100, pushShare: 0.9 } });
    expect(spec.seed).toBe(7);
    expect(spec.fans.count).toBe(100);
    expect(spec.fans.pushShare).toBe(0.9);
    expect(spec.fans.timeZones).toEqual(DEFAULT_SPEC.fans.timeZones);
    expect(spec.creators).toEqual(DEFAULT_SPEC.creators);
  });

  it('names the field and the rule for each problem', () => {
    const issues = issuesOf({
      seed: 'abc',
      fans: { count: -3, pushShare: 1.5, timeZones: [{ zone: 'Mars/Olympus', weight: 1, locale: 'en-US' }] },
      creators: { cont: 5, peakHours: 1 },
      memberships: { tierShares: [0.5, 0.5, 0.5] },
      response: { baseOpenRate: { email: { post: 1, live: 0.2, announcement: 0.1 } } },
    });
    expect(issues).toContain('fans.count: must be a positive integer');
    expect(issues).toContain('fans.pushShare: must be between 0 and 1');
    expect(issues).toContain('fans.timeZones[0].zone: must be an IANA time zone name');
    expect(issues).toContain('creators.cont: unknown field');
    expect(issues).toContain('creators.peakHours: unknown field');
    expect(issues).toContain('memberships.tierShares: shares must sum to 1 (they sum to 1.5)');
    expect(issues).toContain('response.baseOpenRate.email.post: must be strictly between 0 and 1');
    expect(issues).toContain('seed: must be an integer');
  });

  it('rejects hour curves of the wrong length and deadlines out of order', () => {
    const issues = issuesOf({
      fans: { peakHourWeights: [1, 2, 3] },
      creators: { deadlineHours: { post: [48, 24], live: [1, 3], announcement: [72, 72] } },
    });
    expect(issues).toContain('fans.peakHourWeights: must be an array of 24 weights');
    expect(issues).toContain('creators.deadlineHours.post: must be [min, max] hours with 0 < min <= max');
  });

  it('rejects affinity shares that leave the membership a negative share', () => {
    expect(issuesOf({ affinity: { fanShare: 0.7, creatorShare: 0.4 } })).toContain(
      'affinity: fanShare + creatorShare must be at most 1 (the rest is the membership share)',
    );
    expect(issuesOf({ affinity: { fanShare: -0.1 } })).toContain('affinity.fanShare: must be between 0 and 1');
    expect(issuesOf({ affinity: { fanShare: 0.6, creatorShare: 0.4 } })).toEqual([]);
  });

  it('rejects digest hour choices whose shares leave the popular hour a negative share', () => {
    expect(issuesOf({ fans: { digestHourChoice: { peakShare: 0.7, unsetShare: 0.4 } } })).toContain(
      'fans.digestHourChoice: peakShare + unsetShare must be at most 1 (the rest pick a popular hour)',
    );
    expect(issuesOf({ fans: { digestHourChoice: { popularHourWeights: [1], noiseHours: -1 } } })).toEqual([
      'fans.digestHourChoice.popularHourWeights: must be an array of 24 weights',
      'fans.digestHourChoice.noiseHours: must be >= 0',
    ]);
    expect(issuesOf({ fans: { digestHourChoice: { peakShare: 1, unsetShare: 0 } } })).toEqual([]);
  });

  it('rejects a spec that is not an object', () => {
    expect(issuesOf(3)).toEqual(['spec: must be an object']);
  });
});

describe('loadWorldSpec', () => {
  it('reads a JSON file and names the file on a syntax error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-spec-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, JSON.stringify({ fans: { count: 10 } }));
    await writeFile(bad, '{ fans: ');
    expect((await loadWorldSpec(good)).fans.count).toBe(10);
    await expect(loadWorldSpec(bad)).rejects.toThrow(`${bad}: not valid JSON`);
  });
});
