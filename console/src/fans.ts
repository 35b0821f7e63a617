// The fan inspector: find a fan; their candidates, decisions, send time on the engagement curve, contributions, sends.
import type { Chart } from 'chart.js';
import type { DecisionCurve, FanAnswer, FanCandidate, FanSearchAnswer } from '../../wire/fans.ts';
import { api } from './api.ts';
import { color, draw } from './charts.ts';
import { chartCard, errorBox, h, isolated, isolatedText, pct, table, when } from './dom.ts';
import { detailRows, distinctTicks, logistic, readable, timeAxis } from './inspect-format.ts';
import { reasonLabel, reasonText } from './labels.ts';

const HOUR_MS = 3_600_000;

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
  const unscored = candidates.filter((c) => c.score === null);
  if (candidates.length === 0) timeline.canvas.replaceWith(h('p', { class: 'muted' }, 'No candidates yet.'));
  // Every candidate is plotted: the unscored ones on the zero line, marked ×. The axis spans them all and at least
  // two hours, so a lone candidate neither stretches it to years nor repeats one tick label.
  const {
    min: xMin,
    max: xMax,
    step: xStep,
  } = timeAxis(candidates.length ? candidates.map((c) => Date.parse(c.decidedAt)) : [Date.now()], 2 * HOUR_MS);
  timeline.canvas.setAttribute(
    'aria-label',
    `Candidates over time: ${candidates.length} plotted by score, ${unscored.length} without a score marked ×`,
  );
  const point = (c: FanCandidate) => ({ x: Date.parse(c.decidedAt), y: c.score ?? 0, id: c.decisionId });
  draw(timeline.canvas, {
    type: 'scatter',
    data: {
      datasets: [
        ...actions.map((a) => ({
          label: a,
          data: scored.filter((c) => c.action === a).map(point),
          backgroundColor: color(a),
          pointRadius: 5,
        })),
        {
          label: 'no score (decided without a model)',
          data: unscored.map(point),
          borderColor: '#56606f',
          backgroundColor: '#56606f',
          pointStyle: 'crossRot' as const,
          pointRadius: 7,
          borderWidth: 2,
        },
      ],
    },
    options: {
      scales: {
        x: {
          type: 'linear',
          min: xMin,
          max: xMax,
          ticks: {
            stepSize: xStep,
            callback: distinctTicks((v) => when(new Date(v).toISOString(), fan.timeZone)),
          },
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
              const c = candidates.find((x) => x.decisionId === (ctx.raw as { id: number }).id)!;
              const score = c.score === null ? 'no score' : `score ${pct(c.score)}`;
              return `${c.action} ${c.channel}: ${reasonLabel(c.reason)}, ${score} (${c.eventTitle})`;
            },
          },
        },
      },
      onClick: (_e, items, chart: Chart) => {
        const item = items[0];
        if (!item) return;
        const raw = chart.data.datasets[item.datasetIndex].data[item.index] as unknown as { id: number };
        void showCandidate(inspect, candidates.find((c) => c.decisionId === raw.id)!, fan.timeZone, true);
      },
    },
  });

  const rows = candidates.map((c) => {
    const button = h(
      'button',
      { type: 'button', class: 'link', 'aria-label': `Inspect decision ${c.decisionId}` },
      'Inspect',
    );
    button.addEventListener('click', () => void showCandidate(inspect, c, fan.timeZone, true));
    return [
      when(c.decidedAt, fan.timeZone),
      h('span', {}, isolated(c.eventTitle), ` (${c.eventKind}, `, isolated(c.creatorHandle), ')'),
      c.channel,
      h('span', { class: `badge ${c.action}` }, c.action),
      reasonText(c.reason),
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
  if (first) await showCandidate(inspect, first, fan.timeZone, false);
}

/** The curve's score at the point nearest `at`. */
function nearestScore(points: DecisionCurve['points'], at: number): number {
  let best = points[0];
  for (const p of points) if (Math.abs(Date.parse(p.at) - at) < Math.abs(Date.parse(best.at) - at)) best = p;
  return best.score;
}

/** Shows one candidate in `root`; `focus` (an Inspect by the user) scrolls to the panel and moves focus there. */
async function showCandidate(root: HTMLElement, c: FanCandidate, timeZone: string, focus: boolean): Promise<void> {
  const curve = chartCard(
    `Predicted engagement by hour for "${isolatedText(c.eventTitle)}" on ${c.channel}, with the chosen send time`,
    'chart-curve',
  );
  const contrib = chartCard('Feature contributions to the score (log-odds, TreeSHAP)', 'chart-contributions');
  const base = h('p', { id: 'contribution-base', class: 'muted' });
  contrib.card.append(base);
  const heading = h(
    'h3',
    { class: 'wide', id: 'candidate-heading', tabindex: -1 },
    `Decision ${c.decisionId}: ${c.action} on ${c.channel}, `,
    reasonText(c.reason),
  );
  const why: [string, string][] = [
    ['policy', c.policy],
    ['score', c.score === null ? 'none (decided without a model)' : pct(c.score, 1)],
    ['decided by model', c.modelVersion === null ? 'none' : `version ${c.modelVersion}`],
    // The score and the model's version are the rows above; a model note (why there was none) stays.
    ...detailRows(
      Object.fromEntries(
        Object.entries(c.reasonDetail).filter(([k, v]) => k !== 'score' && !(k === 'model' && typeof v === 'number')),
      ),
    ),
  ];
  const sorted = [...(c.contributions ?? [])].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const contributionTable = h(
    'details',
    { class: 'card wide' },
    h('summary', {}, 'Contributions as a table'),
    table(
      'Feature contributions to the score',
      ['feature', 'value', 'contribution (log-odds)'],
      sorted.map((x) => [x.feature, x.valueText, `${x.contribution >= 0 ? '+' : ''}${readable(x.contribution)}`]),
    ),
  );
  root.replaceChildren(
    heading,
    curve.card,
    contrib.card,
    h('section', { class: 'card wide' }, table('Why: the numbers behind the decision', ['field', 'value'], why)),
    ...(sorted.length ? [contributionTable] : []),
  );
  if (focus) {
    heading.scrollIntoView({ block: 'start' });
    heading.focus({ preventScroll: true });
  }

  if (sorted.length) {
    draw(contrib.canvas, {
      type: 'bar',
      data: {
        labels: sorted.map((x) => `${x.feature} = ${x.valueText}`),
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
        scales: {
          x: { title: { display: true, text: 'log-odds added to the base value' } },
          y: { ticks: { autoSkip: false } },
        },
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
  if (sorted.length && data.baseLogOdds !== null) {
    const same = data.curveModelVersion === c.modelVersion;
    base.textContent =
      `Base value: ${readable(data.baseLogOdds)} log-odds (P ${pct(logistic(data.baseLogOdds), 1)}), ` +
      `the mean of ${same ? 'the deciding' : 'the active'} model ${data.curveModelVersion}; the score is the base ` +
      `plus every feature's contribution (the ${sorted.length} largest shown).`;
  }
  if (data.points.length === 0) {
    curve.canvas.replaceWith(h('p', { class: 'muted' }, `No curve: ${data.unscoredReason ?? 'nothing to score'}.`));
    return;
  }
  const chosen = c.sendAt ? Date.parse(c.sendAt) : null;
  const times = data.points.map((p) => Date.parse(p.at));
  // A deadline close to the decision leaves few hours (or only the decision time): the axis still spans two hours
  // and the points are drawn as points, not a line with nothing to join.
  const { min, max, step } = timeAxis(chosen === null ? times : [...times, chosen], 2 * HOUR_MS);
  const few = data.points.length < 3;
  const hourLabel = (v: number) =>
    new Date(v).toLocaleString('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit' });
  curve.canvas.setAttribute(
    'aria-label',
    `${curve.canvas.getAttribute('aria-label')}: ${data.points.length} send time(s) scored`,
  );
  draw(curve.canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: `P(open) by send hour (model ${data.curveModelVersion})`,
          data: data.points.map((p) => ({ x: Date.parse(p.at), y: p.score })),
          borderColor: color('model'),
          backgroundColor: color('model'),
          pointRadius: few ? 6 : 2,
          showLine: !few,
        },
        ...(chosen !== null
          ? [
              {
                label: `chosen send time ${when(c.sendAt, timeZone)}`,
                // Unscored when decided: marked on the drawn curve at its nearest hour, not at a made-up 0.
                data: [{ x: chosen, y: c.score ?? nearestScore(data.points, chosen) }],
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
          min,
          max,
          ticks: { stepSize: step, callback: distinctTicks(hourLabel) },
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
            (few ? `; the event's deadline leaves ${data.points.length} send time(s) to score` : '') +
            (data.decisionModelVersion !== data.curveModelVersion
              ? `; decided by model ${data.decisionModelVersion ?? 'none'}, ` +
                `drawn by the active model ${data.curveModelVersion}`
              : '') +
            (chosen === null ? `; ${c.action}: no send time chosen, best score ${pct(c.score, 1)}` : ''),
        },
      },
    },
  });
}
