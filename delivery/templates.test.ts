import { describe, expect, it } from 'vitest';
import { renderAlertEmail } from './templates.ts';

describe('renderAlertEmail', () => {
  it('escapes creator content in HTML and keeps the subject on one line', () => {
    const m = renderAlertEmail({ creatorName: 'Ana & Co', kind: 'post', title: '<script>x</script>\r\nBcc: a@b', url: 'https://x.example/?a=1&b="2"' });
    expect(m.subject).toBe('Ana & Co posted: <script>x</script> Bcc: a@b');
    expect(m.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('href="https://x.example/?a=1&amp;b=&quot;2&quot;"');
    expect(m.text).toContain('https://x.example/?a=1&b="2"');
  });
});
