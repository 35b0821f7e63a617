// A page's period filter: from and to dates and the time zone, kept in the hash query so a link or a reload keeps them.
import type { Period } from '../../wire/period.ts';
import { h } from './dom.ts';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Sets the page's hash query (in its order); the router renders the page again from it. */
export function setHashQuery(page: string, params: Record<string, string | undefined>): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  window.location.hash = `#/${page}${text ? `?${text}` : ''}`;
}

/** The period's part of an API query from the page's hash: from, to and tz as given, or the default days. */
export function periodApiQuery(params: URLSearchParams, defaultDays: number): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'tz']) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  if (!q.has('from') && !q.has('to')) q.set('days', String(defaultDays));
  return q;
}

/** The zones offered: UTC, the browser's own, and the one in the link if it is another. */
function zones(current: string): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return [...new Set(['UTC', own, current].filter(Boolean))];
}

/**
 * The filter bar: From, To, Time zone and Apply (which writes the hash), and links for the last 7, 28 and 92 days in
 * the same zone. `extra` are the page's other hash parameters, kept by every link and by Apply.
 */
export function periodControls(
  page: string,
  params: URLSearchParams,
  shown: Period | null,
  extra: Record<string, string | undefined> = {},
): HTMLElement {
  const tz = params.get('tz') ?? shown?.timeZone ?? 'UTC';
  const from = h('input', { type: 'date', id: `${page}-from`, value: params.get('from') ?? shown?.from ?? '' });
  const to = h('input', { type: 'date', id: `${page}-to`, value: params.get('to') ?? shown?.to ?? '' });
  const zone = h(
    'select',
    { id: `${page}-tz` },
    ...zones(tz).map((z) => h('option', { value: z, selected: z === tz }, z)),
  );
  const apply = h('button', { type: 'submit', class: 'primary' }, 'Apply');
  const form = h(
    'form',
    { class: 'toolbar', 'aria-label': 'Period' },
    h('label', { for: from.id }, 'From'),
    from,
    h('label', { for: to.id }, 'To'),
    to,
    h('label', { for: zone.id }, 'Time zone'),
    zone,
    apply,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setHashQuery(page, { ...extra, from: from.value, to: to.value, tz: zone.value === 'UTC' ? undefined : zone.value });
  });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date());
  const last = Date.parse(`${today}T00:00:00Z`);
  const quick = h(
    'p',
    { class: 'quick-periods' },
    'Last ',
    ...[7, 28, 92].flatMap((n, i) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
      q.set('from', dayOf(last - (n - 1) * DAY_MS));
      q.set('to', dayOf(last));
      if (tz !== 'UTC') q.set('tz', tz);
      return [i > 0 ? ', ' : '', h('a', { href: `#/${page}?${q}` }, `${n}`)];
    }),
    ' days',
  );
  return h('div', {}, form, quick);
}

/** Says how days are cut and which one is still running. */
export function periodNote(period: Period, previous?: Period): HTMLElement {
  const zone =
    period.timeZone === 'UTC'
      ? 'Days are UTC days (00:00 to 24:00 UTC).'
      : `Days are cut at midnight in ${period.timeZone}.`;
  const partial = period.partialDay
    ? ` Today (${period.partialDay}) is partial: it is still running, and is marked so in charts and tables.`
    : '';
  const before = previous
    ? ` Changes compare with the previous ${previous.days.length} days, ${previous.from} to ${previous.to}.`
    : '';
  return h(
    'p',
    { class: 'muted period-note' },
    `${period.from} to ${period.to}, ${period.days.length} days. ${zone}${partial}${before}`,
  );
}

/** A day as charts and tables label it: the partial day says so. */
export const dayLabel = (period: Period, day: string) => (day === period.partialDay ? `${day} (partial)` : day);
