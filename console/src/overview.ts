// The overview page: sends, opens, open rate, unsubscribes, digests by channel and kind; why candidates were held back.
import { CHANNELS, EVENT_KINDS } from '../../domain/vocabulary.ts';
import type { OverviewAnswer, OverviewRow } from '../../wire/overview.ts';
import { api } from './api.ts';
import { color, draw } from './charts.ts';
import { chartCard, h, int, pct, table } from './dom.ts';

type Measure = 'sends' | 'opened' | 'unsubscribes' | 'digests';

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function sumBy(rows: OverviewRow[], labels: string[], key: 'channel' | 'kind', value: string, m: Measure): number[] {
  return labels.map((d) => rows.filter((r) => r.day === d && r[key] === value).reduce((s, r) => s + r[m], 0));
}

export async function renderOverview(root: HTMLElement): Promise<void> {
  const select = h(
    'select',
    { id: 'overview-days' },
    ...[7, 14, 28, 60].map((n) => h('option', { value: n, selected: n === 28 }, `last ${n} days`)),
  );
  const body = h('div', { class: 'grid' });
  root.append(
    h('h1', {}, 'Overview'),
    h('div', { class: 'toolbar' }, h('label', { for: 'overview-days' }, 'Period'), select),
    body,
  );
  const load = async () => {
    const data = await api<OverviewAnswer>('GET', `/api/admin/overview?days=${select.value}`);
    body.replaceChildren();
    const labels = days(data.from, data.to);
    const rows = data.series;
    const channels = CHANNELS;
    const kinds = EVENT_KINDS;

    const sends = chartCard('Sends per day by channel', 'chart-sends');
    const opens = chartCard('Open rate per day by channel (sends of the day opened since)', 'chart-open-rate');
    const byKind = chartCard('Sends per day by kind', 'chart-sends-kind');
    const unsub = chartCard('Unsubscribes and digest placements per day', 'chart-unsubscribes');
    const suppress = chartCard('Why candidates were suppressed', 'chart-suppress-reasons');
    const digest = chartCard('Why candidates went to the digest', 'chart-digest-reasons');
    body.append(sends.card, opens.card, byKind.card, unsub.card, suppress.card, digest.card);

    draw(sends.canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: channels.map((c) => ({
          label: c,
          data: sumBy(rows, labels, 'channel', c, 'sends'),
          backgroundColor: color(c),
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'sends' } } } },
    });
    draw(opens.canvas, {
      type: 'line',
      data: {
        labels,
        datasets: channels.map((c) => {
          const s = sumBy(rows, labels, 'channel', c, 'sends');
          const o = sumBy(rows, labels, 'channel', c, 'opened');
          return {
            label: c,
            data: s.map((n, i) => (n ? o[i] / n : null)),
            borderColor: color(c),
            backgroundColor: color(c),
            spanGaps: true,
          };
        }),
      },
      options: {
        scales: {
          y: { min: 0, ticks: { callback: (v) => pct(Number(v), 0) }, title: { display: true, text: 'open rate' } },
        },
      },
    });
    draw(byKind.canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: kinds.map((k) => ({
          label: k,
          data: sumBy(rows, labels, 'kind', k, 'sends'),
          backgroundColor: color(k),
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'sends' } } } },
    });
    draw(unsub.canvas, {
      type: 'line',
      data: {
        labels,
        datasets: [
          ...channels.map((c) => ({
            label: `unsubscribes (${c})`,
            data: sumBy(rows, labels, 'channel', c, 'unsubscribes'),
            borderColor: color(c),
            backgroundColor: color(c),
          })),
          {
            label: 'digest placements',
            data: labels.map((d) => rows.filter((r) => r.day === d).reduce((s, r) => s + r.digests, 0)),
            borderColor: color('digest'),
            borderDash: [6, 4],
            backgroundColor: color('digest'),
          },
        ],
      },
      options: { scales: { y: { min: 0, title: { display: true, text: 'count' } } } },
    });
    for (const [action, chart] of [
      ['suppress', suppress],
      ['digest', digest],
    ] as const) {
      const rs = data.reasons.filter((r) => r.action === action);
      draw(chart.canvas, {
        type: 'bar',
        data: {
          labels: rs.map((r) => r.reason),
          datasets: [{ label: 'decisions', data: rs.map((r) => r.count), backgroundColor: color(action) }],
        },
        options: {
          indexAxis: 'y',
          plugins: {
            legend: { display: false },
            subtitle: { display: rs.length === 0, text: `no ${action} decisions in this period` },
          },
        },
      });
    }

    const totals = labels.map((d) => {
      const day = rows.filter((r) => r.day === d);
      const s = day.reduce((a, r) => a + r.sends, 0);
      const o = day.reduce((a, r) => a + r.opened, 0);
      return [
        d,
        int(s),
        int(o),
        pct(s ? o / s : null),
        int(day.reduce((a, r) => a + r.unsubscribes, 0)),
        int(day.reduce((a, r) => a + r.digests, 0)),
      ];
    });
    body.append(
      h(
        'section',
        { class: 'card wide' },
        table(
          'Per day, all channels and kinds',
          ['day', 'sends', 'opened', 'open rate', 'unsubscribes', 'digests'],
          totals.reverse(),
        ),
      ),
    );
  };
  select.addEventListener('change', () => void load());
  await load();
}
