// The replay on logged history as the caps page shows it: each figure under the active and the proposed policy and
// their difference, as "x ± y" (half the 95% interval's width), and the differences charted with their intervals.
import type { HistoryEstimate, HistoryFigures, HistoryReplayAnswer } from '../../wire/replay.ts';
import { color, draw } from './charts.ts';
import { chartCard, h, int, num, table, when } from './dom.ts';

const ROWS: { key: keyof HistoryFigures; label: string; digits: number }[] = [
  { key: 'emailAlerts', label: 'email alerts / fan / day', digits: 3 },
  { key: 'pushAlerts', label: 'push alerts / fan / day', digits: 3 },
  { key: 'digests', label: 'digest placements / fan / day', digits: 3 },
  { key: 'opens', label: 'expected opens / fan / day', digits: 3 },
  { key: 'unsubscribes', label: 'expected unsubscribes / 1,000 fans / day', digits: 2 },
];

/** "0.412 ± 0.015", with the interval itself in the title. */
function estimate(e: HistoryEstimate, digits: number, signed = false): HTMLElement {
  const sign = signed && e.value > 0 ? '+' : '';
  const half = (e.high - e.low) / 2;
  const excludesZero = signed && (e.low > 0 || e.high < 0);
  return h(
    'span',
    {
      class: excludesZero ? `estimate ${e.value > 0 ? 'up' : 'down'}` : 'estimate',
      title: `95% interval ${num(e.low, digits)} to ${num(e.high, digits)}`,
    },
    `${sign}${num(e.value, digits)} ± ${num(half, digits)}`,
  );
}

export function renderHistoryReplay(root: HTMLElement, r: HistoryReplayAnswer): void {
  const chart = chartCard('Proposed minus active, per fan per day, with 95% intervals', 'chart-history-difference');
  const perFanDay = ROWS.filter((x) => x.key !== 'unsubscribes');
  const activeName =
    r.current.version === null ? `${r.current.name}, built-in` : `${r.current.name} v${r.current.version}`;
  root.replaceChildren(
    h(
      'p',
      { class: 'muted wide', id: 'history-replay-summary' },
      `${int(r.fans)} real fans with a decision from ${when(r.from)} to ${when(r.to)} (${r.days} days): ` +
        `${int(r.candidates)} logged candidates replayed under both policies` +
        (r.unscored
          ? `, ${int(r.unscored)} of them decided without a score and replayed at their channel's observed open ` +
            `rate (email ${num(r.fallbackScore.email, 3)}, push ${num(r.fallbackScore.push, 3)})`
          : '') +
        `. ± is half the width of the 95% interval from ${r.resamples} bootstrap resamples of the fans; ` +
        'a difference whose interval leaves out 0 is marked.',
    ),
    h(
      'section',
      { class: 'card wide' },
      table(
        'Replay on logged history',
        ['', `active (${activeName})`, `proposed (${r.proposed.name})`, 'difference'],
        ROWS.map((x) => [
          x.label,
          estimate(r.current.figures[x.key], x.digits),
          estimate(r.proposed.figures[x.key], x.digits),
          estimate(r.difference[x.key], x.digits, true),
        ]),
      ),
    ),
    chart.card,
  );
  draw(chart.canvas, {
    type: 'bar',
    data: {
      labels: perFanDay.map((x) => x.label.replace(' / fan / day', '')),
      datasets: [
        {
          label: '95% interval',
          data: perFanDay.map((x) => [r.difference[x.key].low, r.difference[x.key].high] as [number, number]),
          backgroundColor: color('proposed'),
          barPercentage: 0.3,
        },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: { title: { display: true, text: 'proposed − active' } } },
    },
  });
}
