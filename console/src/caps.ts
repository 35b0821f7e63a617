// The caps page: the active cap policy, a live-validated editor, its diff, a side-by-side replay, Apply and the audit.
import type { FieldError } from '../../domain/field-error.ts';
import type { JsonChange } from '../../domain/json-change.ts';
import { jsonDiff } from '../../policy/diff.ts';
import type {
  ActivePolicyAnswer,
  PolicyAuditAnswer,
  PolicyChange,
  PolicyFieldsAnswer,
  PolicyValidation,
} from '../../wire/policy.ts';
import {
  HISTORY_REPLAY_DEFAULTS,
  HISTORY_REPLAY_LIMITS,
  type HistoryReplayAnswer,
  SIMULATE_DEFAULTS,
  SIMULATE_LIMITS,
} from '../../wire/replay.ts';
import { ApiError, api } from './api.ts';
import { capsForm } from './caps-form.ts';
import { renderHistoryReplay } from './caps-history.ts';
import { color, draw } from './charts.ts';
import { chartCard, h, int, num, table, when } from './dom.ts';
import { figures, type ReplayFigures, simulate, simulateHistory } from './replay.ts';

const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));

function changeList(changes: JsonChange[]): HTMLElement {
  if (changes.length === 0) return h('p', { class: 'muted' }, 'No changes from the active policy.');
  return h(
    'ul',
    { class: 'diff' },
    ...changes.map((c) =>
      h(
        'li',
        { class: `diff-${c.op}` },
        h('code', {}, c.path),
        ': ',
        c.op === 'add'
          ? `added ${show(c.to)}`
          : c.op === 'remove'
            ? `removed ${show(c.from)}`
            : `${show(c.from)} → ${show(c.to)}`,
      ),
    ),
  );
}

function errorList(errors: FieldError[]): HTMLElement {
  return h('ul', {}, ...errors.map((e) => h('li', {}, h('code', {}, e.field), `: ${e.rule}`)));
}

export async function renderCaps(root: HTMLElement): Promise<void> {
  let active = await api<ActivePolicyAnswer>('GET', '/api/admin/policy');
  const { fields } = await api<PolicyFieldsAnswer>('GET', '/api/admin/policy/fields');
  const summary = h('p', { id: 'active-policy' });
  const editor = h('textarea', {
    id: 'policy-editor',
    spellcheck: 'false',
    rows: 24,
    'aria-describedby': 'policy-validation',
  });
  const validation = h('div', { id: 'policy-validation', role: 'status', 'aria-live': 'polite' });
  const diff = h('div', { id: 'policy-diff' });
  // The replay's bounds are the server's (wire/replay.ts, checked by http/simulate-input.ts): the inputs offer no more.
  const days = h('input', {
    id: 'simulate-days',
    type: 'number',
    step: 1,
    required: true,
    'aria-describedby': 'simulate-days-help',
  });
  const daysHelp = h('span', { id: 'simulate-days-help', class: 'muted' });
  const fans = h('input', {
    id: 'simulate-fans',
    type: 'number',
    step: 1,
    required: true,
    'aria-describedby': 'simulate-fans-help',
  });
  const fansHelp = h('span', { id: 'simulate-fans-help', class: 'muted' });
  const modeHistory = h('input', { type: 'radio', name: 'replay-mode', id: 'mode-history', value: 'history' });
  const modeWorld = h('input', { type: 'radio', name: 'replay-mode', id: 'mode-world', value: 'world' });
  modeHistory.checked = true;
  const limits = () =>
    modeHistory.checked
      ? { days: HISTORY_REPLAY_LIMITS.days, fans: HISTORY_REPLAY_LIMITS.fans }
      : { days: SIMULATE_LIMITS.days, fans: SIMULATE_LIMITS.fans };
  const setMode = () => {
    const l = limits();
    const defaults = modeHistory.checked
      ? { days: 7, fans: HISTORY_REPLAY_DEFAULTS.fans }
      : { days: 7, fans: SIMULATE_DEFAULTS.world.fans };
    for (const [input, help, b, value, unit] of [
      [days, daysHelp, l.days, defaults.days, 'days'],
      [fans, fansHelp, l.fans, defaults.fans, modeHistory.checked ? 'real fans sampled' : 'simulated fans'],
    ] as const) {
      input.min = String(b.min);
      input.max = String(b.max);
      input.value = String(value);
      help.textContent = `${unit}, ${b.min} to ${b.max}`;
    }
  };
  modeHistory.addEventListener('change', setMode);
  modeWorld.addEventListener('change', setMode);
  setMode();
  const simulateButton = h('button', { type: 'button', id: 'simulate' }, 'Simulate');
  const applyButton = h('button', { type: 'button', id: 'apply', class: 'primary' }, 'Apply');
  const resetButton = h('button', { type: 'button', class: 'quiet' }, 'Reset to active');
  const simulation = h('div', { id: 'simulation', class: 'grid' });
  const applyStatus = h('div', { id: 'apply-status', role: 'status', 'aria-live': 'polite' });
  const audit = h('div', { id: 'audit' });

  const formStatus = h('p', { id: 'policy-form-status', class: 'muted', 'aria-live': 'polite' });
  const form = capsForm(fields, (doc) => {
    // The form edited the document: the JSON follows, and the form keeps its focus (no redraw).
    editor.value = JSON.stringify(doc, null, 2);
    edited();
    schedule(false);
  });
  root.append(
    h('h1', {}, 'Caps'),
    summary,
    h(
      'div',
      { class: 'split' },
      h('section', { class: 'card' }, h('h2', {}, 'Edit the cap policy'), formStatus, form.element),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'As JSON'),
        h('label', { for: 'policy-editor' }, 'Policy document (JSON)'),
        h('p', { class: 'muted' }, 'The same document as the form: an edit on either side shows on the other.'),
        editor,
        validation,
        h('div', { class: 'toolbar' }, applyButton, resetButton),
        applyStatus,
        h('h2', {}, 'Changes from the active policy'),
        diff,
      ),
    ),
    h('h2', {}, 'Replay: active and proposed, side by side'),
    h(
      'section',
      { class: 'card' },
      h(
        'fieldset',
        { class: 'replay-mode' },
        h('legend', {}, 'Replay on'),
        h(
          'label',
          { for: 'mode-history' },
          modeHistory,
          " the real audience's logged history (a sample of fans, with 95% intervals)",
        ),
        h('label', { for: 'mode-world' }, modeWorld, ' a simulated world (one run)'),
      ),
      h(
        'div',
        { class: 'toolbar' },
        h('label', { for: 'simulate-days' }, 'Replay days'),
        days,
        daysHelp,
        h('label', { for: 'simulate-fans' }, 'Replay fans'),
        fans,
        fansHelp,
        simulateButton,
      ),
    ),
    simulation,
    h('h2', {}, 'Audit history'),
    audit,
  );

  const describe = () => {
    summary.textContent =
      active.source === 'default'
        ? 'Active policy: the built-in default (no version stored yet).'
        : `Active policy: version ${active.version}, "${(active.document as { name?: string }).name}", ` +
          `set by ${active.createdBy} on ${when(active.createdAt)}.`;
  };
  const loadAudit = async () => {
    const { entries } = await api<PolicyAuditAnswer>('GET', '/api/admin/policy/audit?limit=50');
    audit.replaceChildren(
      entries.length === 0
        ? h('p', { class: 'muted' }, 'No policy has been applied yet.')
        : table(
            'Every applied policy, newest first',
            ['version', 'who', 'when', 'action', 'changes'],
            entries.map((e) => [String(e.version), e.actor, when(e.at), e.action, changeList(e.diff)]),
          ),
    );
  };

  /** The editor's document if it parses, else null with the parse error shown. */
  let proposed: unknown = null;
  let valid = false;
  let changed = false;
  let seq = 0;
  /** Counts edits: a replay answer for an earlier text is dropped, and the shown one is cleared by an edit. */
  let edits = 0;
  /** fromEditor: the JSON was edited, so the form is redrawn from it. */
  const check = async (fromEditor: boolean) => {
    const mine = ++seq;
    valid = false;
    applyButton.disabled = true;
    simulateButton.disabled = true;
    try {
      proposed = JSON.parse(editor.value);
    } catch (err) {
      proposed = null;
      form.showErrors([]);
      formStatus.textContent = 'The JSON does not parse: the form shows the last document that did.';
      validation.className = 'errors';
      validation.replaceChildren(
        h('p', {}, 'Refused:'),
        errorList([{ field: '(document)', rule: `must be valid JSON (${(err as Error).message})` }]),
      );
      diff.replaceChildren();
      return;
    }
    formStatus.textContent = '';
    if (fromEditor) form.render(proposed);
    const changes = jsonDiff(active.document, proposed);
    changed = changes.length > 0;
    diff.replaceChildren(changeList(changes));
    validation.className = '';
    validation.textContent = 'Checking…';
    const r = await api<PolicyValidation>('POST', '/api/admin/policy/validate', proposed);
    if (mine !== seq) return;
    valid = r.valid;
    form.showErrors(r.errors);
    validation.className = r.valid ? 'ok' : 'errors';
    validation.replaceChildren(
      r.valid ? h('p', {}, 'Valid policy.') : h('div', {}, h('p', {}, 'Refused:'), errorList(r.errors)),
    );
    // Nothing to apply while the document is the active one; a replay of it still compares like with like.
    applyButton.disabled = !r.valid || !changed;
    applyButton.title = changed ? '' : 'Nothing to apply: the document is the active policy.';
    simulateButton.disabled = !r.valid;
  };
  /** An edit makes the shown replay stale: it no longer describes the document in the editor. */
  const edited = () => {
    edits++;
    if (simulation.childElementCount > 0)
      simulation.replaceChildren(
        h('p', { class: 'muted wide', id: 'simulation-stale' }, 'The policy changed: Simulate to replay it.'),
      );
  };
  let timer: number | undefined;
  const schedule = (fromEditor: boolean) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void check(fromEditor), 250);
  };
  editor.addEventListener('input', () => {
    edited();
    schedule(true);
  });
  const reset = () => {
    edited();
    editor.value = JSON.stringify(active.document, null, 2);
    void check(true);
  };
  resetButton.addEventListener('click', reset);

  simulateButton.addEventListener('click', async () => {
    if (!valid) return;
    const n = Number(days.value);
    const size = Number(fans.value);
    const mine = edits;
    const l = limits();
    const bad = [
      { field: 'days', input: days, value: n, b: l.days },
      { field: 'fans', input: fans, value: size, b: l.fans },
    ].filter((x) => !Number.isInteger(x.value) || x.value < x.b.min || x.value > x.b.max);
    if (bad.length) {
      simulation.replaceChildren(
        h(
          'div',
          { role: 'alert', class: 'errors' },
          errorList(bad.map((x) => ({ field: x.field, rule: `must be an integer from ${x.b.min} to ${x.b.max}` }))),
        ),
      );
      bad[0].input.focus();
      return;
    }
    const history = modeHistory.checked;
    simulation.replaceChildren(
      h(
        'p',
        { role: 'status' },
        history
          ? `Replaying the last ${n} days of ${size} real fans' logged candidates under both policies…`
          : `Replaying ${n} simulated days under both policies…`,
      ),
    );
    simulateButton.disabled = true;
    try {
      if (history) {
        const answer: HistoryReplayAnswer = await simulateHistory(proposed, n, size);
        if (mine !== edits) return;
        renderHistoryReplay(simulation, answer);
        return;
      }
      // One after the other: the API runs one replay per person at a time, and the second finds the world's model
      // the first trained.
      const current = await simulate(active.document, n, size);
      const next = await simulate(proposed, n, size);
      if (mine !== edits) return;
      renderComparison(simulation, figures(current), figures(next), current.fans, n, current.scorer);
    } catch (err) {
      if (mine !== edits) return;
      simulation.replaceChildren(
        h('div', { role: 'alert', class: 'errors' }, err instanceof ApiError ? errorList(err.errors) : String(err)),
      );
    } finally {
      simulateButton.disabled = !valid;
    }
  });

  applyButton.addEventListener('click', async () => {
    if (!valid || !changed) return;
    const changes = jsonDiff(active.document, proposed);
    if (
      !window.confirm(
        `Apply this policy? ${changes.length} change(s); it takes effect for the next batch of decisions.`,
      )
    )
      return;
    try {
      const r = await api<PolicyChange>('PUT', '/api/admin/policy', proposed);
      applyStatus.className = 'ok';
      applyStatus.textContent = r.changed
        ? `Applied as version ${r.version} by ${r.actor}.`
        : `Unchanged: version ${r.version} is already this policy.`;
      active = await api<ActivePolicyAnswer>('GET', '/api/admin/policy');
      describe();
      await check(true);
      await loadAudit();
    } catch (err) {
      applyStatus.className = 'errors';
      applyStatus.replaceChildren(
        h('p', {}, 'Refused:'),
        err instanceof ApiError ? errorList(err.errors) : String(err),
      );
    }
  });

  describe();
  reset();
  await loadAudit();
}

function renderComparison(
  root: HTMLElement,
  current: ReplayFigures,
  proposed: ReplayFigures,
  fans: number,
  days: number,
  scorer: string,
): void {
  const sends = chartCard('Sends per fan per day', 'chart-sim-sends');
  const opens = chartCard('Opens', 'chart-sim-opens');
  const unsub = chartCard('Unsubscribes', 'chart-sim-unsubscribes');
  const labels = [`active (${current.name})`, `proposed (${proposed.name})`];
  root.replaceChildren(
    h('p', { class: 'muted wide' }, `${fans} simulated fans over ${days} days, scored by ${scorer}.`),
    sends.card,
    opens.card,
    unsub.card,
    h(
      'section',
      { class: 'card' },
      table(
        'Replay figures',
        ['', 'active', 'proposed'],
        [
          [
            'email alerts / fan / day',
            num(current.sendsPerFanPerDay.email, 3),
            num(proposed.sendsPerFanPerDay.email, 3),
          ],
          ['push alerts / fan / day', num(current.sendsPerFanPerDay.push, 3), num(proposed.sendsPerFanPerDay.push, 3)],
          ['digests / fan / day', num(current.sendsPerFanPerDay.digest, 3), num(proposed.sendsPerFanPerDay.digest, 3)],
          ['opens', int(current.opens), int(proposed.opens)],
          ['opens per send', num(current.opensPerSend, 3), num(proposed.opensPerSend, 3)],
          ['unsubscribes', int(current.unsubscribes), int(proposed.unsubscribes)],
          ['rule violations found', int(current.violations), int(proposed.violations)],
        ],
      ),
    ),
  );
  const pair = [color('current'), color('proposed')];
  draw(sends.canvas, {
    type: 'bar',
    data: {
      labels: ['email', 'push', 'digest'],
      datasets: [current, proposed].map((f, i) => ({
        label: labels[i],
        data: [f.sendsPerFanPerDay.email, f.sendsPerFanPerDay.push, f.sendsPerFanPerDay.digest],
        backgroundColor: pair[i],
      })),
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'per fan per day' } } } },
  });
  for (const [chart, key] of [
    [opens, 'opens'],
    [unsub, 'unsubscribes'],
  ] as const) {
    draw(chart.canvas, {
      type: 'bar',
      data: { labels, datasets: [{ label: key, data: [current[key], proposed[key]], backgroundColor: pair }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  }
}
