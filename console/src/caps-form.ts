// The cap policy as a form beside its JSON: each rule by name, each field with what it limits, its unit and range
// (GET /api/admin/policy/fields), and a refusal shown beside the field it names.
import type { FieldError } from '../../domain/field-error.ts';
import type { PolicyFieldHelp } from '../../wire/policy.ts';
import { h } from './dom.ts';

type Key = string | number;
type Doc = Record<Key, unknown>;

export interface CapsForm {
  element: HTMLElement;
  /** Redraws the form from a document (after an edit of the JSON); a document that is not an object shows a note. */
  render(doc: unknown): void;
  /** Marks each field a refusal names; returns the errors no field of the form shows. */
  showErrors(errors: readonly FieldError[]): FieldError[];
}

/** "rules[3].limit" → ["rules", 3, "limit"]. */
export function pathKeys(path: string): Key[] {
  return path.split(/\.|(?=\[)/).map((p) => (p.startsWith('[') ? Number(p.slice(1, -1)) : p));
}

/** A concrete path's pattern in the help: "rules[3].limit" → "rules[].limit", "kinds.live.weight" → "kinds.*…". */
export function fieldPattern(path: string): string {
  return path
    .replace(/\[\d+\]/g, '[]')
    .replace(/^kinds\.[^.]+/, 'kinds.*')
    .replace(/^(kinds\.\*\.alertThreshold)\.[^.]+$/, '$1.*');
}

const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null;
const idOf = (path: string) => `pf-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

function read(doc: unknown, path: string): unknown {
  let at: unknown = doc;
  for (const k of pathKeys(path)) at = isDoc(at) ? at[k] : undefined;
  return at;
}

/** A copy of the document with the value at `path` set, or removed when `value` is undefined. */
function write(doc: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(doc) as Doc;
  const keys = pathKeys(path);
  let at: Doc = copy;
  for (const k of keys.slice(0, -1)) {
    if (!isDoc(at[k])) at[k] = {};
    at = at[k] as Doc;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

/** The typed value of an input; text that is not a number stays text, so the validator names it. */
function typedValue(input: HTMLInputElement | HTMLSelectElement, help: PolicyFieldHelp): unknown {
  if (help.input === 'boolean') return (input as HTMLInputElement).checked;
  const text = input.value.trim();
  if (help.input === 'choice') return text === '' ? undefined : text;
  if (help.input === 'integer' || help.input === 'number') return text !== '' && Number.isFinite(+text) ? +text : text;
  return input.value;
}

export function capsForm(fields: readonly PolicyFieldHelp[], onChange: (doc: unknown) => void): CapsForm {
  const helpOf = new Map(fields.map((f) => [f.field, f]));
  const element = h('div', { id: 'policy-form', class: 'policy-form' });
  let current: unknown = null;

  /** One labelled input with its help and the slot for its refusal. */
  function field(path: string, label?: string): HTMLElement | null {
    const help = helpOf.get(fieldPattern(path));
    if (!help) return null;
    const id = idOf(path);
    const value = read(current, path);
    const described = `${id}-help ${id}-error`;
    let input: HTMLInputElement | HTMLSelectElement;
    if (help.input === 'choice') {
      input = h(
        'select',
        { id, 'data-path': path, 'aria-describedby': described },
        ...(help.choices ?? []).map((c) =>
          h('option', { value: c, selected: (value ?? '') === c }, c === '' ? 'all' : c),
        ),
      );
    } else if (help.input === 'boolean') {
      input = h('input', { id, type: 'checkbox', 'data-path': path, 'aria-describedby': described });
      input.checked = value === true;
    } else {
      const numeric = help.input === 'integer' || help.input === 'number';
      input = h('input', {
        id,
        type: numeric ? 'number' : 'text',
        inputmode: numeric ? 'decimal' : undefined,
        step: help.input === 'integer' ? 1 : help.input === 'number' ? 'any' : undefined,
        min: help.min,
        max: help.max,
        'data-path': path,
        'aria-describedby': described,
        spellcheck: 'false',
      });
      input.value = value === undefined || value === null ? '' : String(value);
    }
    input.addEventListener(help.input === 'boolean' || help.input === 'choice' ? 'change' : 'input', () => {
      current = write(current, path, typedValue(input, help));
      onChange(current);
    });
    return h(
      'div',
      { class: 'form-field' },
      h('label', { for: id }, label ?? help.label),
      input,
      h('p', { id: `${id}-help`, class: 'help' }, `${help.help} Unit: ${help.unit}. Allowed: ${help.rule}.`),
      h('p', { id: `${id}-error`, class: 'field-error', hidden: true }),
    );
  }

  const group = (legend: string, ...children: (HTMLElement | null)[]) =>
    h('fieldset', {}, h('legend', {}, legend), ...children);

  function render(doc: unknown): void {
    current = doc;
    if (!isDoc(doc) || Array.isArray(doc)) {
      element.replaceChildren(
        h('p', { class: 'muted' }, 'The form shows a policy document once the JSON is an object.'),
      );
      return;
    }
    const parts: HTMLElement[] = [
      group(
        'General',
        field('name'),
        ...(isDoc(doc.quietHours)
          ? [field('quietHours.start'), field('quietHours.end')]
          : [h('p', { class: 'muted' }, 'No default quiet hours (null); set them in the JSON.')]),
        field('sendTime.horizon'),
        field('valueAware'),
      ),
    ];
    const rules = Array.isArray(doc.rules) ? doc.rules : [];
    rules.forEach((rule, i) => {
      const r = isDoc(rule) ? rule : {};
      const name = typeof r.name === 'string' && r.name ? r.name : `rule ${i + 1}`;
      const p = `rules[${i}]`;
      const body =
        r.type === 'gap'
          ? [field(`${p}.channel`), field(`${p}.minGap`)]
          : [field(`${p}.channel`), field(`${p}.perCreator`), field(`${p}.limit`), field(`${p}.window`)];
      parts.push(h('fieldset', { 'data-rule': name }, h('legend', {}, `Rule ${name} (${String(r.type)})`), ...body));
    });
    const kinds = isDoc(doc.kinds) ? doc.kinds : {};
    for (const kind of Object.keys(kinds)) {
      const p = `kinds.${kind}`;
      const thresholds = isDoc((kinds[kind] as Doc)?.alertThreshold)
        ? ((kinds[kind] as Doc).alertThreshold as Doc)
        : {};
      parts.push(
        group(
          `Kind ${kind}`,
          field(`${p}.priority`),
          field(`${p}.weight`),
          ...Object.keys(thresholds).map((ch) => field(`${p}.alertThreshold.${ch}`, `Alert threshold, ${ch}`)),
        ),
      );
    }
    parts.push(group('Digest', field('digest.topK'), field('digest.minScore'), field('digest.weeklyOn')));
    const segments = Array.isArray(doc.segments) ? doc.segments : [];
    if (segments.length)
      parts.push(
        h(
          'p',
          { class: 'muted' },
          `Segment overrides (${segments.map((s) => (isDoc(s) ? String(s.name) : '?')).join(', ')}) ` +
            'are edited in the JSON.',
        ),
      );
    element.replaceChildren(...parts);
  }

  function showErrors(errors: readonly FieldError[]): FieldError[] {
    for (const slot of element.querySelectorAll<HTMLElement>('.field-error')) {
      slot.hidden = true;
      slot.textContent = '';
    }
    for (const input of element.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    const elsewhere: FieldError[] = [];
    for (const e of errors) {
      const input = element.querySelector<HTMLElement>(`[data-path="${CSS.escape(e.field)}"]`);
      const slot = input ? document.getElementById(`${input.id}-error`) : null;
      if (!input || !slot) {
        elsewhere.push(e);
        continue;
      }
      input.setAttribute('aria-invalid', 'true');
      slot.hidden = false;
      slot.textContent = slot.textContent ? `${slot.textContent}; ${e.rule}` : `Refused: ${e.rule}`;
    }
    return elsewhere;
  }

  return { element, render, showErrors };
}
