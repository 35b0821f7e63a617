// The Access page (admins): the team's members and their roles, service credentials, and creators' API keys.
import { ROLES, type Role } from '../../domain/principal.ts';
import type {
  LoggedOutAnswer,
  MemberRow,
  NewServiceCredentialAnswer,
  ServiceCredentialRow,
  ServiceCredentialsAnswer,
  TeamAnswer,
} from '../../wire/access.ts';
import type { SessionAnswer } from '../../wire/session.ts';
import { renderCreatorKeys } from './access-keys.ts';
import { api } from './api.ts';
import { h, table, when } from './dom.ts';
import { attempt, refusal, shownOnce } from './refusal.ts';

export async function renderAccess(root: HTMLElement): Promise<void> {
  const session = await api<SessionAnswer>('GET', '/api/admin/session');
  root.append(h('h1', {}, 'Access'));
  if (!session.actions.includes('team.manage')) {
    root.append(h('p', { role: 'alert', class: 'errors' }, `Refused: the ${session.role} role may not manage access.`));
    return;
  }
  const members = h('section', { class: 'card', id: 'members', 'aria-labelledby': 'members-h' });
  const credentials = h('section', { class: 'card', id: 'credentials', 'aria-labelledby': 'credentials-h' });
  const keys = h('section', { class: 'card', id: 'creator-keys', 'aria-labelledby': 'creator-keys-h' });
  root.append(h('div', { class: 'stack' }, members, credentials, keys));
  const self = session.kind === 'member' ? session.name : null;
  await Promise.all([renderMembers(members, self), renderCredentials(credentials), renderCreatorKeys(keys)]);
}

const roleSelect = (id: string, chosen?: Role) =>
  h('select', { id }, ...ROLES.map((r) => h('option', { value: r, selected: r === chosen }, r)));

async function renderMembers(section: HTMLElement, self: string | null): Promise<void> {
  const status = h('div', { id: 'members-status' });
  const list = h('div', {});
  const username = h('input', { id: 'member-username', name: 'username', autocomplete: 'off', required: true });
  const password = h('input', {
    id: 'member-password',
    name: 'password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
  });
  const role = roleSelect('member-role', 'viewer');
  const formStatus = h('div', { id: 'member-form-status' });
  const form = h(
    'form',
    { 'aria-label': 'Add a member' },
    h('h3', {}, 'Add a member'),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'member-username' }, 'Username'),
      username,
      h('label', { for: 'member-password' }, 'Password'),
      password,
      h('label', { for: 'member-role' }, 'Role'),
      role,
      h('button', { type: 'submit', class: 'primary' }, 'Add member'),
    ),
    formStatus,
  );
  section.replaceChildren(h('h2', { id: 'members-h' }, 'Team members'), list, status, form);

  const reload = async () => {
    try {
      const { members } = await api<TeamAnswer>('GET', '/api/admin/team');
      list.replaceChildren(membersTable(members, self, status, reload));
    } catch (err) {
      list.replaceChildren(refusal(err, 'list the team'));
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { username: username.value.trim(), password: password.value, role: role.value };
    const added = await attempt(formStatus, 'add a member', () => api('POST', '/api/admin/team', body));
    if (!added) return;
    formStatus.replaceChildren(h('p', { role: 'status', class: 'ok' }, `Added ${body.username} as ${body.role}.`));
    form.reset();
    await reload();
  });
  await reload();
}

function membersTable(
  members: MemberRow[],
  self: string | null,
  status: HTMLElement,
  reload: () => Promise<void>,
): HTMLElement {
  const act = async (what: string, change: () => Promise<unknown>) => {
    if (await attempt(status, what, change)) await reload();
  };
  const rows = members.map((m) => {
    const path = `/api/admin/team/${encodeURIComponent(m.username)}`;
    if (m.username === self) return [m.username, m.role, when(m.createdAt), 'your account: another admin changes it'];
    const role = roleSelect(`role-${m.username}`, m.role);
    role.setAttribute('aria-label', `Role of ${m.username}`);
    const setRole = h('button', { type: 'button' }, 'Change role');
    setRole.addEventListener(
      'click',
      () =>
        void act(`change the role of ${m.username}`, () =>
          api<TeamAnswer>('PUT', `${path}/role`, { role: role.value }),
        ),
    );
    const logout = h('button', { type: 'button', class: 'quiet' }, 'Log out');
    logout.addEventListener('click', async () => {
      if (!window.confirm(`End every session of ${m.username}?`)) return;
      await attempt(status, `log out ${m.username}`, async () => {
        const r = await api<LoggedOutAnswer>('POST', `${path}/logout`);
        status.replaceChildren(
          h(
            'p',
            { role: 'status', class: 'ok' },
            `${m.username}: ${r.loggedOut} session${r.loggedOut === 1 ? '' : 's'} ended.`,
          ),
        );
      });
    });
    const remove = h('button', { type: 'button', class: 'quiet' }, 'Remove');
    remove.addEventListener('click', () => {
      if (!window.confirm(`Remove ${m.username} from the team and end their sessions?`)) return;
      void act(`remove ${m.username}`, () => api('DELETE', path));
    });
    return [m.username, m.role, when(m.createdAt), h('div', { class: 'actions' }, role, setRole, logout, remove)];
  });
  return table('Members of the growth team', ['username', 'role', 'created', 'actions'], rows);
}

async function renderCredentials(section: HTMLElement): Promise<void> {
  const status = h('div', { id: 'credentials-status' });
  const list = h('div', {});
  const name = h('input', { id: 'credential-name', name: 'name', autocomplete: 'off', required: true });
  const role = roleSelect('credential-role', 'viewer');
  const formStatus = h('div', { id: 'credential-form-status' });
  const form = h(
    'form',
    { 'aria-label': 'Create a service credential' },
    h('h3', {}, 'Create a service credential'),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'credential-name' }, 'Name'),
      name,
      h('label', { for: 'credential-role' }, 'Role'),
      role,
      h('button', { type: 'submit', class: 'primary' }, 'Create credential'),
    ),
    formStatus,
  );
  section.replaceChildren(
    h('h2', { id: 'credentials-h' }, 'Service credentials'),
    h('p', { class: 'muted' }, 'Bearer tokens for automation, each with a role; revoked ones stay listed.'),
    list,
    status,
    form,
  );

  const reload = async () => {
    try {
      const { credentials } = await api<ServiceCredentialsAnswer>('GET', '/api/admin/service-credentials');
      list.replaceChildren(credentialsTable(credentials, status, reload));
    } catch (err) {
      list.replaceChildren(refusal(err, 'list service credentials'));
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { name: name.value.trim(), role: role.value };
    let made: NewServiceCredentialAnswer | undefined;
    const ok = await attempt(formStatus, 'create a service credential', async () => {
      made = await api<NewServiceCredentialAnswer>('POST', '/api/admin/service-credentials', body);
    });
    if (!ok || !made) return;
    formStatus.replaceChildren(shownOnce('new-credential-token', `Token of ${made.credential.name}`, made.token));
    form.reset();
    await reload();
  });
  await reload();
}

function credentialsTable(rows: ServiceCredentialRow[], status: HTMLElement, reload: () => Promise<void>) {
  const cells = rows.map((c) => {
    let revoke: HTMLElement | string = `revoked ${when(c.revokedAt)}`;
    if (!c.revokedAt) {
      const button = h('button', { type: 'button', class: 'quiet' }, 'Revoke');
      button.setAttribute('aria-label', `Revoke ${c.name}`);
      button.addEventListener('click', async () => {
        if (!window.confirm(`Revoke the service credential ${c.name}? Automation using it stops at once.`)) return;
        if (await attempt(status, `revoke ${c.name}`, () => api('DELETE', `/api/admin/service-credentials/${c.id}`)))
          await reload();
      });
      revoke = button;
    }
    return [c.name, c.role, c.createdBy, when(c.createdAt), when(c.lastUsedAt), revoke];
  });
  return table(
    'Service credentials',
    ['name', 'role', 'created by', 'created', 'last used', 'revoked'],
    cells.length ? cells : [['none yet', '', '', '', '', '']],
  );
}
