// The overview page: headline figures against the previous period, sends, open rate, unsubscribes, digests by day,
// channel and kind over any period, and why candidates were held back, in words.
import { CHANNELS, EVENT_KINDS } from '../../domain/vocabulary.ts';
import type { Headline, OverviewAnswer, OverviewRow } from '../../wire/overview.ts';
import type { Period } from '../../wire/period.ts';
import { api } from './api.ts';
import { color, draw, faded } from './charts.ts';
import { type Cell, chartCard, h, int, pct, table } from './dom.ts';
import { reasonLabel, reasonText } from './labels.ts';
import { dayLabel, periodApiQuery, periodControls, periodNote } from './period.ts';

type Measure = 'sends' | 'opened' | 'unsubscribes' | 'digests';

function sumBy(rows: OverviewRow[], days: string[], key: 'channel' | 'kind', value: string, m: Measure): number[] {
  return days.map((d) => rows.filter((r) => r.day === d && r[key] === value).reduce((s, r) => s + r[m], 0));
}

/** One headline figure: how it reads, whether up is good, and how its absolute change is written. */
interface Figure {
  id: string;
  title: string;
  value: (x: Headline) => number | null;
  text: (v: number) => string;
  delta: (d: number) => string;
  upIsGood: boolean;
}

const points = (d: number, digits: number) => `${d >= 0 ? '+' : '−'}${Math.abs(100 * d).toFixed(digits)} pp`;
const FIGURES: Figure[] = [
  {
    id: 'sends-per-fan-per-day',
    title: 'Sends per fan per day',
    value: (x) => x.sendsPerFanPerDay,
    text: (v) => v.toFixed(2),
    delta: (d) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}`,
    upIsGood: false,
  },
  {
    id: 'open-rate',
    title: 'Open rate',
    value: (x) => x.openRate,
    text: (v) => pct(v, 1),
    delta: (d) => points(d, 1),
    upIsGood: true,
  },
  {
    id: 'click-rate',
    title: 'Click rate',
    value: (x) => x.clickRate,
    text: (v) => pct(v, 2),
    delta: (d) => points(d, 2),
    upIsGood: true,
  },
  {
    id: 'unsubscribe-rate',
    title: 'Unsubscribe rate',
    value: (x) => x.unsubscribeRate,
    text: (v) => pct(v, 2),
    delta: (d) => points(d, 2),
    upIsGood: false,
  },
];

/** The change of one figure against the previous period: absolute, relative, and its direction in words and arrow. */
function change(f: Figure, now: number | null, before: number | null): HTMLElement {
  if (now === null || before === null)
    return h('p', { class: 'change muted' }, 'no comparison: the previous period has no sends');
  const d = now - before;
  if (d === 0) return h('p', { class: 'change flat' }, '→ unchanged from the previous period');
  const up = d > 0;
  const rel = before === 0 ? '' : ` (${up ? '+' : '−'}${Math.abs((100 * d) / before).toFixed(1)}%)`;
  const good = up === f.upIsGood;
  return h(
    'p',
    { class: `change ${good ? 'better' : 'worse'}` },
    h('span', { 'aria-hidden': 'true' }, up ? '▲ ' : '▼ '),
    `${up ? 'up' : 'down'} ${f.delta(d)}${rel} from ${f.text(before)}`,
  );
}

function headlines(data: OverviewAnswer): HTMLElement {
  const { current, previous } = data.headline;
  return h(
    'section',
    { class: 'headlines', 'aria-label': 'Headline figures' },
    ...FIGURES.map((f) => {
      const v = f.value(current);
      return h(
        'div',
        { class: 'card headline', id: `headline-${f.id}` },
        h('h2', {}, f.title),
        h('p', { class: 'figure' }, v === null ? '—' : f.text(v)),
        change(f, v, f.value(previous)),
      );
    }),
    h(
      'p',
      { class: 'muted wide' },
      `${int(current.sends)} sends to ${int(current.fans)} fans with a membership in the period; `,
      `${int(current.opened)} opened, ${int(current.clicked)} clicked, ${int(current.unsubscribes)} unsubscribes. `,
      'Rates are per send; opens and clicks count the period’s sends opened or clicked since.',
    ),
  );
}

/** Bar colours with the partial day faded. */
const barColors = (period: Period, base: string) =>
  period.days.map((d) => (d === period.partialDay ? faded(base) : base));

/** The per-day table: a run of days with nothing in them folds into one row; the CSV keeps every day. */
function perDayTable(period: Period, rows: OverviewRow[]): HTMLTableElement {
  const head = ['day', 'sends', 'opened', 'open rate', 'unsubscribes', 'digests'];
  const figures = period.days.map((d) => {
    const day = rows.filter((r) => r.day === d);
    const s = day.reduce((a, r) => a + r.sends, 0);
    const o = day.reduce((a, r) => a + r.opened, 0);
    const u = day.reduce((a, r) => a + r.unsubscribes, 0);
    const g = day.reduce((a, r) => a + r.digests, 0);
    return { d, s, o, u, g, empty: s + o + u + g === 0 };
  });
  figures.reverse();
  const shown: Cell[][] = [];
  for (let i = 0; i < figures.length; ) {
    let j = i;
    while (j < figures.length && figures[j].empty) j++;
    if (j > i) {
      const n = j - i;
      const span = n === 1 ? dayLabel(period, figures[i].d) : `${figures[j - 1].d} – ${figures[i].d}`;
      const what = `${n} ${n === 1 ? 'day' : 'days'} with no activity`;
      shown.push([span, h('td', { colspan: head.length - 1, class: 'folded' }, what)]);
      i = j;
    } else {
      const f = figures[i++];
      shown.push([dayLabel(period, f.d), int(f.s), int(f.o), pct(f.s ? f.o / f.s : null), int(f.u), int(f.g)]);
    }
  }
  const csv = figures.map((f) => [dayLabel(period, f.d), f.s, f.o, f.s ? f.o / f.s : null, f.u, f.g]);
  return table('Per day, all channels and kinds (latest first)', head, shown, { csv });
}

export async function renderOverview(root: HTMLElement, params: URLSearchParams): Promise<void> {
  root.append(h('h1', {}, 'Overview'));
  const data = await api<OverviewAnswer>('GET', `/api/admin/overview?${periodApiQuery(params, 28)}`).catch((err) => {
    // A refused period (its field and rule shown below the bar) can be corrected where it was typed.
    root.append(periodControls('overview', params, null));
    throw err;
  });
  const { period, series: rows } = data;
  const labels = period.days.map((d) => dayLabel(period, d));
  const days = period.days;
  const body = h('div', { class: 'grid' });
  root.append(periodControls('overview', params, period), periodNote(period, data.previous), headlines(data), body);

  const sends = chartCard('Sends per day by channel', 'chart-sends');
  const opens = chartCard('Open rate per day by channel (sends of the day opened since)', 'chart-open-rate');
  const byKind = chartCard('Sends per day by kind', 'chart-sends-kind');
  const unsub = chartCard('Unsubscribes per day by channel', 'chart-unsubscribes');
  const digests = chartCard('Digest placements per day by channel', 'chart-digests');
  const suppress = chartCard('Why candidates were suppressed', 'chart-suppress-reasons');
  const digest = chartCard('Why candidates went to the digest', 'chart-digest-reasons');
  body.append(sends.card, opens.card, byKind.card, unsub.card, digests.card, suppress.card, digest.card);

  const stacked = (what: string) => ({
    scales: {
      x: { stacked: true, title: { display: true, text: 'day' } },
      y: { stacked: true, title: { display: true, text: what } },
    },
  });
  draw(sends.canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: CHANNELS.map((c) => ({
        label: c,
        data: sumBy(rows, days, 'channel', c, 'sends'),
        backgroundColor: barColors(period, color(c)),
      })),
    },
    options: stacked('sends'),
  });
  draw(opens.canvas, {
    type: 'line',
    data: {
      labels,
      datasets: CHANNELS.map((c) => {
        const s = sumBy(rows, days, 'channel', c, 'sends');
        const o = sumBy(rows, days, 'channel', c, 'opened');
        return {
          label: c,
          data: s.map((n, i) => (n ? o[i] / n : null)),
          borderColor: color(c),
          backgroundColor: color(c),
          spanGaps: true,
          // The partial day's segment is dashed: its sends have had less time to be opened.
          segment: {
            borderDash: (ctx: { p1DataIndex: number }) =>
              days[ctx.p1DataIndex] === period.partialDay ? [5, 4] : undefined,
          },
        };
      }),
    },
    options: {
      scales: {
        x: { title: { display: true, text: 'day' } },
        y: { min: 0, ticks: { callback: (v) => pct(Number(v), 0) }, title: { display: true, text: 'open rate' } },
      },
    },
  });
  draw(byKind.canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: EVENT_KINDS.map((k) => ({
        label: k,
        data: sumBy(rows, days, 'kind', k, 'sends'),
        backgroundColor: barColors(period, color(k)),
      })),
    },
    options: stacked('sends'),
  });
  // Unsubscribes (tens) and digest placements (hundreds) each get their own axis: on one, unsubscribes are flat.
  for (const [chart, measure, what] of [
    [unsub, 'unsubscribes', 'unsubscribes'],
    [digests, 'digests', 'digest placements'],
  ] as const)
    draw(chart.canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: CHANNELS.map((c) => ({
          label: c,
          data: sumBy(rows, days, 'channel', c, measure),
          backgroundColor: barColors(period, color(c)),
        })),
      },
      options: stacked(what),
    });
  for (const [action, chart] of [
    ['suppress', suppress],
    ['digest', digest],
  ] as const) {
    const rs = data.reasons.filter((r) => r.action === action);
    draw(chart.canvas, {
      type: 'bar',
      data: {
        labels: rs.map((r) => reasonLabel(r.reason)),
        datasets: [{ label: 'decisions', data: rs.map((r) => r.count), backgroundColor: color(action) }],
      },
      options: {
        indexAxis: 'y',
        scales: { y: { title: { display: true, text: 'reason' } } },
        plugins: {
          legend: { display: false },
          subtitle: { display: rs.length === 0, text: `no ${action} decisions in this period` },
        },
      },
    });
  }

  const reasons = data.reasons.map((r) => [r.action, reasonText(r.reason), int(r.count)] as Cell[]);
  const reasonCsv = data.reasons.map((r) => [r.action, reasonLabel(r.reason), r.reason, r.count]);
  body.append(
    h('section', { class: 'card wide' }, perDayTable(period, rows)),
    h(
      'section',
      { class: 'card wide' },
      table('Held-back decisions by reason', ['decision', 'reason', 'decisions'], reasons, {
        csv: reasonCsv,
        csvHead: ['decision', 'reason', 'code', 'decisions'],
      }),
    ),
  );
}
