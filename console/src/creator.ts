// The creator view: pick a creator (by handle, name or id) and a period, its totals, then one of its events: reach by
// channel, scheduled sends over time and opens so far. The creator, period and event live in the hash.
import type {
  CreatorPick,
  CreatorPickAnswer,
  CreatorSummary,
  EventListAnswer,
  EventListItem,
  EventReport,
} from '../../wire/events.ts';
import { api } from './api.ts';
import { color, draw } from './charts.ts';
import { chartCard, h, int, isolated, isolatedText, pct, table, when } from './dom.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The page's address for these filters; the event goes last, so an address ends with the event it shows. */
function address(f: { creator?: number; from?: string; to?: string; event?: number }): string {
  const q = new URLSearchParams();
  if (f.creator) q.set('creator', String(f.creator));
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.event) q.set('event', String(f.event));
  return `#/creator?${q}`;
}

const pickLabel = (c: CreatorPick) => `${isolatedText(c.handle)} (${isolatedText(c.displayName)}) #${c.id}`;
const eventLabel = (e: EventListItem) =>
  `#${e.id} ${isolatedText(e.creatorHandle)}: ${isolatedText(e.title)} ` +
  `(${e.kind}, ${when(e.createdAt)}, ${e.decisions} decisions)`;

export async function renderCreator(root: HTMLElement, params: URLSearchParams): Promise<void> {
  root.append(h('h1', {}, 'Creator view'));
  const from = DAY.test(params.get('from') ?? '') ? (params.get('from') as string) : undefined;
  const to = DAY.test(params.get('to') ?? '') ? (params.get('to') as string) : undefined;
  let eventId = Number(params.get('event')) || undefined;
  let creatorId = Number(params.get('creator')) || undefined;
  // An event alone names its creator; nothing at all starts from the latest event's.
  if (!creatorId) {
    if (eventId) creatorId = (await api<EventReport>('GET', `/api/admin/events/${eventId}/report`)).event.creatorId;
    else {
      const { events } = await api<EventListAnswer>('GET', '/api/admin/events?limit=1');
      if (events.length === 0) {
        root.append(h('p', { role: 'status' }, 'No events announced yet.'));
        return;
      }
      creatorId = events[0].creatorId;
      eventId = events[0].id;
    }
  }
  const period = new URLSearchParams();
  if (from) period.set('from', from);
  if (to) period.set('to', to);
  const summary = await api<CreatorSummary>('GET', `/api/admin/creators/${creatorId}/summary?${period}`);
  const go = (f: { creator?: number; from?: string; to?: string; event?: number }) => {
    window.location.hash = address({ creator: creatorId, from, to, ...f });
  };

  // The picker: typing narrows the list; choosing a creator shows its latest event.
  const search = h('input', {
    id: 'creator-search',
    type: 'search',
    placeholder: 'handle, name or id',
    autocomplete: 'off',
    'aria-controls': 'creator-select',
  });
  const creatorSelect = h('select', { id: 'creator-select' });
  const fill = (creators: CreatorPick[]) => {
    const list = creators.some((c) => c.id === summary.creator.id) ? creators : [summary.creator, ...creators];
    creatorSelect.replaceChildren(
      ...list.map((c) => h('option', { value: c.id, selected: c.id === summary.creator.id }, pickLabel(c))),
    );
  };
  fill([summary.creator]);
  let searching = 0;
  let timer: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const mine = ++searching;
      const q = encodeURIComponent(search.value.trim());
      const { creators } = await api<CreatorPickAnswer>('GET', `/api/admin/creators/search?q=${q}`);
      if (mine === searching) fill(creators);
    }, 200);
  });
  void api<CreatorPickAnswer>('GET', '/api/admin/creators/search').then(({ creators }) => {
    if (searching === 0) fill(creators);
  });
  creatorSelect.addEventListener('change', () => go({ creator: Number(creatorSelect.value), event: undefined }));
  const fromInput = h('input', { id: 'creator-from', type: 'date', value: summary.from, max: summary.to });
  const toInput = h('input', { id: 'creator-to', type: 'date', value: summary.to, min: summary.from });
  const periodChanged = () =>
    go({ from: fromInput.value || undefined, to: toInput.value || undefined, event: eventId });
  fromInput.addEventListener('change', periodChanged);
  toInput.addEventListener('change', periodChanged);

  const t = summary.totals;
  const sent = t.sent.email + t.sent.push;
  const totals: [string, string, number][] = [
    ['events', 'Events announced', t.events],
    ['decisions', 'Decisions', t.decisions],
    ['sent-email', 'Email alerts sent', t.sent.email],
    ['sent-push', 'Push alerts sent', t.sent.push],
    ['digests', 'Digest placements', t.digests],
    ['opens', 'Opens', t.opens],
    ['clicks', 'Clicks', t.clicks],
    ['unsubscribes', 'Unsubscribes', t.unsubscribes],
  ];
  root.append(
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'creator-search' }, 'Find a creator'),
      search,
      h('label', { for: 'creator-select' }, 'Creator'),
      creatorSelect,
      h('label', { for: 'creator-from' }, 'From'),
      fromInput,
      h('label', { for: 'creator-to' }, 'To'),
      toInput,
    ),
    h(
      'section',
      { class: 'card', id: 'creator-summary' },
      h(
        'h2',
        { id: 'creator-heading' },
        isolated(summary.creator.handle),
        ' (',
        isolated(summary.creator.displayName),
        `): events announced ${summary.from} to ${summary.to} (UTC days)`,
      ),
      h(
        'dl',
        { class: 'creator-totals', id: 'creator-totals' },
        ...totals.map(([key, label, n]) => h('div', {}, h('dt', {}, label), h('dd', { 'data-total': key }, int(n)))),
      ),
      h(
        'p',
        { class: 'muted' },
        `Alerts decided: email ${int(t.alerts.email)}, push ${int(t.alerts.push)}; ${int(t.suppressed)} suppressed. ` +
          `Open rate of sent alerts: ${pct(sent ? t.opens / sent : null)}.`,
      ),
    ),
  );
  const events = summary.events;
  if (eventId && !events.some((e) => e.id === eventId)) {
    const { events: recent } = await api<EventListAnswer>('GET', '/api/admin/events?limit=500');
    const shown = recent.find((e) => e.id === eventId && e.creatorId === summary.creator.id);
    if (shown) events.unshift(shown);
  }
  if (events.length === 0) {
    root.append(h('p', { role: 'status' }, 'This creator announced no event in the period.'));
    return;
  }
  const chosen = eventId && events.some((e) => e.id === eventId) ? eventId : events[0].id;
  const select = h(
    'select',
    { id: 'event-select' },
    ...events.map((e) => h('option', { value: e.id, selected: e.id === chosen }, eventLabel(e))),
  );
  select.addEventListener('change', () => go({ event: Number(select.value) }));
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
