// The audit log: every audited change (cap policy, alert rules, models, experiments, people, credentials and keys) in
// one list, newest first, filtered by kind and date range; the filters live in the hash.
import { AUDIT_KINDS, type AuditAnswer, type AuditEntry, type AuditKind } from '../../wire/audit.ts';
import { api } from './api.ts';
import { h, isolated, table, when } from './dom.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const KIND_LABELS: Record<AuditKind, string> = {
  'cap-policy': 'Cap policy',
  'alert-rules': 'Alert rules',
  model: 'Models',
  experiment: 'Experiments',
  team: 'People',
  'service-credential': 'Service credentials',
  'creator-key': 'Creator keys',
};

/** The entry's detail in a few words: a document's number of changes, a role, a reason. */
function detailText(e: AuditEntry): string {
  const d = e.detail;
  if (Array.isArray(d.diff)) return `${d.diff.length} change(s)`;
  const parts: string[] = [];
  if (typeof d.role === 'string') parts.push(`role ${d.role}`);
  if (typeof d.label === 'string') parts.push(`label "${d.label}"`);
  if (typeof d.reason === 'string') parts.push(d.reason);
  if (typeof d.to === 'number') parts.push(`model ${d.to} active again`);
  return parts.join('; ');
}

function subject(e: AuditEntry): Node {
  if (!e.creator) return document.createTextNode(e.subject);
  const key = typeof e.detail.keyId === 'number' ? `key ${e.detail.keyId}` : e.subject;
  return h('span', {}, `${key} of `, isolated(e.creator.handle), ` (#${e.creator.id})`);
}

export async function renderAudit(root: HTMLElement, params: URLSearchParams): Promise<void> {
  root.append(h('h1', {}, 'Audit log'));
  const wanted = (params.get('kind') ?? '').split(',').filter((k): k is AuditKind => AUDIT_KINDS.includes(k as never));
  const query = new URLSearchParams();
  if (wanted.length) query.set('kind', wanted.join(','));
  for (const key of ['from', 'to']) {
    const v = params.get(key);
    if (v && DAY.test(v)) query.set(key, v);
  }
  const r = await api<AuditAnswer>('GET', `/api/admin/audit?${query}`);

  const boxes = AUDIT_KINDS.map((k) => {
    const box = h('input', { type: 'checkbox', id: `audit-kind-${k}`, value: k });
    box.checked = wanted.includes(k);
    return box;
  });
  const from = h('input', { id: 'audit-from', type: 'date', value: r.from, max: r.to });
  const to = h('input', { id: 'audit-to', type: 'date', value: r.to, min: r.from });
  const apply = () => {
    const q = new URLSearchParams();
    const kinds = boxes.filter((b) => b.checked).map((b) => b.value);
    if (kinds.length) q.set('kind', kinds.join(','));
    if (from.value) q.set('from', from.value);
    if (to.value) q.set('to', to.value);
    window.location.hash = `#/audit?${q}`;
  };
  for (const input of [...boxes, from, to]) input.addEventListener('change', apply);

  root.append(
    h(
      'fieldset',
      { class: 'card audit-filter' },
      h('legend', {}, 'Show (none ticked: every kind)'),
      h(
        'div',
        { class: 'toolbar' },
        ...boxes.map((b, i) => h('label', { for: b.id }, b, ` ${KIND_LABELS[AUDIT_KINDS[i]]}`)),
      ),
      h(
        'div',
        { class: 'toolbar' },
        h('label', { for: 'audit-from' }, 'From'),
        from,
        h('label', { for: 'audit-to' }, 'To'),
        to,
        h('span', { class: 'muted' }, 'UTC days, both included'),
      ),
    ),
  );
  if (r.entries.length === 0) {
    root.append(h('p', { role: 'status', id: 'audit-empty' }, 'Nothing was audited in this period.'));
    return;
  }
  root.append(
    h(
      'section',
      { class: 'card', id: 'audit-entries' },
      table(
        `${r.entries.length} ${r.entries.length === 1 ? 'entry' : 'entries'} from ${r.from} to ${r.to}, newest first` +
          (r.truncated ? ' (the oldest left out: narrow the period)' : ''),
        ['when', 'kind', 'actor', 'action', 'subject', 'detail'],
        r.entries.map((e) => [when(e.at), KIND_LABELS[e.kind], e.actor, e.action, subject(e), detailText(e)]),
      ),
    ),
  );
  for (const [i, row] of [...root.querySelectorAll<HTMLTableRowElement>('#audit-entries tbody tr')].entries())
    row.dataset.kind = r.entries[i].kind;
}
