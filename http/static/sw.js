// Fanfare service worker: shows each push as a notification; a click reports it by the signed link and opens the post.

self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { title: 'Fanfare', body: event.data ? event.data.text() : '' };
  }
  // The tag makes a resend of the same decision replace, not duplicate, the notification on screen.
  const options = { body: data.body || '', tag: data.tag, data: { url: data.url, ping: data.ping } };
  if (data.icon) options.icon = data.icon;
  event.waitUntil(self.registration.showNotification(data.title || 'Fanfare', options));
});

const isWebUrl = (u) => typeof u === 'string' && /^https?:\/\//i.test(u);

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { url, ping } = event.notification.data || {};
  const work = [];
  // Open first: browsers allow opening a window only while the click is fresh.
  if (isWebUrl(url)) work.push(self.clients.openWindow(url));
  // The signed click URL records the click; its redirect is not followed, the post is already opening.
  if (isWebUrl(ping))
    work.push(fetch(ping, { mode: 'no-cors', credentials: 'omit', redirect: 'manual' }).catch(() => undefined));
  event.waitUntil(Promise.all(work));
});
