// Audits an event's delivery ledger against what the local SMTP capture and push service received: shared by the
// tests that kill workers mid-delivery (test/worker-crash.test.ts, test/cluster-two-workers.test.ts).
import { expect } from 'vitest';
import type { AddressedDelivery } from '../db/deliveries.ts';
import type { PushService } from '../peers/push-service.ts';
import type { SmtpCapture } from '../peers/smtp-capture.ts';

export function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/** A ledger row is settled once it is no longer claimed, sending or due for a retry. */
export const isSettled = (row: AddressedDelivery): boolean => !['claimed', 'sending', 'retry'].includes(row.status);

export interface DeliveryAudit {
  /** Copies received per address, by channel. */
  mails: Map<string, number>;
  pushes: Map<string, number>;
  /** How many copies of a ledger row's message its provider received. */
  arrived: (row: AddressedDelivery) => number;
}

/** Counts what the peers received, per address. */
export function countDeliveries(smtp: SmtpCapture, push: PushService): DeliveryAudit {
  const mails = countBy(smtp.messages.map((m) => m.envelope.to.join(',')));
  const pushes = countBy(push.received.map((p) => p.endpoint));
  const arrived = (row: AddressedDelivery) =>
    (row.channel === 'email' ? mails.get(row.email) : pushes.get(row.endpoint)) ?? 0;
  return { mails, pushes, arrived };
}

/**
 * What must hold whatever was killed: nothing arrived twice, nothing arrived that the ledger does not hold, every row
 * is `sent` or `possibly_sent`, and every `sent` row arrived once.
 */
export function expectDeliveredAtMostOnce(ledger: readonly AddressedDelivery[], audit: DeliveryAudit): void {
  const { mails, pushes, arrived } = audit;
  expect([...mails].filter(([, n]) => n > 1)).toEqual([]);
  expect([...pushes].filter(([, n]) => n > 1)).toEqual([]);
  const inLedger = new Set(ledger.map((r) => (r.channel === 'email' ? r.email : r.endpoint)));
  expect([...mails.keys(), ...pushes.keys()].filter((k) => !inLedger.has(k))).toEqual([]);
  expect(ledger.filter((r) => r.status !== 'sent' && r.status !== 'possibly_sent')).toEqual([]);
  expect(ledger.filter((r) => r.status === 'sent' && arrived(r) !== 1)).toEqual([]);
}
