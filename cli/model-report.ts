// Text reports for the console: a model's holdout metrics next to the oracle's, and the registry as a table.
import type { ModelSummary } from '../db/models.ts';
import type { HoldoutMetrics } from '../domain/model-registry.ts';

const f4 = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(4) : '—');
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : '—');
const pad = (s: string, n: number) => s.padStart(n);

/** The model and the simulator's true probabilities on the same holdout, side by side. */
export function formatModelReport(model: ModelSummary): string {
  const m = model.metrics as unknown as HoldoutMetrics & {
    window?: Record<string, string>;
    rows?: Record<string, number>;
    active?: { version: number; auc: number | null; logloss: number | null } | null;
    constantLogloss?: number;
  };
  const o = model.oracleMetrics;
  const lines: string[] = [];
  lines.push(`model ${model.version} (${model.status})${model.reason ? `: ${model.reason}` : ''}`);
  if (m.window)
    lines.push(
      `  trained on sends from ${m.window.trainFrom}, holdout ${m.window.holdoutFrom} .. ${m.window.holdoutTo}`,
    );
  if (m.rows)
    lines.push(
      `  rows: ${m.rows.train} train, ${m.rows.validation} early-stopping, ${m.rows.holdout} holdout; ` +
        `holdout open rate ${pct(m.baseRate)}`,
    );
  lines.push('');
  lines.push(`  ${'holdout'.padEnd(20)}${pad('model', 10)}${pad('oracle', 10)}${pad('gap', 10)}`);
  const row = (name: string, a: number | undefined, b: number | undefined) =>
    lines.push(
      `  ${name.padEnd(20)}${pad(f4(a), 10)}${pad(o ? f4(b) : 'n/a', 10)}` +
        `${pad(o && a !== undefined && b !== undefined ? f4(a - b) : '', 10)}`,
    );
  row('AUC', m.auc, o?.auc);
  row('logloss', m.logloss, o?.logloss);
  row('ECE', m.ece, o?.ece);
  if (m.active)
    lines.push(
      `  active model ${m.active.version} on this holdout: AUC ${f4(m.active.auc)}, logloss ${f4(m.active.logloss)}`,
    );
  if (m.constantLogloss !== undefined)
    lines.push(`  predicting the base rate everywhere: logloss ${f4(m.constantLogloss)}`);
  if (!o) lines.push('  (no oracle: this database holds no simulated world)');
  lines.push('');
  lines.push(`  reliability         ${pad('count', 9)}${pad('model', 9)}${pad('observed', 10)}`);
  for (const b of m.reliability ?? []) {
    lines.push(
      `  ${`[${b.from.toFixed(2)}, ${b.to.toFixed(2)})`.padEnd(20)}${pad(String(b.count), 9)}` +
        `${pad(pct(b.meanPredicted), 9)}${pad(pct(b.observedRate), 10)}`,
    );
  }
  lines.push('');
  lines.push(`  lift by decile      ${pad('model', 9)}${pad('oracle', 9)}`);
  (m.liftByDecile ?? []).forEach((d, i) => {
    const od = o?.liftByDecile?.[i];
    lines.push(
      `  ${`decile ${d.decile} (${pct(d.observedRate)})`.padEnd(20)}` +
        `${pad(d.lift.toFixed(2), 9)}${pad(od ? od.lift.toFixed(2) : 'n/a', 9)}`,
    );
  });
  return lines.join('\n');
}

export function formatModelList(models: ModelSummary[]): string {
  if (models.length === 0) return 'no models yet: run "fanfare train"';
  const lines = [
    `${'version'.padEnd(8)}${'status'.padEnd(10)}${pad('AUC', 8)}${pad('oracle', 8)}${pad('ECE', 8)}  ` +
      `${'created'.padEnd(20)}reason`,
  ];
  for (const m of models) {
    const metrics = m.metrics as { auc?: number; ece?: number };
    const oracle = m.oracleMetrics as { auc?: number } | null;
    lines.push(
      `${String(m.version).padEnd(8)}${m.status.padEnd(10)}` +
        `${pad(f4(metrics.auc), 8)}${pad(f4(oracle?.auc), 8)}${pad(f4(metrics.ece), 8)}  ` +
        `${m.createdAt.toISOString().slice(0, 19).padEnd(20)}${m.reason ?? ''}`,
    );
  }
  return lines.join('\n');
}
