// Reads the machine parts of mail that comes back: RFC 3464 delivery status notifications, RFC 5965 feedback reports,
// and the headers of our own message they quote. Pure: text in, facts out.

/** A header block's fields, names lowercased, values unfolded and trimmed; a repeated field keeps every value. */
export type Fields = Map<string, string[]>;

/** A MIME part of a multipart body: its headers and its decoded body. */
export interface MimePart {
  contentType: string;
  params: Record<string, string>;
  headers: Fields;
  body: string;
}

/** One recipient of an RFC 3464 report. */
export interface DsnRecipient {
  /** The address, with its address type ("rfc822;") removed. */
  finalRecipient: string | null;
  originalRecipient: string | null;
  /** failed, delayed, delivered, relayed or expanded. */
  action: string;
  /** The enhanced status code (RFC 3463), e.g. 5.1.1. */
  status: string;
  diagnostic: string | null;
}

/** What a report says about one of our messages. */
export type BounceClass = 'hard_bounce' | 'soft_bounce' | null;

export interface FeedbackReport {
  /** abuse, fraud, virus, not-spam, other… (RFC 5965 §7.3). */
  feedbackType: string;
  originalRcptTo: string[];
  originalMailFrom: string | null;
  arrivalDate: string | null;
}

/** Splits a header block (up to the first empty line) into fields; folded lines are joined (RFC 5322 §2.2.3). */
export function parseFields(text: string): Fields {
  const fields: Fields = new Map();
  const lines = text.split(/\r?\n/);
  let name: string | null = null;
  let value = '';
  const flush = () => {
    if (name === null) return;
    const list = fields.get(name) ?? [];
    list.push(value.trim());
    fields.set(name, list);
    name = null;
  };
  for (const line of lines) {
    if (line === '') {
      flush();
      break;
    }
    if (/^[ \t]/.test(line)) {
      if (name !== null) value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    name = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return fields;
}

/** The first value of a field, or null. */
export function field(fields: Fields, name: string): string | null {
  return fields.get(name.toLowerCase())?.[0] ?? null;
}

/** `type/subtype; a=b; c="d"` as a lowercase type and its parameters (names lowercased, quotes removed). */
export function parseContentType(value: string | null): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[key] = v;
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Splits a message into its header block and body at the first empty line. */
export function splitHeaderBody(text: string): { headers: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { headers: text, body: '' };
  return { headers: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

/** The parts of a multipart body (RFC 2046 §5.1.1); a base64 part is decoded, anything else is taken as it is. */
export function splitMultipart(body: string, boundary: string): MimePart[] {
  const lines = body.split(/\r?\n/);
  const delimiter = `--${boundary}`;
  const parts: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(current);
      current = trimmed === delimiter ? [] : null;
      if (trimmed !== delimiter) break;
      continue;
    }
    current?.push(line);
  }
  return parts.map((partLines) => {
    const { headers: head, body: raw } = splitHeaderBody(partLines.join('\r\n'));
    const headers = parseFields(head);
    const { type, params } = parseContentType(field(headers, 'content-type'));
    const encoding = field(headers, 'content-transfer-encoding')?.toLowerCase();
    const decoded = encoding === 'base64' ? Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8') : raw;
    return { contentType: type, params, headers, body: decoded };
  });
}

/** The field blocks of a report body (message/delivery-status: the per-message block, then one per recipient). */
export function fieldBlocks(text: string): Fields[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((block) => block.replace(/^\s*\r?\n/, ''))
    .filter((block) => block.trim() !== '')
    .map((block) => parseFields(block));
}

/** `rfc822; fan@example.com` as `fan@example.com`; a value without an address type is taken whole. */
export function typedAddress(value: string | null): string | null {
  if (!value) return null;
  const semi = value.indexOf(';');
  const address = (semi < 0 ? value : value.slice(semi + 1)).trim().replace(/^<|>$/g, '');
  return address === '' ? null : address;
}

/** The recipients of an RFC 3464 message/delivery-status body; blocks without Action and Status are skipped. */
export function parseDeliveryStatus(body: string): DsnRecipient[] {
  const [, ...perRecipient] = fieldBlocks(body);
  const out: DsnRecipient[] = [];
  for (const block of perRecipient) {
    const action = field(block, 'action')?.toLowerCase();
    const status = /^\d\.\d{1,3}\.\d{1,3}/.exec(field(block, 'status') ?? '')?.[0];
    if (!action || !status) continue;
    out.push({
      finalRecipient: typedAddress(field(block, 'final-recipient')),
      originalRecipient: typedAddress(field(block, 'original-recipient')),
      action,
      status,
      diagnostic: field(block, 'diagnostic-code'),
    });
  }
  return out;
}

/** A failed delivery with a 5.x.x status is permanent; a delayed one or a 4.x.x status is transient. */
export function bounceClass(r: Pick<DsnRecipient, 'action' | 'status'>): BounceClass {
  if (r.action === 'failed' && r.status.startsWith('5.')) return 'hard_bounce';
  if (r.action === 'delayed' || r.status.startsWith('4.')) return 'soft_bounce';
  return null;
}

/** An RFC 5965 message/feedback-report body, or null without the required Feedback-Type. */
export function parseFeedbackReport(body: string): FeedbackReport | null {
  const fields = parseFields(body);
  const feedbackType = field(fields, 'feedback-type')?.toLowerCase();
  if (!feedbackType) return null;
  return {
    feedbackType,
    originalRcptTo: (fields.get('original-rcpt-to') ?? []).map((v) => v.replace(/^<|>$/g, '')),
    originalMailFrom: field(fields, 'original-mail-from')?.replace(/^<|>$/g, '') ?? null,
    arrivalDate: field(fields, 'arrival-date'),
  };
}

/** The unsubscribe tokens in a List-Unsubscribe value: of the https link (/u/TOKEN) and of the mailto. */
export function unsubscribeTokens(listUnsubscribe: string | null): string[] {
  if (!listUnsubscribe) return [];
  const found = [
    ...listUnsubscribe.matchAll(/\/u\/([A-Za-z0-9.-]+)/g),
    ...listUnsubscribe.matchAll(/unsubscribe\+([A-Za-z0-9.-]+)@/gi),
  ].map((m) => m[1].toLowerCase());
  return [...new Set(found)];
}

/** The decision a Message-ID of ours names (<decision-ID.email@domain>), or null. */
export function decisionFromMessageId(messageId: string | null): number | null {
  const m = /<?decision-(\d{1,15})\.email@[^>\s]+>?/i.exec(messageId ?? '');
  return m ? Number(m[1]) : null;
}

/** The report parts of a multipart/report message, by report-type: the report body and the original's headers. */
export interface ReportParts {
  reportType: 'delivery-status' | 'feedback-report';
  report: string;
  /** The quoted original message's header block (text/rfc822-headers, or the head of message/rfc822), if any. */
  originalHeaders: Fields | null;
}

/** Finds the report and the quoted original in a multipart/report body; null when it is not one we read. */
export function reportParts(contentType: string | null, body: string): ReportParts | null {
  const { type, params } = parseContentType(contentType);
  const reportType = params['report-type']?.toLowerCase();
  if (type !== 'multipart/report' || !params.boundary) return null;
  if (reportType !== 'delivery-status' && reportType !== 'feedback-report') return null;
  const parts = splitMultipart(body, params.boundary);
  const report = parts.find((p) => p.contentType === `message/${reportType}`);
  if (!report) return null;
  const original = parts.find((p) => p.contentType === 'text/rfc822-headers' || p.contentType === 'message/rfc822');
  return {
    reportType,
    report: report.body,
    originalHeaders: original ? parseFields(splitHeaderBody(original.body).headers) : null,
  };
}
