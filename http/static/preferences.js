// The preferences page's script: fills the form from the API and saves it back, showing each field error the API names.

// The link's token leaves the address bar and the history once read; this tab keeps it for a reload, and the address
// keeps the page's language so a reload is in it too.
const token = new URLSearchParams(location.search).get('token') || sessionStorage.getItem('fanfare-token') || '';
if (token) sessionStorage.setItem('fanfare-token', token);
const lang = `?lang=${encodeURIComponent(document.documentElement.lang)}`;
if (location.search !== lang) history.replaceState(null, '', location.pathname + lang);
// The page's messages in the fan's language, each {name} left for a value only known here.
const messages = JSON.parse(document.getElementById('messages').textContent);
const t = (key, values = {}) => messages[key].replace(/\{(\w+)\}/g, (_, name) => values[name] ?? '');
const form = document.getElementById('form');
const message = document.getElementById('message');
const url = `/api/fans/me/preferences?token=${encodeURIComponent(token)}`;
document.getElementById('device').href = `/fan?token=${encodeURIComponent(token)}`;

const say = (text, isError) => {
  message.textContent = text;
  message.className = isError ? 'error' : '';
};

// The hours are written by the server in the fan's locale; a fan who never chose a digest hour keeps "default".
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
  say(res.ok ? t('prefs.saved') : t('prefs.notSaved', { problems: problems(json) }), !res.ok);
};

fetch(url)
  .then(async (res) => {
    const json = await res.json().catch(() => ({}));
    // A refused link (forged, altered or expired) is only "invalid link" to the API; its fan needs a newer email.
    if (res.status === 401) return say(t('prefs.linkDead'), true);
    if (!res.ok) return say(problems(json) || t('prefs.linkDead'), true);
    fill(json);
  })
  .catch((err) => say(t('prefs.loadFailed', { error: err.message }), true));
