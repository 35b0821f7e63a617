// Builds the signed links a message carries: open pixel, click redirect, unsubscribe (https and mailto), preferences.
import type { TokenSigner } from './tokens.ts';

export interface LinkSettings {
  /** Where the API is reachable by fans, e.g. https://fanfare.example; no trailing slash needed. */
  publicUrl: string;
  /** Domain of the unsubscribe mailto, normally the From domain. */
  mailDomain: string;
  signer: TokenSigner;
  /** How long a preferences link in a message keeps working. */
  preferencesTtlMs?: number;
}

export interface Links {
  openPixel(decisionId: number): string;
  click(decisionId: number): string;
  unsubscribe(fanId: number, decisionId?: number): { url: string; mailto: string };
  preferences(fanId: number, now: Date): string;
  /** RFC 2369 and RFC 8058 headers for a bulk message to one fan. */
  listHeaders(fanId: number, decisionId: number | undefined, listId: string): Record<string, string>;
}

export const DEFAULT_PREFERENCES_TTL_MS = 60 * 24 * 3600 * 1000;
/** RFC 5321 §4.5.3.1.1. */
const MAX_LOCAL_PART = 64;

export function createLinks(s: LinkSettings): Links {
  const base = s.publicUrl.replace(/\/+$/, '');
  const ttl = s.preferencesTtlMs ?? DEFAULT_PREFERENCES_TTL_MS;
  const links: Links = {
    openPixel: (decisionId) => `${base}/t/o/${s.signer.sign({ purpose: 'open', decisionId })}`,
    click: (decisionId) => `${base}/t/c/${s.signer.sign({ purpose: 'click', decisionId })}`,
    unsubscribe(fanId, decisionId) {
      const token = s.signer.sign({ purpose: 'unsubscribe', fanId, decisionId });
      let local = `unsubscribe+${token}`;
      // Huge ids or a long key id could overflow the local part: the mailto then names the fan only.
      if (local.length > MAX_LOCAL_PART) local = `unsubscribe+${s.signer.sign({ purpose: 'unsubscribe', fanId })}`;
      return { url: `${base}/u/${token}`, mailto: `mailto:${local}@${s.mailDomain}?subject=unsubscribe` };
    },
    preferences: (fanId, now) => {
      const token = s.signer.sign({ purpose: 'preferences', fanId, expiresAt: new Date(now.getTime() + ttl) });
      return `${base}/preferences?token=${token}`;
    },
    listHeaders(fanId, decisionId, listId) {
      const u = links.unsubscribe(fanId, decisionId);
      return {
        'List-Unsubscribe': `<${u.url}>, <${u.mailto}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'List-Id': listId,
      };
    },
  };
  return links;
}

/** The token from an unsubscribe+TOKEN@domain address, for whatever receives mail to that domain. */
export function unsubscribeTokenFromAddress(address: string): string | null {
  const m = /^unsubscribe\+([a-z0-9.-]+)@/i.exec(address.trim());
  return m ? m[1].toLowerCase() : null;
}
