// The preferences page's script: fills the form from the API and saves it back, showing each field error the API names.

// The link's token leaves the address bar and the history once read; this tab keeps it for a reload.
const token = new URLSearchParams(location.search).get('token') || sessionStorage.getItem('fanfare-token') || '';
if (token) sessionStorage.setItem('fanfare-token', token);
if (location.search) history.replaceState(null, '', location.pathname);
const form = document.getElementById('form');
const message = document.getElementById('message');
const url = `/api/fans/me/preferences?token=${encodeURIComponent(token)}`;
document.getElementById('device').href = `/fan?token=${encodeURIComponent(token)}`;

const say = (text, isError) => {
  message.textContent = text;
  message.className = isError ? 'error' : '';
};

// A fan who never chose a digest hour gets the default one, and keeps "default" until choosing.
form.elements.digestHour.add(new Option('default (08:00)', ''));
for (const name of ['digestHour', 'quietStart', 'quietEnd']) {
  for (let h = 0; h < 24; h++) form.elements[name].add(new Option(`${String(h).padStart(2, '0')}:00`, String(h)));
}

function fill(p) {
  form.elements.emailEnabled.checked = p.emailEnabled;
  form.elements.pushEnabled.checked = p.pushEnabled;
  form.elements.digestCadence.value = p.digestCadence;
  form.elements.digestHour.value = p.digestHour === null ? '' : String(p.digestHour);
  form.elements.quiet.checked = p.quietHours !== null;
  form.elements.quietStart.value = String(p.quietHours ? p.quietHours.start : 22);
  form.elements.quietEnd.value = String(p.quietHours ? p.quietHours.end : 7);
  const box = document.getElementById('creators');
  for (const c of p.creators) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.name = 'muted';
    input.value = String(c.id);
    input.checked = p.mutedCreatorIds.includes(c.id);
    label.append(input, ` ${c.displayName}`);
    box.append(label);
  }
  form.hidden = false;
}

function read() {
  const e = form.elements;
  return {
    emailEnabled: e.emailEnabled.checked,
    pushEnabled: e.pushEnabled.checked,
    digestCadence: e.digestCadence.value,
    digestHour: e.digestHour.value === '' ? null : Number(e.digestHour.value),
    quietHours: e.quiet.checked ? { start: Number(e.quietStart.value), end: Number(e.quietEnd.value) } : null,
    mutedCreatorIds: [...form.querySelectorAll('input[name=muted]:checked')].map((i) => Number(i.value)),
  };
}

const problems = (json) => (json.errors || []).map((e) => `${e.field} ${e.rule}`).join('; ');

form.onsubmit = async (event) => {
  event.preventDefault();
  const res = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(read()),
  });
  const json = await res.json().catch(() => ({}));
  say(res.ok ? 'Saved.' : `Not saved: ${problems(json)}`, !res.ok);
};

fetch(url)
  .then(async (res) => {
    const json = await res.json().catch(() => ({}));
    if (!res.ok)
      return say(problems(json) || 'This link does not work any more. Use the link in a recent email.', true);
    fill(json);
  })
  .catch((err) => say(`Could not load your settings: ${err.message}`, true));
