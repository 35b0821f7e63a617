// The creator view: for one event, reach by channel, scheduled sends over time and opens so far.
import type { EventListAnswer, EventReport } from '../../wire/events.ts';
import { api } from './api.ts';
import { color, draw } from './charts.ts';
import { chartCard, h, int, isolatedText, pct, table, when } from './dom.ts';

export async function renderCreator(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const { events } = await api<EventListAnswer>('GET', '/api/admin/events?limit=100');
  root.append(h('h1', {}, 'Creator view'));
  if (events.length === 0) {
    root.append(h('p', { role: 'status' }, 'No events announced yet.'));
    return;
  }
  const chosen = Number(params.get('event')) || events[0].id;
  const select = h(
    'select',
    { id: 'event-select' },
    ...events.map((e) =>
      h(
        'option',
        { value: e.id, selected: e.id === chosen },
        `#${e.id} ${isolatedText(e.creatorHandle)}: ${isolatedText(e.title)} ` +
          `(${e.kind}, ${when(e.createdAt)}, ${e.decisions} decisions)`,
      ),
    ),
  );
  select.addEventListener('change', () => (window.location.hash = `#/creator?event=${select.value}`));
  const body = h('div', { class: 'grid' });
  root.append(h('div', { class: 'toolbar' }, h('label', { for: 'event-select' }, 'Event'), select), body);

  const r = await api<EventReport>('GET', `/api/admin/events/${chosen}/report`);
  const reach = chartCard('Reach by channel', 'chart-reach');
  const schedule = chartCard('Scheduled sends by hour (UTC), with sent and opened so far', 'chart-schedule');
  const opens = chartCard('Opens so far, by hour (UTC)', 'chart-opens', true);
  body.append(reach.card, schedule.card, opens.card);
  draw(reach.canvas, {
    type: 'bar',
    data: {
      labels: r.reach.map((x) => x.channel),
      datasets: [
        { label: 'alert', data: r.reach.map((x) => x.alerts), backgroundColor: color('alert') },
        { label: 'digest', data: r.reach.map((x) => x.digests), backgroundColor: color('digest') },
        { label: 'suppress', data: r.reach.map((x) => x.suppressed), backgroundColor: color('suppress') },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'fans' } } } },
  });
  const hourLabel = (iso: string) => `${iso.slice(5, 13).replace('T', ' ')}h`;
  draw(schedule.canvas, {
    type: 'bar',
    data: {
      labels: r.schedule.map((x) => hourLabel(x.hour)),
      datasets: [
        { label: 'scheduled', data: r.schedule.map((x) => x.scheduled), backgroundColor: color('current') },
        { label: 'sent', data: r.schedule.map((x) => x.sent), backgroundColor: color('email') },
        { label: 'opened', data: r.schedule.map((x) => x.opened), backgroundColor: color('proposed') },
      ],
    },
    options: { scales: { y: { title: { display: true, text: 'alerts' } } } },
  });
  let running = 0;
  draw(opens.canvas, {
    type: 'line',
    data: {
      labels: r.opens.map((x) => hourLabel(x.hour)),
      datasets: [
        {
          label: 'opens in the hour',
          data: r.opens.map((x) => x.opens),
          borderColor: color('email'),
          backgroundColor: color('email'),
        },
        {
          label: 'opens so far',
          data: r.opens.map((x) => (running += x.opens)),
          borderColor: color('proposed'),
          backgroundColor: color('proposed'),
        },
      ],
    },
    options: { plugins: { subtitle: { display: r.opens.length === 0, text: 'no opens yet' } } },
  });
  body.append(
    h(
      'section',
      { class: 'card wide' },
      table(
        `"${isolatedText(r.event.title)}" (${r.event.kind}), announced ${when(r.event.createdAt)}`,
        ['channel', 'decisions', 'alerts', 'digests', 'suppressed', 'sent', 'opened', 'open rate'],
        r.reach.map((x) => [
          x.channel,
          int(x.decisions),
          int(x.alerts),
          int(x.digests),
          int(x.suppressed),
          int(x.sent),
          int(x.opened),
          pct(x.sent ? x.opened / x.sent : null),
        ]),
      ),
    ),
  );
}
