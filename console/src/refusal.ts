// How the console shows a refused request next to what was tried: each field and its rule; a 403 says so plainly.
import { ApiError } from './api.ts';
import { h } from './dom.ts';

/** An alert with the server's `{errors:[{field, rule}]}`; a 403 leads with "Refused: your role may not …". */
export function refusal(err: unknown, what: string): HTMLElement {
  if (!(err instanceof ApiError)) return h('div', { role: 'alert', class: 'errors' }, h('p', {}, String(err)));
  const lead = err.status === 403 ? `Refused (403): you may not ${what}.` : `Could not ${what} (HTTP ${err.status}):`;
  return h(
    'div',
    { role: 'alert', class: 'errors' },
    h('p', {}, lead),
    h('ul', {}, ...err.errors.map((e) => h('li', {}, h('code', {}, e.field), `: ${e.rule}`))),
  );
}

/** Runs a change and shows its refusal in `status`; true when it went through. */
export async function attempt(status: HTMLElement, what: string, change: () => Promise<unknown>): Promise<boolean> {
  status.replaceChildren();
  try {
    await change();
    return true;
  } catch (err) {
    status.replaceChildren(refusal(err, what));
    return false;
  }
}

/**
 * A secret the server shows this once (a service credential's token, a creator's key), with the warning to copy it
 * now: Fanfare keeps only its hash, so a lost one is revoked and made again.
 */
export function shownOnce(id: string, label: string, secret: string): HTMLElement {
  const field = h('input', { id, type: 'text', readonly: true, value: secret, size: 60, spellcheck: false });
  const copy = h('button', { type: 'button' }, 'Copy');
  copy.addEventListener('click', () => {
    field.select();
    void navigator.clipboard?.writeText(secret).then(
      () => (copy.textContent = 'Copied'),
      () => undefined,
    );
  });
  return h(
    'div',
    { role: 'status', class: 'ok secret' },
    h('p', {}, h('strong', {}, 'Copy it now: '), 'it is shown only this once. Fanfare keeps only its hash.'),
    h('div', { class: 'toolbar' }, h('label', { for: id }, label), field, copy),
  );
}
