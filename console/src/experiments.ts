// The experiments page: running and stopped experiments, a form to start one, and one experiment's results per arm.
import { RESULT_METRICS, type ResultMetric } from '../../domain/experiment.ts';
import type {
  ExperimentJson,
  ExperimentListAnswer,
  ExperimentResultsAnswer,
  IntervalJson,
} from '../../wire/experiments.ts';
import { ApiError, api } from './api.ts';
import { h, int, num, pct, table, when } from './dom.ts';

const LABELS: Record<ResultMetric, string> = {
  alerts: 'Alerts per fan',
  alertOpens: 'Alert opens per fan',
  digestOpens: 'Digest opens per fan',
  clicks: 'Clicks per fan',
  unsubscribes: 'Unsubscribes per fan',
};

const interval = (i: IntervalJson | null, format: (x: number | null) => string) =>
  i === null ? '' : i.estimate === null ? '—' : `${format(i.estimate)} [${format(i.low)}, ${format(i.high)}]`;

/** Whether a difference's 95% interval leaves out zero: the direction then shows in the cell's class. */
const significance = (i: IntervalJson | null) =>
  i && i.low !== null && i.high !== null ? (i.high < 0 ? 'lower' : i.low > 0 ? 'higher' : 'unclear') : 'unclear';

export async function renderExperiments(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const id = params.get('id');
  if (id) return renderResults(root, id, params);
  const list = await api<ExperimentListAnswer>('GET', '/api/admin/experiments');
  root.append(
    h('h1', {}, 'Experiments'),
    h(
      'p',
      {},
      'Fans are assigned to arms by a stable hash; a fan is in one experiment at a time. ',
      `${list.globalHoldoutPercent}% `,
      'of fans form the standing global holdout, decided without relevance filtering: ',
      h('a', { href: '#/experiments?id=global-holdout', id: 'global-holdout-results' }, 'its results'),
      '.',
    ),
  );
  const status = h('div', { id: 'experiment-status', role: 'status', 'aria-live': 'polite' });
  root.append(status, experimentTable(list.experiments, status), createForm(status));
}

function armsText(e: ExperimentJson): string {
  return e.arms
    .map((a) => {
      const what = a.holdout
        ? 'holdout'
        : [a.capPolicyVersion ? `policy ${a.capPolicyVersion}` : '', a.modelVersion ? `model ${a.modelVersion}` : '']
            .filter(Boolean)
            .join(', ') || 'control';
      return `${a.name} ${a.allocation}% (${what})`;
    })
    .join('; ');
}

function experimentTable(experiments: ExperimentJson[], status: HTMLElement): HTMLElement {
  if (experiments.length === 0) return h('p', { role: 'status' }, 'No experiment yet.');
  const rows = experiments.map((e) => {
    const stop = h('button', { type: 'button', 'aria-label': `Stop experiment ${e.id}` }, 'Stop');
    stop.addEventListener('click', async () => {
      if (!window.confirm(`Stop experiment ${e.id} "${e.name}"? Its fans are decided as usual from the next batch.`))
        return;
      try {
        await api('POST', `/api/admin/experiments/${e.id}/stop`);
        window.location.hash = `#/experiments?stopped=${e.id}`;
      } catch (err) {
        status.className = 'errors';
        status.textContent = err instanceof ApiError ? err.message : String(err);
      }
    });
    return [
      h('a', { href: `#/experiments?id=${e.id}` }, `${e.id}`),
      e.name,
      h('span', { class: `badge ${e.stoppedAt ? 'retired' : 'active'}` }, e.stoppedAt ? 'stopped' : 'running'),
      `${e.trafficPercent}%`,
      armsText(e),
      when(e.startedAt),
      when(e.stoppedAt),
      e.stoppedAt ? '' : stop,
    ];
  });
  return table(
    'Experiments, running first',
    ['Id', 'Name', 'Status', 'Traffic', 'Arms', 'Started', 'Stopped', ''],
    rows,
  );
}

function createForm(status: HTMLElement): HTMLElement {
  const name = h('input', { id: 'experiment-name', name: 'name', required: true, maxlength: 100 });
  const armRow = (i: number, armName: string, allocation: string) =>
    h(
      'fieldset',
      { class: 'arm' },
      h('legend', {}, `Arm ${i + 1}`),
      h('label', {}, 'Name ', h('input', { name: `arm-${i}-name`, value: armName, size: 12 })),
      h('label', {}, 'Allocation % ', h('input', { name: `arm-${i}-allocation`, value: allocation, size: 5 })),
      h('label', {}, 'Cap policy version ', h('input', { name: `arm-${i}-policy`, size: 4 })),
      h('label', {}, 'Model version ', h('input', { name: `arm-${i}-model`, size: 4 })),
      h('label', {}, h('input', { type: 'checkbox', name: `arm-${i}-holdout` }), ' holdout'),
    );
  const form = h(
    'form',
    { id: 'experiment-create', class: 'card' },
    h('h2', {}, 'Start an experiment'),
    h('p', {}, 'The arm that sets nothing is the control. Empty arm names are left out.'),
    h('label', {}, 'Name ', name),
    armRow(0, 'control', '10'),
    armRow(1, 'variant', '10'),
    armRow(2, '', ''),
    h('button', { type: 'submit' }, 'Start'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const field = (k: string) => String(data.get(k) ?? '').trim();
    const version = (k: string) => (field(k) === '' ? null : Number(field(k)));
    const arms = [0, 1, 2]
      .filter((i) => field(`arm-${i}-name`) !== '')
      .map((i) => ({
        name: field(`arm-${i}-name`),
        allocation: Number(field(`arm-${i}-allocation`)),
        capPolicyVersion: version(`arm-${i}-policy`),
        modelVersion: version(`arm-${i}-model`),
        holdout: data.get(`arm-${i}-holdout`) === 'on',
      }));
    try {
      const e = await api<ExperimentJson>('POST', '/api/admin/experiments', { name: field('name'), arms });
      window.location.hash = `#/experiments?id=${e.id}`;
    } catch (err) {
      status.className = 'errors';
      status.textContent = err instanceof ApiError ? err.message : String(err);
    }
  });
  return form;
}

const day = (iso: string) => iso.slice(0, 10);
/** The day after a YYYY-MM-DD day: the range's end is inclusive on the page, exclusive in the API. */
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

async function renderResults(root: HTMLElement, id: string, params: URLSearchParams): Promise<void> {
  const query = new URLSearchParams();
  for (const k of ['from', 'to']) if (params.get(k)) query.set(k, params.get(k)!);
  const path = id === 'global-holdout' ? 'global-holdout' : encodeURIComponent(id);
  const r = await api<ExperimentResultsAnswer>('GET', `/api/admin/experiments/${path}/results?${query}`);
  const from = h('input', { type: 'date', id: 'results-from', value: day(r.from) });
  const to = h('input', { type: 'date', id: 'results-to', value: day(new Date(Date.parse(r.to) - 1).toISOString()) });
  const range = h(
    'form',
    { id: 'results-range', class: 'range' },
    h('label', {}, 'Decisions from ', from),
    h('label', {}, ' to ', to),
    h('button', { type: 'submit' }, 'Show'),
  );
  range.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ id });
    if (from.value) q.set('from', from.value);
    if (to.value) q.set('to', nextDay(to.value));
    window.location.hash = `#/experiments?${q}`;
  });
  root.append(
    h('p', {}, h('a', { href: '#/experiments' }, '← All experiments')),
    h('h1', {}, r.experimentId === null ? 'Global holdout' : `Experiment ${r.experimentId}: ${r.name}`),
    h(
      'p',
      {},
      `Per fan, each arm against ${r.control}, over decisions made from ${when(r.from)} to ${when(r.to)}. `,
      'Intervals are 95%, by the delta method over fan-level counts; ',
      'a difference whose interval leaves out 0 is marked.',
    ),
    range,
    table(
      'Fans per arm',
      ['Arm', 'Kind', 'Fans'],
      r.arms.map((a) => [a.arm, a.kind, int(a.fans)]),
    ),
  );
  const grid = h('div', { class: 'grid', id: 'experiment-results' });
  for (const m of RESULT_METRICS) {
    const rows = r.arms.map((a) => {
      const d = a.metrics[m].difference;
      return [
        a.arm,
        num(a.metrics[m].mean, 3),
        h(
          'span',
          { class: `ci ${significance(d)}`, 'data-metric': m, 'data-arm': a.arm },
          interval(d, (x) => num(x, 3)),
        ),
        interval(a.metrics[m].relative, (x) => pct(x)),
      ];
    });
    grid.append(
      h(
        'section',
        { class: 'card' },
        table(LABELS[m], ['Arm', 'Mean', `Difference to ${r.control} [95% CI]`, 'Relative [95% CI]'], rows),
      ),
    );
  }
  root.append(grid);
}
