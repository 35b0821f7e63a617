// Handles mail to the List-Unsubscribe mailto (unsubscribe+TOKEN@domain) from whatever receives the domain's mail.

import { UnknownFanError, unsubscribeFan } from '../db/engagement.ts';
import type { Pool } from '../db/pool.ts';
import { unsubscribeTokenFromAddress } from './links.ts';
import type { TokenSigner } from './tokens.ts';

export type MailUnsubscribeResult = {
  address: string;
  outcome: 'unsubscribed' | 'already_unsubscribed' | 'not_an_unsubscribe_address' | 'invalid_token' | 'unknown_fan';
};

/** The envelope recipients decide, not the headers: a forwarded message must not unsubscribe whoever forwarded it. */
export async function unsubscribeByMail(
  pool: Pool,
  signer: TokenSigner,
  recipients: readonly string[],
  now = new Date(),
): Promise<MailUnsubscribeResult[]> {
  const results: MailUnsubscribeResult[] = [];
  for (const address of recipients) {
    const token = unsubscribeTokenFromAddress(address);
    if (!token) {
      results.push({ address, outcome: 'not_an_unsubscribe_address' });
      continue;
    }
    const v = signer.verify(token, 'unsubscribe', now);
    if (!v.ok) {
      results.push({ address, outcome: 'invalid_token' });
      continue;
    }
    try {
      const changed = await unsubscribeFan(pool, v.claims.fanId, v.claims.decisionId, 'mailto');
      results.push({ address, outcome: changed ? 'unsubscribed' : 'already_unsubscribed' });
    } catch (err) {
      if (!(err instanceof UnknownFanError)) throw err;
      results.push({ address, outcome: 'unknown_fan' });
    }
  }
  return results;
}
