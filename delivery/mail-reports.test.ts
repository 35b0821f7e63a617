// The report readers on hand-written RFC 3464 and RFC 5965 bodies, folded fields and odd spellings included.
import { describe, expect, it } from 'vitest';
import {
  bounceClass,
  decisionFromMessageId,
  field,
  parseDeliveryStatus,
  parseFeedbackReport,
  parseFields,
  reportParts,
  splitMultipart,
  typedAddress,
  unsubscribeTokens,
} from './mail-reports.ts';

const DSN_STATUS = [
  'Reporting-MTA: dns; mx.example',
  'Arrival-Date: Mon, 7 Dec 2026 10:00:00 +0000',
  '',
  'Original-Recipient: rfc822;Fan@Example.com',
  'Final-Recipient: RFC822; <fan@example.com>',
  'Action: Failed',
  'Status: 5.1.1 (user unknown)',
  'Diagnostic-Code: smtp; 550 5.1.1',
  '  no such user',
  '',
  'Final-Recipient: rfc822; other@example.com',
  'Action: delayed',
  'Status: 4.2.2',
  '',
].join('\r\n');

describe('parseFields', () => {
  it('unfolds continuation lines, lowercases names, keeps repeats and stops at the first empty line', () => {
    const f = parseFields('Subject: a\r\n b\r\nX-A: 1\r\nx-a: 2\r\n\r\nBody: no');
    expect(field(f, 'subject')).toBe('a b');
    expect(f.get('x-a')).toEqual(['1', '2']);
    expect(f.has('body')).toBe(false);
  });
});

describe('parseDeliveryStatus', () => {
  it('reads each recipient block with its address, action, status and folded diagnostic', () => {
    expect(parseDeliveryStatus(DSN_STATUS)).toEqual([
      {
        finalRecipient: 'fan@example.com',
        originalRecipient: 'Fan@Example.com',
        action: 'failed',
        status: '5.1.1',
        diagnostic: 'smtp; 550 5.1.1 no such user',
      },
      {
        finalRecipient: 'other@example.com',
        originalRecipient: null,
        action: 'delayed',
        status: '4.2.2',
        diagnostic: null,
      },
    ]);
  });

  it('skips blocks without Action or Status, and a body with only the per-message block', () => {
    expect(parseDeliveryStatus('Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b\n')).toEqual([]);
    expect(parseDeliveryStatus('Reporting-MTA: dns; x\n')).toEqual([]);
  });
});

describe('bounceClass', () => {
  it('is hard only for a failed 5.x.x, soft for delayed or 4.x.x, nothing for delivered', () => {
    expect(bounceClass({ action: 'failed', status: '5.2.1' })).toBe('hard_bounce');
    expect(bounceClass({ action: 'failed', status: '4.4.7' })).toBe('soft_bounce');
    expect(bounceClass({ action: 'delayed', status: '4.2.2' })).toBe('soft_bounce');
    expect(bounceClass({ action: 'delivered', status: '2.0.0' })).toBeNull();
    expect(bounceClass({ action: 'relayed', status: '5.0.0' })).toBeNull();
  });
});

describe('parseFeedbackReport', () => {
  it('reads the feedback type and the original envelope, or null without a Feedback-Type', () => {
    const body =
      'Feedback-Type: Abuse\nVersion: 1\nOriginal-Mail-From: <n@mail.example>\nOriginal-Rcpt-To: <f@x.example>\n';
    expect(parseFeedbackReport(body)).toEqual({
      feedbackType: 'abuse',
      originalMailFrom: 'n@mail.example',
      originalRcptTo: ['f@x.example'],
      arrivalDate: null,
    });
    expect(parseFeedbackReport('Version: 1\n')).toBeNull();
  });
});

describe('the original message', () => {
  it('finds both unsubscribe tokens of a List-Unsubscribe, lowercased and once each', () => {
    const v = '<https://f.example/u/k1.u1-2.abc>, <mailto:unsubscribe+K1.U1-2.ABC@mail.example?subject=unsubscribe>';
    expect(unsubscribeTokens(v)).toEqual(['k1.u1-2.abc']);
    expect(unsubscribeTokens('<mailto:help@mail.example>')).toEqual([]);
    expect(unsubscribeTokens(null)).toEqual([]);
  });

  it('reads the decision from our Message-ID only', () => {
    expect(decisionFromMessageId('<decision-42.email@mail.example>')).toBe(42);
    expect(decisionFromMessageId('<digest-42@mail.example>')).toBeNull();
    expect(decisionFromMessageId(null)).toBeNull();
  });

  it('strips an address type and brackets', () => {
    expect(typedAddress('rfc822; <a@b.example>')).toBe('a@b.example');
    expect(typedAddress('a@b.example')).toBe('a@b.example');
    expect(typedAddress('rfc822; ')).toBeNull();
  });
});

describe('reportParts', () => {
  const body = (parts: string[]) =>
    `preamble\r\n${parts.map((p) => `--XB\r\n${p}`).join('\r\n')}\r\n--XB--\r\nepilogue`;

  it('finds the delivery-status report and the quoted headers of the original', () => {
    const b = body([
      'Content-Type: text/plain\r\n\r\nIt failed.',
      `Content-Type: message/delivery-status\r\n\r\n${DSN_STATUS}`,
      'Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <decision-7.email@m.example>\r\nList-Unsubscribe: <x>',
    ]);
    const r = reportParts('multipart/report; report-type="delivery-status"; boundary=XB', b);
    expect(r?.reportType).toBe('delivery-status');
    expect(parseDeliveryStatus(r!.report)).toHaveLength(2);
    expect(field(r!.originalHeaders!, 'message-id')).toBe('<decision-7.email@m.example>');
  });

  it('takes the head of a quoted message/rfc822, and decodes a base64 report part', () => {
    const report = Buffer.from('Feedback-Type: abuse\r\nVersion: 1\r\n').toString('base64');
    const b = body([
      `Content-Type: message/feedback-report\r\nContent-Transfer-Encoding: base64\r\n\r\n${report}`,
      'Content-Type: message/rfc822\r\n\r\nMessage-ID: <decision-9.email@m.example>\r\n\r\nList-Unsubscribe: body',
    ]);
    const r = reportParts('multipart/report; report-type=feedback-report; boundary="XB"', b);
    expect(parseFeedbackReport(r!.report)?.feedbackType).toBe('abuse');
    expect(field(r!.originalHeaders!, 'message-id')).toBe('<decision-9.email@m.example>');
    expect(field(r!.originalHeaders!, 'list-unsubscribe')).toBeNull();
  });

  it('is null for other mail, other report types and a report without its machine part', () => {
    expect(reportParts('text/plain', 'hi')).toBeNull();
    expect(reportParts('multipart/report; report-type=disposition-notification; boundary=XB', body([]))).toBeNull();
    expect(reportParts('multipart/report; report-type=delivery-status; boundary=XB', body(['\r\nx']))).toBeNull();
    expect(reportParts('multipart/report; report-type=delivery-status', body([]))).toBeNull();
  });

  it('splits parts on the delimiter lines only', () => {
    const parts = splitMultipart('--B\r\nContent-Type: text/plain\r\n\r\na --B inside\r\n--B--\r\n', 'B');
    expect(parts).toHaveLength(1);
    expect(parts[0].body).toBe('a --B inside');
  });
});
