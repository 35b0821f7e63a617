// The fatigue page: which cap rules bound, how many alerts fans got per day, and decisions by creator and by segment.
import { FATIGUE_SEGMENTS, type FatigueAnswer, type FatigueSegment } from '../../wire/fatigue.ts';
import { api } from './api.ts';
import { color, draw } from './charts.ts';
import { type Cell, chartCard, h, int, isolated, isolatedText, pct, table } from './dom.ts';
import { reasonLabel, reasonText } from './labels.ts';
import { periodApiQuery, periodControls, periodNote, setHashQuery } from './period.ts';

const SEGMENT_NAMES: Record<FatigueSegment, string> = {
  membership: 'membership (free or paid, with the event’s creator)',
  channel: 'channel',
  locale: 'fan’s locale',
};
const ACTIONS = [
  { key: 'alerts', label: 'alerts', color: color('alert') },
  { key: 'digests', label: 'digest placements', color: color('digest') },
  { key: 'suppressions', label: 'suppressions', color: color('suppress') },
] as const;

export async function renderFatigue(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const segmentBy = (FATIGUE_SEGMENTS as readonly string[]).includes(params.get('segment') ?? '')
    ? (params.get('segment') as FatigueSegment)
    : 'membership';
  const q = periodApiQuery(params, 28);
  q.set('segment', segmentBy);
  root.append(h('h1', {}, 'Fatigue'));
  const extra = { segment: segmentBy === 'membership' ? undefined : segmentBy };
  const data = await api<FatigueAnswer>('GET', `/api/admin/fatigue?${q}`).catch((err) => {
    root.append(periodControls('fatigue', params, null, extra));
    throw err;
  });
  const { period } = data;
  const segment = h(
    'select',
    { id: 'fatigue-segment' },
    ...FATIGUE_SEGMENTS.map((s) => h('option', { value: s, selected: s === segmentBy }, SEGMENT_NAMES[s])),
  );
  segment.addEventListener('change', () =>
    setHashQuery('fatigue', {
      from: params.get('from') ?? undefined,
      to: params.get('to') ?? undefined,
      tz: params.get('tz') ?? undefined,
      segment: segment.value === 'membership' ? undefined : segment.value,
    }),
  );
  const body = h('div', { class: 'grid' });
  root.append(
    periodControls('fatigue', params, period, extra),
    periodNote(period),
    h('div', { class: 'toolbar' }, h('label', { for: 'fatigue-segment' }, 'Volume by segment'), segment),
    body,
  );

  // Which rule bound: one bar per rule, split by the reason it was named in.
  const rules = [...new Set(data.bindingRules.map((r) => r.rule))];
  const reasons = [...new Set(data.bindingRules.map((r) => r.reason))];
  const binding = chartCard('How often each cap rule was the binding one', 'chart-binding-rules');
  const held = data.bindingRules.reduce((s, r) => s + r.count, 0);
  body.append(binding.card);
  draw(binding.canvas, {
    type: 'bar',
    data: {
      labels: rules,
      datasets: reasons.map((reason, i) => ({
        label: reasonLabel(reason),
        data: rules.map((rule) => data.bindingRules.find((r) => r.rule === rule && r.reason === reason)?.count ?? 0),
        backgroundColor: ['#CC79A7', '#0072B2', '#E69F00', '#009E73'][i % 4],
      })),
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'rule' } } },
      plugins: { subtitle: { display: rules.length === 0, text: 'no decision was held back by a cap or gap rule' } },
    },
  });

  const histogram = chartCard('Alerts per fan per day (fan-days)', 'chart-alerts-per-fan-day');
  body.append(histogram.card);
  const bucket = (n: number) => (n === 5 ? '5+' : String(n));
  const fanDays = data.alertsPerFanDay.reduce((s, b) => s + b.fanDays, 0);
  draw(histogram.canvas, {
    type: 'bar',
    data: {
      labels: data.alertsPerFanDay.map((b) => bucket(b.alerts)),
      datasets: [
        { label: 'fan-days', data: data.alertsPerFanDay.map((b) => b.fanDays), backgroundColor: color('alert') },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: {
        x: { title: { display: true, text: 'alerts that day' } },
        y: { title: { display: true, text: 'fan-days' } },
      },
    },
  });

  const creators = chartCard('Decisions by creator (top 15 by alerts)', 'chart-creator-volume', true);
  const segments = chartCard(`Decisions by ${SEGMENT_NAMES[segmentBy]}`, 'chart-segment-volume', true);
  body.append(creators.card, segments.card);
  const top = data.creators.slice(0, 15);
  draw(creators.canvas, {
    type: 'bar',
    data: {
      labels: top.map((c) => isolatedText(c.handle)),
      datasets: ACTIONS.map((a) => ({ label: a.label, data: top.map((c) => c[a.key]), backgroundColor: a.color })),
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'creator' } } },
    },
  });
  draw(segments.canvas, {
    type: 'bar',
    data: {
      labels: data.segments.map((s) => s.segment),
      datasets: ACTIONS.map((a) => ({
        label: a.label,
        data: data.segments.map((s) => s[a.key]),
        backgroundColor: a.color,
      })),
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: segmentBy } } },
    },
  });

  const share = (n: number, of: number) => (of > 0 ? n / of : null);
  body.append(
    h(
      'section',
      { class: 'card wide' },
      table(
        `Binding rules: ${int(held)} of ${int(data.decisions)} decisions held back by a cap or gap rule`,
        ['rule', 'reason', 'decisions', 'share of all decisions'],
        data.bindingRules.map((r) => [r.rule, reasonText(r.reason), int(r.count), pct(share(r.count, data.decisions))]),
        {
          csv: data.bindingRules.map((r) => [
            r.rule,
            reasonLabel(r.reason),
            r.reason,
            r.count,
            share(r.count, data.decisions),
          ]),
          csvHead: ['rule', 'reason', 'code', 'decisions', 'share of all decisions'],
        },
      ),
    ),
    h(
      'section',
      { class: 'card wide' },
      data.histogramDays.length === 0
        ? h('p', { class: 'muted' }, 'No whole day in this period yet: the histogram leaves out the partial day.')
        : h(
            'p',
            { class: 'muted' },
            'Alerts by the day they are sent in each fan’s own time zone, for each fan with a membership that day, ',
            'over ',
            `${data.histogramDays.length} whole days (the partial day left out).`,
          ),
      table(
        'Alerts per fan per day',
        ['alerts that day', 'fan-days', 'share'],
        data.alertsPerFanDay.map((b) => [bucket(b.alerts), int(b.fanDays), pct(share(b.fanDays, fanDays))]),
        { csv: data.alertsPerFanDay.map((b) => [bucket(b.alerts), b.fanDays, share(b.fanDays, fanDays)]) },
      ),
    ),
    h(
      'section',
      { class: 'card wide' },
      table(
        'Decisions by creator',
        ['creator', 'name', 'alerts', 'digest placements', 'suppressions'],
        data.creators.map((c): Cell[] => [
          isolated(c.handle),
          isolated(c.displayName),
          int(c.alerts),
          int(c.digests),
          int(c.suppressions),
        ]),
        {
          csv: data.creators.map((c) => [c.handle, c.displayName, c.alerts, c.digests, c.suppressions]),
        },
      ),
    ),
    h(
      'section',
      { class: 'card wide' },
      h(
        'p',
        { class: 'muted' },
        'Fans in segment: the fans with a membership live in the period',
        segmentBy === 'channel'
          ? ' who can be reached on the channel now (email: an address not marked undeliverable; push: an active ' +
              'subscription); '
          : segmentBy === 'membership'
            ? ' of that kind (none: fans without one); '
            : ' with that locale; ',
        'alerts per fan divides the segment’s alerts by them.',
      ),
      table(
        `Decisions by ${SEGMENT_NAMES[segmentBy]}`,
        [segmentBy, 'fans in segment', 'alerts', 'alerts per fan', 'digest placements', 'suppressions'],
        data.segments.map((s) => [
          s.segment,
          int(s.fans),
          int(s.alerts),
          s.fans ? (s.alerts / s.fans).toFixed(2) : '—',
          int(s.digests),
          int(s.suppressions),
        ]),
        {
          csv: data.segments.map((s) => [
            s.segment,
            s.fans,
            s.alerts,
            s.fans ? s.alerts / s.fans : null,
            s.digests,
            s.suppressions,
          ]),
        },
      ),
    ),
  );
}
