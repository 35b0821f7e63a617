// The fan inspector: find a fan; their candidates, decisions, send time on the engagement curve, contributions, sends.
import type { Chart } from 'chart.js';
import type { DecisionCurve, FanAnswer, FanCandidate, FanSearchAnswer } from '../../wire/fans.ts';
import { api } from './api.ts';
import { color, draw } from './charts.ts';
import { chartCard, errorBox, h, isolated, isolatedText, num, pct, table, when } from './dom.ts';

export async function renderFans(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const input = h('input', {
    id: 'fan-query',
    name: 'q',
    type: 'search',
    required: true,
    value: params.get('q') ?? '',
    placeholder: 'e.g. 42 or fan00042@',
  });
  const form = h(
    'form',
    { class: 'toolbar', role: 'search' },
    h('label', { for: 'fan-query' }, 'Fan id or email'),
    input,
    h('button', { type: 'submit' }, 'Search'),
  );
  const results = h('div', { id: 'fan-results' });
  const detail = h('div', { id: 'fan-detail' });
  root.append(h('h1', {}, 'Fan inspector'), form, results, detail);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    window.location.hash = `#/fans?q=${encodeURIComponent(input.value.trim())}`;
  });

  const q = params.get('q');
  const fanId = params.get('fan');
  if (q && !fanId) {
    const { fans } = await api<FanSearchAnswer>('GET', `/api/admin/fans?q=${encodeURIComponent(q)}`);
    if (fans.length === 1) {
      window.location.replace(`#/fans?q=${encodeURIComponent(q)}&fan=${fans[0].id}`);
      return;
    }
    results.replaceChildren(
      fans.length === 0
        ? h('p', { role: 'status' }, `No fan matches "${q}".`)
        : h(
            'ul',
            { class: 'results' },
            ...fans.map((f) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#/fans?q=${encodeURIComponent(q)}&fan=${f.id}` },
                  `${f.email} (fan ${f.id}, ${f.timeZone})`,
                ),
              ),
            ),
          ),
    );
  }
  if (fanId) await renderFan(detail, Number(fanId));
}

async function renderFan(root: HTMLElement, fanId: number): Promise<void> {
  const { fan, candidates } = await api<FanAnswer>('GET', `/api/admin/fans/${fanId}`);
  const timeline = chartCard('Candidates over time: score by decision', 'chart-fan-timeline', true);
  const inspect = h('div', { id: 'candidate-detail', class: 'grid' });
  const channels =
    [fan.emailEnabled ? 'email' : null, fan.pushEnabled && fan.activePushSubscriptions > 0 ? 'push' : null]
      .filter(Boolean)
      .join(' and ') || 'no channel';
  const memberOf =
    fan.memberships.map((m) => `${m.handle} (${m.kind}${m.tier ? ` tier ${m.tier}` : ''})`).join(', ') || 'no creator';
  root.replaceChildren(
    h('h2', { id: 'fan-heading' }, `${fan.email} (fan ${fan.id})`),
    h(
      'p',
      { class: 'muted' },
      `${fan.timeZone}, ${fan.locale}; reachable by ${channels}; ` +
        `digest ${fan.digestCadence ?? 'daily'} at ${fan.digestHour ?? 8}:00 local` +
        (fan.unsubscribedAt ? `; unsubscribed from email ${when(fan.unsubscribedAt)}` : '') +
        `; member of ${memberOf}.`,
    ),
    h('div', { class: 'grid' }, timeline.card),
    inspect,
  );

  const actions = ['alert', 'digest', 'suppress'] as const;
  const scored = candidates.filter((c) => c.score !== null);
  // The axis spans every candidate, scored or not, with an hour either side: a lone point must not stretch it to years.
  const times = candidates.map((c) => Date.parse(c.decidedAt));
  const xMin = Math.min(...times) - 3_600_000;
  const xMax = Math.max(...times) + 3_600_000;
  draw(timeline.canvas, {
    type: 'scatter',
    data: {
      datasets: actions.map((a) => ({
        label: a,
        data: scored
          .filter((c) => c.action === a)
          .map((c) => ({ x: Date.parse(c.decidedAt), y: c.score as number, id: c.decisionId })),
        backgroundColor: color(a),
        pointRadius: 5,
      })),
    },
    options: {
      scales: {
        x: {
          type: 'linear',
          min: xMin,
          max: xMax,
          ticks: { maxTicksLimit: 8, callback: (v) => when(new Date(Number(v)).toISOString(), fan.timeZone) },
          title: { display: true, text: `decided at (${fan.timeZone})` },
        },
        y: {
          min: 0,
          ticks: { callback: (v) => pct(Number(v), 0) },
          title: { display: true, text: 'score: P(open within 24 h)' },
        },
      },
      plugins: {
        subtitle: {
          display: scored.length < candidates.length,
          text:
            `${candidates.length - scored.length} of ${candidates.length} candidates ` +
            'have no score (decided without a model)',
        },
        tooltip: {
          callbacks: {
            label: (ctx) => {
              const c = scored.find((x) => x.decisionId === (ctx.raw as { id: number }).id)!;
              return `${c.action} ${c.channel}: ${c.reason}, score ${pct(c.score)} (${c.eventTitle})`;
            },
          },
        },
      },
      onClick: (_e, items, chart: Chart) => {
        const item = items[0];
        if (!item) return;
        const raw = chart.data.datasets[item.datasetIndex].data[item.index] as unknown as { id: number };
        void showCandidate(inspect, candidates.find((c) => c.decisionId === raw.id)!, fan.timeZone);
      },
    },
  });

  const rows = candidates.map((c) => {
    const button = h(
      'button',
      { type: 'button', class: 'link', 'aria-label': `Inspect decision ${c.decisionId}` },
      'Inspect',
    );
    button.addEventListener('click', () => void showCandidate(inspect, c, fan.timeZone));
    return [
      when(c.decidedAt, fan.timeZone),
      h('span', {}, isolated(c.eventTitle), ` (${c.eventKind}, `, isolated(c.creatorHandle), ')'),
      c.channel,
      h('span', { class: `badge ${c.action}` }, c.action),
      h('code', {}, c.reason),
      pct(c.score),
      when(c.sendAt, fan.timeZone),
      c.delivery ? `${c.delivery.status}${c.delivery.errorCode ? ` (${c.delivery.errorCode})` : ''}` : '—',
      c.engagement.map((g) => `${g.kind} ${when(g.occurredAt, fan.timeZone)}`).join(', ') || '—',
      button,
    ];
  });
  root.append(
    h(
      'section',
      { class: 'card wide', id: 'fan-timeline' },
      table(
        `Timeline: ${candidates.length} latest candidates, newest first (times in ${fan.timeZone})`,
        ['decided', 'event', 'channel', 'decision', 'reason', 'score', 'send at', 'delivery', 'engagement', ''],
        rows,
      ),
    ),
  );
  const first = candidates.find((c) => c.contributions?.length) ?? candidates[0];
  if (first) await showCandidate(inspect, first, fan.timeZone);
}

async function showCandidate(root: HTMLElement, c: FanCandidate, timeZone: string): Promise<void> {
  const curve = chartCard(
    `Predicted engagement by hour for "${isolatedText(c.eventTitle)}" on ${c.channel}, with the chosen send time`,
    'chart-curve',
  );
  const contrib = chartCard('Feature contributions to the score (log-odds, TreeSHAP)', 'chart-contributions');
  const detail = Object.entries(c.reasonDetail).map(([k, v]) => [
    k,
    typeof v === 'object' ? JSON.stringify(v) : String(v),
  ]);
  root.replaceChildren(
    h(
      'h3',
      { class: 'wide', id: 'candidate-heading' },
      `Decision ${c.decisionId}: ${c.action} on ${c.channel}, ${c.reason}`,
    ),
    curve.card,
    contrib.card,
    h('section', { class: 'card wide' }, table('Why: the numbers behind the decision', ['field', 'value'], detail)),
  );

  if (c.contributions?.length) {
    const sorted = [...c.contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    // A feature with nothing to measure (no open in the window, no digest hour…) is missing: null on the wire.
    const shown = (v: number | null) => (v === null ? 'missing' : Number.isInteger(v) ? String(v) : v.toFixed(3));
    draw(contrib.canvas, {
      type: 'bar',
      data: {
        labels: sorted.map((x) => `${x.feature} = ${shown(x.value)}`),
        datasets: [
          {
            label: 'contribution',
            data: sorted.map((x) => x.contribution),
            backgroundColor: sorted.map((x) => (x.contribution >= 0 ? color('proposed') : color('suppress'))),
          },
        ],
      },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: 'log-odds' } } },
      },
    });
  } else {
    contrib.canvas.replaceWith(
      h('p', { class: 'muted' }, `No contributions: ${String(c.reasonDetail.model ?? 'decided without a model')}.`),
    );
  }

  let data: DecisionCurve;
  try {
    data = await api<DecisionCurve>('GET', `/api/admin/decisions/${c.decisionId}/curve`);
  } catch (err) {
    curve.canvas.replaceWith(errorBox(err));
    return;
  }
  if (data.points.length === 0) {
    curve.canvas.replaceWith(h('p', { class: 'muted' }, `No curve: ${data.unscoredReason ?? 'nothing to score'}.`));
    return;
  }
  const chosen = c.sendAt ? Date.parse(c.sendAt) : null;
  draw(curve.canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: `P(open) by send hour (model ${data.curveModelVersion})`,
          data: data.points.map((p) => ({ x: Date.parse(p.at), y: p.score })),
          borderColor: color('model'),
          backgroundColor: color('model'),
          pointRadius: 2,
        },
        ...(chosen !== null
          ? [
              {
                label: `chosen send time ${when(c.sendAt, timeZone)}`,
                data: [{ x: chosen, y: c.score ?? 0 }],
                borderColor: color('oracle'),
                backgroundColor: color('oracle'),
                pointRadius: 8,
                pointStyle: 'triangle' as const,
                showLine: false,
              },
            ]
          : []),
      ],
    },
    options: {
      scales: {
        x: {
          type: 'linear',
          ticks: {
            callback: (v) =>
              new Date(Number(v)).toLocaleString('en-GB', {
                timeZone,
                weekday: 'short',
                hour: '2-digit',
                minute: '2-digit',
              }),
          },
          title: { display: true, text: `send time (${timeZone})` },
        },
        y: {
          min: 0,
          ticks: { callback: (v) => pct(Number(v), 0) },
          title: { display: true, text: 'P(open within 24 h)' },
        },
      },
      plugins: {
        subtitle: {
          display: true,
          text:
            `as of the decision (${when(data.decidedAt, timeZone)})` +
            (data.decisionModelVersion !== data.curveModelVersion
              ? `; decided by model ${data.decisionModelVersion ?? 'none'}, ` +
                `drawn by the active model ${data.curveModelVersion}`
              : '') +
            (chosen === null ? `; ${c.action}: no send time chosen, best score ${num(c.score, 3)}` : ''),
        },
      },
    },
  });
}
