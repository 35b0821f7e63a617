// Alert, digest and push content: escaping, links in both parts, subjects, the fan's language, zone and direction.
import { describe, expect, it } from 'vitest';
import { CATALOGUES, localizer } from './i18n.ts';
import { alertPushContent, htmlMessage, renderAlertEmail, renderDigestEmail } from './templates.ts';

const EN = localizer('en-US', 'America/New_York');
const AT = new Date('2026-03-14T18:05:00Z');

const LINKS = {
  click: 'https://fans.example/t/c/k1.c1.x',
  openPixel: 'https://fans.example/t/o/k1.o1.x',
  unsubscribe: 'https://fans.example/u/k1.u1-1.x',
  preferences: 'https://fans.example/preferences?token=k1.p1-a.x&x=1',
};

describe('renderAlertEmail', () => {
  it('escapes creator content in HTML and keeps the subject on one line', () => {
    const m = renderAlertEmail(
      {
        creatorName: 'Ana & Co',
        kind: 'post',
        title: '<script>x</script>\r\nBcc: a@b',
        url: 'https://x.example/?a=1&b="2"',
        at: AT,
        deadline: null,
      },
      LINKS,
      EN,
    );
    expect(m.subject).toBe('Ana & Co posted: <script>x</script> Bcc: a@b');
    expect(m.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('Ana &amp; Co');
    expect(m.text).toContain('(leads to https://x.example/?a=1&b="2")');
  });

  it('links through the click redirect and carries the pixel, settings and unsubscribe links in both parts', () => {
    const m = renderAlertEmail(
      { creatorName: 'Ana', kind: 'live', title: 'Now', url: 'https://x.example/live', at: AT, deadline: null },
      LINKS,
      EN,
    );
    expect(m.subject).toBe('Ana is live: Now');
    expect(m.html).toContain(`href="${LINKS.click}"`);
    expect(m.html).not.toContain('href="https://x.example/live"');
    expect(m.html).toContain(`<img src="${LINKS.openPixel}"`);
    expect(m.html).toContain('href="https://fans.example/preferences?token=k1.p1-a.x&amp;x=1"');
    expect(m.html).toContain(`href="${LINKS.unsubscribe}"`);
    expect(m.text).toContain(`Read it: ${LINKS.click}`);
    expect(m.text).toContain(`Unsubscribe: ${LINKS.unsubscribe}`);
    expect(m.text).not.toContain(LINKS.openPixel);
  });
});

describe('renderDigestEmail', () => {
  const item = (creatorName: string, title: string, n: number) => ({
    creatorName,
    kind: 'post',
    title,
    url: `https://x.example/${n}`,
    click: `https://fans.example/t/c/${n}`,
    at: AT,
  });

  it('lists every item with its own click link, escaped', () => {
    const m = renderDigestEmail(
      {
        cadence: 'daily',
        items: [item('Ana', '<b>One</b>', 1), item('Bo', 'Two', 2), item('Ana', 'Three', 3)],
        at: AT,
      },
      LINKS,
      EN,
    );
    expect(m.subject).toBe('Your daily digest: 3 new updates from Ana and Bo');
    expect(m.html).toContain('&lt;b&gt;One&lt;/b&gt;');
    expect(m.html).not.toContain('<b>One');
    for (const n of [1, 2, 3]) {
      expect(m.html).toContain(`href="https://fans.example/t/c/${n}"`);
      expect(m.text).toContain(`https://fans.example/t/c/${n}\n  (leads to https://x.example/${n})`);
    }
    expect(m.html).toContain(`<img src="${LINKS.openPixel}"`);
    expect(m.text).toContain(`Unsubscribe: ${LINKS.unsubscribe}`);
  });

  it('names at most two creators in the subject, and refuses an empty digest', () => {
    const m = renderDigestEmail(
      {
        cadence: 'weekly',
        items: [item('A', 'x', 1), item('B', 'y', 2), item('C\r\nBcc: z', 'z', 3), item('D', 'w', 4)],
        at: AT,
      },
      LINKS,
      EN,
    );
    expect(m.subject).toBe('Your weekly digest: 4 new updates from A, B and 2 more');
    expect(renderDigestEmail({ cadence: 'daily', items: [item('A', 'x', 1)], at: AT }, LINKS, EN).subject).toBe(
      'Your daily digest: 1 new update from A',
    );
    expect(() => renderDigestEmail({ cadence: 'daily', items: [], at: AT }, LINKS, EN)).toThrow(
      'digest: items must not be empty',
    );
  });
});

describe('alertPushContent', () => {
  it('keeps the event URL to open and the signed URL to ping', () => {
    expect(
      alertPushContent(
        { creatorName: 'Ana\n', kind: 'post', title: 'Hi', url: 'https://x.example/1', at: AT, deadline: null },
        EN,
        'https://fans.example/t/c/1',
      ),
    ).toEqual({
      title: 'Ana',
      body: 'posted: Hi',
      url: 'https://x.example/1',
      ping: 'https://fans.example/t/c/1',
    });
  });
});

describe('in the fan’s language, zone and direction', () => {
  const event = {
    creatorName: 'Ana & Co',
    kind: 'live',
    title: 'Ensayo <abierto>',
    url: 'https://x.example/live',
    at: AT,
    deadline: new Date('2026-03-14T20:00:00Z'),
  };

  it('writes a Mexican fan’s alert in Spanish, the creator’s title as written, dates in Mexico City time', () => {
    const es = localizer('es-MX', 'America/Mexico_City');
    const m = renderAlertEmail(event, LINKS, es);
    expect(m.subject).toBe('Ana & Co está en vivo: Ensayo <abierto>');
    expect(m.text).toContain('En vivo desde: sábado, 14 de marzo de 2026, 12:05 p.m.');
    expect(m.text).toContain('En vivo hasta aprox.: sábado, 14 de marzo de 2026, 2:00 p.m.');
    expect(m.text).toContain(`Léelo aquí: ${LINKS.click}`);
    expect(m.text).toContain(`Cancelar suscripción: ${LINKS.unsubscribe}`);
    expect(m.html).toContain('<html lang="es-MX" dir="ltr">');
    expect(m.html).toContain('Ensayo &lt;abierto&gt;');
    expect(m.html).toContain('>Dejar de recibir estos correos</a>');
    expect(m.html).not.toMatch(/Unsubscribe|Notification settings|Open it/);
    expect(alertPushContent(event, es)).toEqual({
      title: 'Ana & Co',
      body: 'está en vivo: Ensayo <abierto> (hasta el 14 mar 2026, 2:00 p.m.)',
      url: 'https://x.example/live',
    });
  });

  it('writes a Japanese digest with Japanese counts and Tokyo dates', () => {
    const ja = localizer('ja-JP', 'Asia/Tokyo');
    const items = ['A', 'B', 'C'].map((name, n) => ({
      creatorName: name,
      kind: 'post',
      title: `題${n}`,
      url: `https://x.example/${n}`,
      click: `https://fans.example/t/c/${n}`,
      at: AT,
    }));
    const m = renderDigestEmail({ cadence: 'weekly', items, at: AT }, LINKS, ja);
    expect(m.subject).toBe('週間ダイジェスト：A、Bほか1人から新着3件');
    expect(m.text).toContain('2026年3月15日日曜日までの1週間');
    expect(m.text).toContain('* Aさんの新しい投稿：題0 (2026年3月15日 3:05)');
    expect(m.html).toContain('<html lang="ja-JP" dir="ltr">');
  });

  it('sets dir="rtl" from a right-to-left catalogue, which is all Arabic needs', () => {
    const english = CATALOGUES.get('en')!;
    const arabic = new Map([...CATALOGUES, ['ar', { ...english, 'email.alert.open': 'افتحه' }]]);
    const ar = localizer('ar-EG', 'Africa/Cairo', arabic);
    expect(ar).toMatchObject({ catalogue: 'ar', locale: 'ar-EG', dir: 'rtl' });
    const m = renderAlertEmail(event, LINKS, ar);
    expect(m.html).toContain('<html lang="ar-EG" dir="rtl">');
    expect(m.html).toContain('افتحه');
    // Without its catalogue an Arabic-speaking fan reads English, left to right.
    expect(localizer('ar-EG', 'Africa/Cairo')).toMatchObject({ catalogue: 'en', locale: 'en', dir: 'ltr' });
  });

  it('puts markup into a message only where its HTML arguments go', () => {
    const html = htmlMessage(
      EN,
      'prefs.quiet.range',
      { start: '<b>\uE0000\uE000' },
      { end: '<select name="quietEnd"></select>' },
    );
    expect(html).toBe('No alerts from &lt;b&gt;0 to <select name="quietEnd"></select>');
  });
});
