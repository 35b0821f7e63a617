// The model page: versions with holdout metrics beside the oracle's, one version's diagnostics, promote and rollback.
import type { ReliabilityBin } from '../../domain/model-registry.ts';
import type { ModelDetail, ModelListAnswer, PromoteAnswer, RollbackAnswer } from '../../wire/models.ts';
import { ApiError, api } from './api.ts';
import { color, draw } from './charts.ts';
import { chartCard, h, int, num, pct, table, when } from './dom.ts';

export async function renderModel(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const { models, rollbackTo } = await api<ModelListAnswer>('GET', '/api/admin/models');
  root.append(h('h1', {}, 'Relevance model'));
  if (models.length === 0) {
    root.append(h('p', { role: 'status' }, 'No model trained yet: run "fanfare train" with a worker running.'));
    return;
  }
  const status = h('div', { id: 'model-status', role: 'status', 'aria-live': 'polite' });
  // Rollback is offered only when the server names a model it would reactivate.
  const rollback =
    rollbackTo === null
      ? h('p', { class: 'muted', id: 'rollback-note' }, 'No rollback: no earlier model was ever active.')
      : h('button', { type: 'button', id: 'rollback' }, `Roll back to version ${rollbackTo}`);
  const chosen = Number(params.get('version')) || (models.find((m) => m.status === 'active') ?? models[0]).version;
  const select = h(
    'select',
    { id: 'model-version' },
    ...models.map((m) =>
      h('option', { value: m.version, selected: m.version === chosen }, `version ${m.version} (${m.status})`),
    ),
  );
  const compare = chartCard('Holdout metrics by version: model and oracle', 'chart-model-versions', true);
  const detail = h('div', { class: 'grid', id: 'model-detail' });

  const act = async (question: string, method: string, path: string) => {
    if (!window.confirm(question)) return;
    try {
      const r = await api<PromoteAnswer | RollbackAnswer>(method, path);
      const done =
        'retired' in r
          ? `Model ${r.retired} retired; model ${r.active} is active again.`
          : `Model ${r.active} is active.`;
      window.location.hash = `#/model?version=${r.active}&done=${encodeURIComponent(done)}`;
    } catch (err) {
      status.className = 'errors';
      status.textContent = err instanceof ApiError ? err.message : String(err);
    }
  };
  if (rollbackTo !== null)
    rollback.addEventListener(
      'click',
      () =>
        void act(
          `Roll back: retire the active model and reactivate version ${rollbackTo}, the one promoted before it?`,
          'POST',
          '/api/admin/models/rollback',
        ),
    );
  select.addEventListener('change', () => (window.location.hash = `#/model?version=${select.value}`));
  if (params.get('done')) {
    status.className = 'ok';
    status.textContent = params.get('done');
  }

  const rows = models.map((m) => {
    const promote = h('button', { type: 'button', 'aria-label': `Promote model ${m.version}` }, 'Promote');
    promote.addEventListener(
      'click',
      () =>
        void act(
          `Promote model ${m.version}? Workers switch to it on their next batch.`,
          'POST',
          `/api/admin/models/${m.version}/promote`,
        ),
    );
    return [
      h('a', { href: `#/model?version=${m.version}` }, String(m.version)),
      h('span', { class: `badge ${m.status}` }, m.status),
      pct(m.metrics.baseRate, 1),
      m.rows ? int(m.rows.holdout) : '—',
      num(m.metrics.auc),
      num(m.oracleMetrics?.auc),
      num(m.metrics.logloss),
      num(m.oracleMetrics?.logloss),
      num(m.metrics.ece),
      num(m.oracleMetrics?.ece),
      when(m.createdAt),
      m.reason ?? '',
      m.status === 'active' ? '' : promote,
    ];
  });
  root.append(
    status,
    h('div', { class: 'grid' }, compare.card),
    h(
      'section',
      { class: 'card wide' },
      table(
        'Versions, newest first: holdout metrics of the model and of the oracle ' +
          "(the simulator's true probabilities) on the same rows",
        [
          'version',
          'status',
          'holdout base rate',
          'holdout rows',
          'AUC',
          'oracle AUC',
          'logloss',
          'oracle logloss',
          'ECE',
          'oracle ECE',
          'trained',
          'reason',
          '',
        ],
        rows,
      ),
    ),
    h('div', { class: 'toolbar' }, rollback, h('label', { for: 'model-version' }, 'Show version'), select),
    detail,
  );
  const ordered = [...models].reverse();
  draw(compare.canvas, {
    type: 'line',
    data: {
      labels: ordered.map((m) => `v${m.version}`),
      datasets: [
        {
          label: 'model AUC',
          data: ordered.map((m) => m.metrics.auc),
          borderColor: color('model'),
          backgroundColor: color('model'),
        },
        {
          label: 'oracle AUC',
          data: ordered.map((m) => m.oracleMetrics?.auc ?? null),
          borderColor: color('oracle'),
          backgroundColor: color('oracle'),
          borderDash: [6, 4],
        },
      ],
    },
    options: { scales: { y: { title: { display: true, text: 'holdout AUC' } } } },
  });

  const m = await api<ModelDetail>('GET', `/api/admin/models/${chosen}`);
  const reliability = chartCard(`Reliability diagram, version ${m.version}`, 'chart-reliability');
  const lift = chartCard(`Lift by score decile, version ${m.version}`, 'chart-lift');
  const importance = chartCard(`Feature importance (splits), version ${m.version}`, 'chart-importance', true);
  const top = m.featureImportance.slice(0, 20);
  // A bar per label: the chart grows with the bars instead of Chart.js skipping every other label.
  (importance.canvas.parentElement as HTMLElement).style.height = `${Math.max(160, 24 * top.length + 60)}px`;
  const day = (iso: string | undefined) => (iso ? when(iso, 'UTC') : '—');
  const training = h(
    'section',
    { class: 'card wide', id: 'model-training' },
    table(
      `Training of version ${m.version} (times in UTC)`,
      ['', 'from', 'to', 'rows'],
      [
        ['training', day(m.window?.trainFrom), day(m.window?.holdoutFrom), m.rows ? int(m.rows.train) : '—'],
        ['validation (last training day)', '', '', m.rows ? int(m.rows.validation) : '—'],
        ['holdout', day(m.window?.holdoutFrom), day(m.window?.holdoutTo), m.rows ? int(m.rows.holdout) : '—'],
      ],
    ),
    h(
      'p',
      { id: 'model-base-rate' },
      `Holdout base rate: ${pct(m.metrics.baseRate, 2)} of sends opened within 24 h` +
        (typeof m.metrics.positives === 'number' ? ` (${int(m.metrics.positives)} opens).` : '.'),
    ),
  );
  const importanceTable = h(
    'details',
    { class: 'card wide' },
    h('summary', {}, 'Feature importance as a table'),
    table(
      `Feature importance (splits), version ${m.version}`,
      ['feature', 'splits'],
      top.map((f) => [f.feature, int(f.splits)]),
    ),
  );
  detail.append(training, reliability.card, lift.card, importance.card, importanceTable);
  const points = (r: ReliabilityBin[]) => r.map((b) => ({ x: b.meanPredicted, y: b.observedRate }));
  // Scaled to what the models predict: a sparse top bin observed at 100% must not squash the rest.
  const maxP = Math.min(
    1,
    1.25 *
      Math.max(
        0.05,
        ...m.metrics.reliability.map((b) => b.meanPredicted),
        ...(m.oracleMetrics?.reliability ?? []).map((b) => b.meanPredicted),
      ),
  );
  draw(reliability.canvas, {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'perfect calibration',
          data: [
            { x: 0, y: 0 },
            { x: maxP, y: maxP },
          ],
          showLine: true,
          borderColor: '#999',
          borderDash: [4, 4],
          pointRadius: 0,
        },
        {
          label: `model (ECE ${num(m.metrics.ece, 3)})`,
          data: points(m.metrics.reliability),
          showLine: true,
          borderColor: color('model'),
          backgroundColor: color('model'),
        },
        ...(m.oracleMetrics
          ? [
              {
                label: `oracle (ECE ${num(m.oracleMetrics.ece, 3)})`,
                data: points(m.oracleMetrics.reliability),
                showLine: true,
                borderColor: color('oracle'),
                backgroundColor: color('oracle'),
              },
            ]
          : []),
      ],
    },
    options: {
      scales: {
        x: {
          min: 0,
          max: maxP,
          ticks: { callback: (v) => pct(Number(v), 0) },
          title: { display: true, text: 'mean predicted P(open)' },
        },
        y: {
          min: 0,
          max: maxP,
          ticks: { callback: (v) => pct(Number(v), 0) },
          title: { display: true, text: 'observed open rate' },
        },
      },
    },
  });
  draw(lift.canvas, {
    type: 'bar',
    data: {
      labels: m.metrics.liftByDecile.map((d) => String(d.decile)),
      datasets: [
        { label: 'model', data: m.metrics.liftByDecile.map((d) => d.lift), backgroundColor: color('model') },
        ...(m.oracleMetrics
          ? [
              {
                label: 'oracle',
                data: m.oracleMetrics.liftByDecile.map((d) => d.lift),
                backgroundColor: color('oracle'),
              },
            ]
          : []),
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: 'score decile (1 = top tenth)' } },
        y: { title: { display: true, text: 'lift over the base rate' } },
      },
    },
  });
  draw(importance.canvas, {
    type: 'bar',
    data: {
      labels: top.map((f) => f.feature),
      datasets: [{ label: 'splits', data: top.map((f) => f.splits), backgroundColor: color('model') }],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { y: { ticks: { autoSkip: false } }, x: { title: { display: true, text: 'splits' } } },
    },
  });
}
