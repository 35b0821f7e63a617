// The Access page's creator keys: pick a creator, list its API keys, make one (shown once) or revoke one.
import type {
  CreatorKeyRow,
  CreatorKeysAnswer,
  CreatorMatch,
  CreatorSearchAnswer,
  NewCreatorKeyAnswer,
} from '../../wire/access.ts';
import { api } from './api.ts';
import { h, table, when } from './dom.ts';
import { attempt, refusal, shownOnce } from './refusal.ts';

export async function renderCreatorKeys(section: HTMLElement): Promise<void> {
  const query = h('input', { id: 'creator-query', type: 'search', placeholder: 'id, handle or name' });
  const picker = h('select', { id: 'creator-select' });
  const search = h(
    'form',
    { class: 'toolbar', role: 'search', 'aria-label': 'Find a creator' },
    h('label', { for: 'creator-query' }, 'Find a creator'),
    query,
    h('button', { type: 'submit' }, 'Search'),
    h('label', { for: 'creator-select' }, 'Creator'),
    picker,
  );
  const keys = h('div', { id: 'creator-keys-detail' });
  section.replaceChildren(
    h('h2', { id: 'creator-keys-h' }, "Creators' API keys"),
    h('p', { class: 'muted' }, 'A key acts for its own creator only; several live keys let a creator rotate them.'),
    search,
    keys,
  );

  let found: CreatorMatch[] = [];
  const pick = async () => {
    const creator = found.find((c) => c.id === Number(picker.value));
    if (!creator) return void keys.replaceChildren();
    // The option's count of live keys follows what the list shows after a key is made or revoked.
    const option = picker.selectedOptions[0];
    await renderKeys(keys, creator, (liveKeys) => (option.textContent = creatorLabel({ ...creator, liveKeys })));
  };
  const find = async () => {
    try {
      const q = encodeURIComponent(query.value.trim());
      found = (await api<CreatorSearchAnswer>('GET', `/api/admin/creators?q=${q}`)).creators;
      const creators = found;
      picker.replaceChildren(...creators.map((c) => h('option', { value: c.id }, creatorLabel(c))));
      if (creators.length === 0) {
        keys.replaceChildren(h('p', { role: 'status' }, `No creator matches "${query.value.trim()}".`));
        return;
      }
      await pick();
    } catch (err) {
      keys.replaceChildren(refusal(err, 'list creators'));
    }
  };
  search.addEventListener('submit', (e) => {
    e.preventDefault();
    void find();
  });
  picker.addEventListener('change', () => void pick());
  await find();
}

const creatorLabel = (c: CreatorMatch) =>
  `${c.handle} (${c.displayName}, creator ${c.id}, ${c.liveKeys} live key${c.liveKeys === 1 ? '' : 's'})`;

async function renderKeys(root: HTMLElement, creator: CreatorMatch, counted: (live: number) => void): Promise<void> {
  const path = `/api/admin/creators/${creator.id}/keys`;
  const name = creator.handle;
  const list = h('div', {});
  const status = h('div', { id: 'creator-keys-status' });
  const label = h('input', { id: 'key-label', name: 'label', autocomplete: 'off', required: true, maxlength: 100 });
  const formStatus = h('div', { id: 'key-form-status' });
  const form = h(
    'form',
    { 'aria-label': 'Create a key' },
    h('h3', {}, `Create a key for ${name}`),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'key-label' }, 'Label'),
      label,
      h('button', { type: 'submit', class: 'primary' }, 'Create key'),
    ),
    formStatus,
  );
  root.replaceChildren(list, status, form);

  const reload = async () => {
    try {
      const answer = await api<CreatorKeysAnswer>('GET', path);
      counted(answer.keys.filter((k) => !k.revokedAt).length);
      list.replaceChildren(keysTable(answer.keys, name, path, status, reload));
    } catch (err) {
      list.replaceChildren(refusal(err, "list this creator's keys"));
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let made: NewCreatorKeyAnswer | undefined;
    const ok = await attempt(formStatus, 'create a key', async () => {
      made = await api<NewCreatorKeyAnswer>('POST', path, { label: label.value });
    });
    if (!ok || !made) return;
    formStatus.replaceChildren(shownOnce('new-creator-key', `Key "${made.key.label}"`, made.token));
    form.reset();
    await reload();
  });
  await reload();
}

function keysTable(
  keys: CreatorKeyRow[],
  name: string,
  path: string,
  status: HTMLElement,
  reload: () => Promise<void>,
): HTMLElement {
  const rows = keys.map((k) => {
    let revoked: HTMLElement | string = when(k.revokedAt);
    if (!k.revokedAt) {
      const button = h('button', { type: 'button', class: 'quiet', 'aria-label': `Revoke ${k.label}` }, 'Revoke');
      button.addEventListener('click', async () => {
        if (!window.confirm(`Revoke the key "${k.label}"? Calls made with it are refused at once.`)) return;
        if (await attempt(status, `revoke "${k.label}"`, () => api('DELETE', `${path}/${k.id}`))) await reload();
      });
      revoked = h('span', {}, 'live ', button);
    }
    return [k.label, when(k.createdAt), when(k.lastUsedAt), revoked];
  });
  return table(
    `API keys of ${name}`,
    ['label', 'created', 'last used', 'revoked'],
    rows.length ? rows : [['no keys yet', '', '', '']],
  );
}
