// Reads a parsed message's RFC 2369/8058 list headers as they were sent (mailparser turns List-* headers into objects).
import type { ParsedMail } from 'mailparser';

export interface ListHeaders {
  /**
   * The https one-click URL and the mailto of List-Unsubscribe, or null when the header is not `<https…>, <mailto…>`.
   */
  unsubscribe: { https: string; mailto: string } | null;
  /** The List-Unsubscribe-Post value. */
  post: string | undefined;
  /** The List-Id header line. */
  listId: string | undefined;
}

export function listHeaders(parsed: ParsedMail): ListHeaders {
  const lines = new Map(parsed.headerLines.map((h) => [h.key, h.line.replace(/\r?\n\s+/g, ' ')]));
  const m = /^List-Unsubscribe:\s*<(https:\/\/[^>]+)>,\s*<(mailto:[^>]+)>$/i.exec(lines.get('list-unsubscribe') ?? '');
  return {
    unsubscribe: m ? { https: m[1], mailto: m[2] } : null,
    post: lines.get('list-unsubscribe-post')?.replace(/^List-Unsubscribe-Post:\s*/i, ''),
    listId: lines.get('list-id'),
  };
}
