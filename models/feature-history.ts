// Assembles a page of fans' feature histories with one query per table (fans, memberships, sends, opens, clicks).
import { historyClicks, historyFans, historyMemberships, historyOpens, historySends } from '../db/feature-history.ts';
import type { Pool } from '../db/pool.ts';
import type { EventKind } from '../domain/vocabulary.ts';
import type { FanHistory, MembershipRecord, PastClick, PastOpen, PastSend } from './features.ts';

/** A past send with what training needs besides the features: the event and when it was decided. */
export interface LoadedSend extends PastSend {
  eventId: number;
  kind: EventKind;
  eventCreatedAtMs: number;
  decidedAtMs: number;
}

export interface LoadedHistory extends FanHistory {
  memberships: Map<number, MembershipRecord>;
  sends: LoadedSend[];
  opens: PastOpen[];
  clicks: PastClick[];
}

export interface HistoryRange {
  /** Sends made in [sendsFromMs, sendsToMs). */
  sendsFromMs: number;
  sendsToMs: number;
  /** Opens (and clicks) that happened in [opensFromMs, opensToMs); may reach past sendsToMs to read labels. */
  opensFromMs: number;
  opensToMs: number;
}

/** The histories of a page of fans, keyed by fan id, with sends and opens in time order. */
export async function loadFanHistories(
  pool: Pool,
  fanIds: readonly number[],
  range: HistoryRange,
): Promise<Map<number, LoadedHistory>> {
  const [fans, memberships, sends, opens, clicks] = await Promise.all([
    historyFans(pool, fanIds),
    historyMemberships(pool, fanIds),
    historySends(pool, fanIds, range.sendsFromMs, range.sendsToMs),
    historyOpens(pool, fanIds, range.opensFromMs, range.opensToMs),
    historyClicks(pool, fanIds, range.opensFromMs, range.opensToMs),
  ]);
  const out = new Map<number, LoadedHistory>();
  for (const f of fans) {
    out.set(f.id, {
      fan: { fanId: f.id, timeZone: f.time_zone, createdAtMs: f.created_ms, digestHour: f.digest_hour },
      memberships: new Map<number, MembershipRecord>(),
      sends: [],
      opens: [],
      clicks: [],
    });
  }
  for (const m of memberships) {
    out.get(m.fan_id)?.memberships.set(m.creator_id, {
      creatorId: m.creator_id,
      paid: m.kind === 'paid',
      tier: m.tier,
      startedAtMs: m.started_ms,
    });
  }
  for (const s of sends) {
    out.get(s.fan_id)?.sends.push({
      decisionId: s.decision_id,
      eventId: s.event_id,
      creatorId: s.creator_id,
      channel: s.channel,
      kind: s.kind,
      eventCreatedAtMs: s.event_created_ms,
      decidedAtMs: s.decided_ms,
      sentAtMs: s.sent_ms,
    });
  }
  for (const o of opens) {
    out.get(o.fan_id)?.opens.push({
      decisionId: o.decision_id,
      creatorId: o.creator_id,
      channel: o.channel,
      occurredAtMs: o.occurred_ms,
    });
  }
  for (const c of clicks) out.get(c.fan_id)?.clicks.push({ decisionId: c.decision_id, occurredAtMs: c.occurred_ms });
  return out;
}
