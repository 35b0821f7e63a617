// Alert, digest and push content: escaping, links in both parts, subjects.
import { describe, expect, it } from 'vitest';
import { alertPushContent, renderAlertEmail, renderDigestEmail } from './templates.ts';

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
      },
      LINKS,
    );
    expect(m.subject).toBe('Ana & Co posted: <script>x</script> Bcc: a@b');
    expect(m.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('Ana &amp; Co');
    expect(m.text).toContain('(leads to https://x.example/?a=1&b="2")');
  });

  it('links through the click redirect and carries the pixel, settings and unsubscribe links in both parts', () => {
    const m = renderAlertEmail(
      { creatorName: 'Ana', kind: 'live', title: 'Now', url: 'https://x.example/live' },
      LINKS,
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
  });

  it('lists every item with its own click link, escaped', () => {
    const m = renderDigestEmail(
      { cadence: 'daily', items: [item('Ana', '<b>One</b>', 1), item('Bo', 'Two', 2), item('Ana', 'Three', 3)] },
      LINKS,
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
      },
      LINKS,
    );
    expect(m.subject).toBe('Your weekly digest: 4 new updates from A, B and 2 more');
    expect(renderDigestEmail({ cadence: 'daily', items: [item('A', 'x', 1)] }, LINKS).subject).toBe(
      'Your daily digest: 1 new update from A',
    );
    expect(() => renderDigestEmail({ cadence: 'daily', items: [] }, LINKS)).toThrow('digest: items must not be empty');
  });
});

describe('alertPushContent', () => {
  it('keeps the event URL to open and the signed URL to ping', () => {
    expect(
      alertPushContent(
        { creatorName: 'Ana\n', kind: 'post', title: 'Hi', url: 'https://x.example/1' },
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
