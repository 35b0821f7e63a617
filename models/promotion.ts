// The promotion gate: a candidate replaces the active model only if it beats it and the base rate on the same holdout.
export interface GateInput {
  candidate: { version: number; auc: number; logloss: number };
  /** The active model when training started, scored on the candidate's holdout; null when none was active. */
  active: { version: number; auc: number | null; logloss: number | null; note?: string | null } | null;
  /** Logloss of predicting the holdout's base rate everywhere: a model must know more than that. */
  constantLogloss: number;
}

export interface GateVerdict {
  promote: boolean;
  reason: string;
}

const f = (x: number) => x.toFixed(4);

/**
 * Logloss decides, because it rewards ranking and calibration together and the scores are used as
 * probabilities; AUC is reported alongside.
 */
export function promotionVerdict(input: GateInput): GateVerdict {
  const { candidate: c, active: a } = input;
  if (!(c.logloss < input.constantLogloss)) {
    const base = f(input.constantLogloss);
    return {
      promote: false,
      reason: `holdout logloss ${f(c.logloss)} is no better than predicting the base rate (${base})`,
    };
  }
  if (a === null) {
    return {
      promote: true,
      reason:
        `no active model; holdout logloss ${f(c.logloss)} beats the base rate's ${f(input.constantLogloss)} ` +
        `(AUC ${f(c.auc)})`,
    };
  }
  if (a.logloss === null) {
    return {
      promote: true,
      reason:
        `active model ${a.version} cannot score this holdout (${a.note ?? 'no metrics'}); ` +
        `holdout logloss ${f(c.logloss)}, AUC ${f(c.auc)}`,
    };
  }
  if (c.logloss < a.logloss) {
    return {
      promote: true,
      reason:
        `holdout logloss ${f(c.logloss)} < active model ${a.version}'s ${f(a.logloss)} ` +
        `(AUC ${f(c.auc)} vs ${f(a.auc ?? NaN)})`,
    };
  }
  return {
    promote: false,
    reason:
      `holdout logloss ${f(c.logloss)} does not beat active model ${a.version}'s ${f(a.logloss)} ` +
      `(AUC ${f(c.auc)} vs ${f(a.auc ?? NaN)})`,
  };
}
