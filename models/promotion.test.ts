// Tests the promotion gate's verdicts and that each reason names the numbers behind it.
import { describe, expect, it } from 'vitest';
import { promotionVerdict } from './promotion.ts';

describe('promotionVerdict', () => {
  const candidate = { version: 5, auc: 0.8, logloss: 0.3 };
  it('promotes the first model that beats the base rate', () => {
    expect(promotionVerdict({ candidate, active: null, constantLogloss: 0.38 })).toEqual({
      promote: true,
      reason: "no active model; holdout logloss 0.3000 beats the base rate's 0.3800 (AUC 0.8000)",
    });
  });
  it('rejects a model that knows no more than the base rate, even with nothing active', () => {
    const v = promotionVerdict({
      candidate: { ...candidate, logloss: 0.381, auc: 0.5 },
      active: null,
      constantLogloss: 0.38,
    });
    expect(v.promote).toBe(false);
    expect(v.reason).toContain('no better than predicting the base rate');
  });
  it('promotes only a candidate with lower holdout logloss than the active model', () => {
    expect(
      promotionVerdict({ candidate, active: { version: 4, auc: 0.79, logloss: 0.31 }, constantLogloss: 0.38 }).promote,
    ).toBe(true);
    const worse = promotionVerdict({
      candidate,
      active: { version: 4, auc: 0.81, logloss: 0.29 },
      constantLogloss: 0.38,
    });
    expect(worse).toEqual({
      promote: false,
      reason: "holdout logloss 0.3000 does not beat active model 4's 0.2900 (AUC 0.8000 vs 0.8100)",
    });
  });
  it('replaces an active model that cannot read today’s features', () => {
    const v = promotionVerdict({
      candidate,
      active: { version: 2, auc: null, logloss: null, note: 'other features' },
      constantLogloss: 0.38,
    });
    expect(v).toMatchObject({ promote: true });
    expect(v.reason).toContain('active model 2 cannot score this holdout (other features)');
  });
});
