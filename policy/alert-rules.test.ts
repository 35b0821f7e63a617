import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES, evaluateAlertRules, type MonitorFigures, validateAlertRules } from './alert-rules.ts';

/** Figures of a quiet day: calibrated deciles, low rates, an empty backlog. */
function quietDay(): MonitorFigures {
  return {
    calibration: {
      sends: 1000,
      deciles: Array.from({ length: 10 }, (_, i) => ({
        decile: i + 1,
        count: 100,
        meanPredicted: 0.5 - i * 0.04,
        observedRate: 0.5 - i * 0.04 + 0.01,
      })),
    },
    featureDrift: { sends: 1000, features: [{ feature: 'fan_open_rate_email', psi: 0.02 }] },
    unsubscribes: { events: 2, sends: 1000, baselineEvents: 14, baselineSends: 7000 },
    bounces: { events: 3, sends: 1000, baselineEvents: 20, baselineSends: 7000 },
    deliveries: { failed: 5, settled: 1000 },
    backlogOldestAgeSeconds: 12,
  };
}

const status = (f: MonitorFigures) =>
  Object.fromEntries(evaluateAlertRules(DEFAULT_ALERT_RULES, f).map((x) => [x.rule, x.status]));

describe('evaluateAlertRules', () => {
  it('finds nothing wrong on a quiet day', () => {
    expect(status(quietDay())).toEqual({
      calibration: 'ok',
      featureDrift: 'ok',
      unsubscribeSpike: 'ok',
      bounceSpike: 'ok',
      deliveryFailure: 'ok',
      backlogAge: 'ok',
    });
  });

  it('fires calibration on the worst decile past the gap, and names it', () => {
    const f = quietDay();
    f.calibration.deciles[2].observedRate = 0.05;
    const finding = evaluateAlertRules(DEFAULT_ALERT_RULES, f).find((x) => x.rule === 'calibration')!;
    expect(finding.status).toBe('firing');
    expect(finding.value).toBeCloseTo(0.42 - 0.05);
    expect(finding.message).toContain('decile 3');
    // A decile with too few sends to mean anything is not judged.
    f.calibration.deciles[2].count = 10;
    expect(status(f).calibration).toBe('ok');
  });

  it('fires a spike above the level, or above the ratio to the week before, but never on a handful', () => {
    const f = quietDay();
    f.unsubscribes = { events: 8, sends: 1000, baselineEvents: 7, baselineSends: 7000 };
    // 0.8% is above the 0.5% level.
    expect(status(f).unsubscribeSpike).toBe('firing');
    // 0.4% is under the level and 4x the week's 0.1%, but four unsubscribes are fewer than minEvents; eight are not.
    f.unsubscribes = { events: 4, sends: 1000, baselineEvents: 7, baselineSends: 7000 };
    expect(status(f).unsubscribeSpike).toBe('ok');
    f.unsubscribes = { events: 8, sends: 2000, baselineEvents: 7, baselineSends: 7000 };
    const byRatio = evaluateAlertRules(DEFAULT_ALERT_RULES, f).find((x) => x.rule === 'unsubscribeSpike')!;
    expect(byRatio.status).toBe('firing');
    expect(byRatio.threshold).toBeCloseTo(0.003);
    // Four unsubscribes out of 300 is 1.3%, but four is under minEvents.
    f.unsubscribes = { events: 4, sends: 300, baselineEvents: 0, baselineSends: 0 };
    expect(status(f).unsubscribeSpike).toBe('ok');
    f.unsubscribes = { events: 40, sends: 100, baselineEvents: 0, baselineSends: 0 };
    expect(status(f).unsubscribeSpike).toBe('unknown');
  });

  it('fires on delivery failures, backlog age and drift past their thresholds', () => {
    const f = quietDay();
    f.deliveries = { failed: 60, settled: 1000 };
    f.backlogOldestAgeSeconds = 301;
    f.featureDrift = {
      sends: 1000,
      features: [
        { feature: 'local_hour', psi: 0.4 },
        { feature: 'kind', psi: 0.1 },
      ],
    };
    expect(status(f)).toMatchObject({ deliveryFailure: 'firing', backlogAge: 'firing', featureDrift: 'firing' });
    f.backlogOldestAgeSeconds = null;
    f.featureDrift = null;
    expect(status(f)).toMatchObject({ backlogAge: 'unknown', featureDrift: 'unknown' });
  });
});

describe('validateAlertRules', () => {
  it('accepts the defaults', () => {
    expect(validateAlertRules(structuredClone(DEFAULT_ALERT_RULES)).ok).toBe(true);
  });

  it('names each bad field and the rule it broke', () => {
    const doc = structuredClone(DEFAULT_ALERT_RULES) as unknown as Record<string, Record<string, unknown>>;
    doc.calibration.maxGap = 2;
    doc.unsubscribeSpike.minEvents = 0.5;
    doc.backlogAge.extra = 1;
    delete (doc as Record<string, unknown>).bounceSpike;
    const result = validateAlertRules(doc);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { field: 'calibration.maxGap', rule: 'must be a number from 0 to 1' },
      { field: 'unsubscribeSpike.minEvents', rule: 'must be an integer from 1 to 1000000000' },
      { field: 'bounceSpike', rule: 'must be a JSON object' },
      { field: 'backlogAge.extra', rule: 'is not a known field' },
    ]);
    expect(validateAlertRules([]).ok).toBe(false);
  });
});
