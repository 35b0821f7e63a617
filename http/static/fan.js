// The fan page's script: subscribes this browser with the VAPID public key, registers it with the API, or removes it.

// The link's token leaves the address bar and the history once read; this tab keeps it for a reload, and the address
// keeps the page's language so a reload is in it too.
const token = new URLSearchParams(location.search).get('token') || sessionStorage.getItem('fanfare-token') || '';
if (token) sessionStorage.setItem('fanfare-token', token);
const lang = `?lang=${encodeURIComponent(document.documentElement.lang)}`;
if (location.search !== lang) history.replaceState(null, '', location.pathname + lang);
// The page's messages in the fan's language, each {name} left for a value only known here.
const messages = JSON.parse(document.getElementById('messages').textContent);
const t = (key, values = {}) => messages[key].replace(/\{(\w+)\}/g, (_, name) => values[name] ?? '');
const status = document.getElementById('status');
const on = document.getElementById('on');
const off = document.getElementById('off');
document.getElementById('prefs').href = `/preferences?token=${encodeURIComponent(token)}`;

const say = (text) => {
  status.textContent = text;
};

function keyBytes(base64url) {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function api(method, path, body) {
  const res = await fetch(`${path}?token=${encodeURIComponent(token)}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok && res.status !== 404) {
    const detail = await res.json().catch(() => ({}));
    const message = (detail.errors || []).map((e) => `${e.field} ${e.rule}`).join('; ') || `HTTP ${res.status}`;
    throw Object.assign(new Error(message), { status: res.status });
  }
  return res;
}

async function show(registration) {
  const subscription = await registration.pushManager.getSubscription();
  on.hidden = !!subscription;
  off.hidden = !subscription;
  say(t(subscription ? 'fan.isOn' : 'fan.isOff'));
}

async function main() {
  if (!token) return say(t('fan.needLink'));
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return say(t('fan.unsupported'));
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  on.onclick = async () => {
    try {
      if ((await Notification.requestPermission()) !== 'granted') return say(t('fan.blocked'));
      const { publicKey } = await (await fetch('/api/push/vapid-public-key')).json();
      const subscribe = () =>
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
      const subscription = await subscribe();
      try {
        await api('POST', '/api/push/subscriptions', subscription.toJSON());
      } catch (err) {
        // 409: this browser's subscription is registered to another fan who used it; a fresh one has a new endpoint.
        if (err.status !== 409) throw err;
        await subscription.unsubscribe();
        await api('POST', '/api/push/subscriptions', (await subscribe()).toJSON());
      }
      await show(registration);
    } catch (err) {
      say(t('fan.onFailed', { error: err.message }));
    }
  };
  off.onclick = async () => {
    try {
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await api('DELETE', '/api/push/subscriptions', { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      await show(registration);
    } catch (err) {
      say(t('fan.offFailed', { error: err.message }));
    }
  };
  await show(registration);
}

main().catch((err) => say(t('fan.failed', { error: err.message })));
