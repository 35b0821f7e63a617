// The console's entry: styles, the hash router that renders one page at a time, and who is logged in.
import './style.css';
import type { SessionAnswer } from '../../wire/session.ts';
import { renderAccess } from './access.ts';
import { watchAlerts } from './alerts.ts';
import { api } from './api.ts';
import { renderAudit } from './audit.ts';
import { renderCaps } from './caps.ts';
import { renderCreator } from './creator.ts';
import { errorBox, h } from './dom.ts';
import { renderExperiments } from './experiments.ts';
import { renderFans } from './fans.ts';
import { renderFatigue } from './fatigue.ts';
import { renderModel } from './model.ts';
import { renderOverview } from './overview.ts';

type Page = (root: HTMLElement, params: URLSearchParams) => Promise<void>;
const PAGES: Record<string, { title: string; render: Page }> = {
  overview: { title: 'Overview', render: renderOverview },
  fatigue: { title: 'Fatigue', render: renderFatigue },
  caps: { title: 'Caps', render: renderCaps },
  fans: { title: 'Fans', render: renderFans },
  model: { title: 'Model', render: renderModel },
  creator: { title: 'Creator view', render: renderCreator },
  audit: { title: 'Audit log', render: renderAudit },
  experiments: { title: 'Experiments', render: renderExperiments },
  access: { title: 'Access', render: renderAccess },
};

const view = document.getElementById('view') as HTMLElement;
let rendering = 0;
/** The page shown last: focus moves to the content only when the page changes (not on the first load). */
let shown: string | null = null;

/**
 * After navigation to another page, keyboard focus goes to the new page's main heading (or the view itself), so a
 * keyboard or screen-reader user starts there. A change within a page (a filter in the hash) keeps the focused control.
 */
function focusContent(root: HTMLElement, name: string, focusedId: string | null): void {
  const previous = shown;
  shown = name;
  if (previous === null) return;
  if (previous === name) {
    if (focusedId) document.getElementById(focusedId)?.focus();
    return;
  }
  const target = root.querySelector<HTMLElement>('h1') ?? view;
  if (target !== view) target.setAttribute('tabindex', '-1');
  target.focus();
}

async function route(): Promise<void> {
  const [path, query = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  const name = PAGES[path] ? path : 'overview';
  const page = PAGES[name];
  const mine = ++rendering;
  const focusedId = document.activeElement?.id || null;
  document.title = `${page.title} · Fanfare console`;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const root = h('div', { class: 'page', 'data-page': name, 'aria-busy': 'true' });
  view.replaceChildren(root);
  try {
    await page.render(root, new URLSearchParams(query));
  } catch (err) {
    if (mine === rendering) root.append(errorBox(err));
  } finally {
    root.setAttribute('aria-busy', 'false');
    if (mine === rendering) focusContent(root, name, focusedId);
  }
}

window.addEventListener('hashchange', () => void route());
void route();
watchAlerts(document.getElementById('alert-banner') as HTMLElement);
void api<SessionAnswer>('GET', '/api/admin/session').then((s) => {
  (document.getElementById('who') as HTMLElement).textContent = `Logged in as ${s.name} (${s.role})`;
  // Only admins manage access; the routes refuse everyone else (403) whatever the navigation shows.
  (document.getElementById('nav-access') as HTMLElement).hidden = !s.actions.includes('team.manage');
  // Experiments are for editors; the routes refuse viewers (403) whatever the navigation shows.
  (document.getElementById('nav-experiments') as HTMLElement).hidden = !s.actions.includes('experiment.manage');
});
