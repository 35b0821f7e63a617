// The alert banner above every page: the open alerts, re-read every minute, gone when the monitor clears them.
import type { AlertsAnswer } from '../../wire/alerts.ts';
import { api } from './api.ts';
import { h, when } from './dom.ts';

/** How often the banner asks again; the monitor runs hourly, so a minute is prompt enough. */
const REFRESH_MS = 60_000;

/** Fills `banner` with the open alerts, or hides it when there are none. */
export async function showAlerts(banner: HTMLElement): Promise<void> {
  const { open } = await api<AlertsAnswer>('GET', '/api/admin/alerts');
  banner.hidden = open.length === 0;
  banner.replaceChildren(
    h('strong', {}, open.length === 1 ? '1 open alert' : `${open.length} open alerts`),
    h(
      'ul',
      {},
      ...open.map((a) =>
        h(
          'li',
          { 'data-rule': a.rule },
          h('span', { class: 'alert-rule' }, a.rule),
          ` ${a.message} `,
          h('span', { class: 'alert-since' }, `since ${when(a.raisedAt)}`),
        ),
      ),
    ),
    h('p', { class: 'alert-help' }, 'What to do for each: docs/OPERATIONS.md, section Alerts.'),
  );
}

/** Shows the banner now and keeps it current; a failed read leaves the last one shown. */
export function watchAlerts(banner: HTMLElement): void {
  const refresh = () => showAlerts(banner).catch(() => undefined);
  void refresh();
  setInterval(refresh, REFRESH_MS);
}
