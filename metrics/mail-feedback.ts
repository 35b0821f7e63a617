// The complaint gauges, read from PostgreSQL on each scrape: complaints received today and their share of emails sent.
import { Gauge, type Registry } from 'prom-client';
import { complaintsSince } from '../db/inbound-mail.ts';
import type { Pool } from '../db/pool.ts';

/** Mailbox providers throttle a sender whose complaints pass about this share of its mail (docs/DELIVERY.md). */
export const COMPLAINT_RATE_ALERT = 0.003;

/** A scrape waits this long for the complaint counts (a free connection included), then reports NaN. */
export const MAIL_FEEDBACK_TIMEOUT_MS = 1_500;

/** Today (UTC) so far; a query that fails or outlasts its timeout leaves both NaN rather than a stale number. */
export function registerMailFeedback(registry: Registry, pool: Pool, now: () => Date): void {
  let pending: Promise<{ complaints: number; rate: number }> | undefined;
  const read = () => {
    pending ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const at = now();
        const midnight = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
        const { complaints, emailsSent } = await Promise.race([
          complaintsSince(pool, midnight),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('complaint query timed out')), MAIL_FEEDBACK_TIMEOUT_MS);
          }),
        ]);
        return { complaints, rate: emailsSent === 0 ? 0 : complaints / emailsSent };
      } catch {
        return { complaints: Number.NaN, rate: Number.NaN };
      } finally {
        clearTimeout(timer);
        pending = undefined;
      }
    })();
    return pending;
  };
  new Gauge({
    name: 'fanfare_mail_complaints_today',
    help: 'Spam complaints (RFC 5965 feedback reports tied to a message of ours) received since 00:00 UTC.',
    registers: [registry],
    async collect() {
      this.set((await read()).complaints);
    },
  });
  new Gauge({
    name: 'fanfare_mail_complaint_rate_today',
    help: `Complaints today over emails sent today (0 if none); providers throttle above ${COMPLAINT_RATE_ALERT}`,
    registers: [registry],
    async collect() {
      this.set((await read()).rate);
    },
  });
}
