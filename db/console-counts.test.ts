// The console's kept counts (migrations/0010_console_counts.sql) against the same figures counted from the log
// (db/console-recount.ts), on a small world in several zones across a DST change: inserts, updates, deletes, an open
// before its delivery is sent (one after the other and in racing transactions), a whole page in one statement, and
// compaction between and after.
import { describe, expect, it } from 'vitest';
import { periodOf } from '../http/period.ts';
import { useTestSchema } from '../testing/db.ts';
import { creatorTotals } from './console-events.ts';
import { compactConsoleCounts, overviewSeries } from './console-overview.ts';
import { consoleReadPairs } from './console-recount.ts';
import { insertBaselineSends } from './seed-history.ts';

const db = useTestSchema('console_counts');
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

// Fans 1 to 4 are decided for; 5 and 6 only have memberships that end or start inside the period.
const ZONES = ['UTC', 'Asia/Kathmandu', 'America/New_York', 'Australia/Adelaide', 'America/New_York', 'Asia/Kolkata'];
const PERIODS: [string, string][] = [
  ['2025-03-05', '2025-03-12'],
  ['2025-03-09', '2025-03-09'],
  ['2025-03-07', '2025-03-10'],
];
const REPORT_ZONES = ['UTC', 'Asia/Kathmandu', 'America/New_York', 'Australia/Adelaide'];

async function q(sql: string, params: unknown[] = []) {
  return (await db().pool.query(sql, params)).rows;
}

async function expectCountsMatchLog(): Promise<void> {
  const pool = db().pool;
  for (const zone of REPORT_ZONES)
    for (const [from, to] of PERIODS) {
      const p = periodOf(from, to, zone, Date.parse('2026-01-01T00:00:00Z'));
      const reads = consoleReadPairs(pool, {
        start: new Date(p.start),
        end: new Date(p.end),
        zone,
        days: p.days.length,
        firstDay: from,
        lastDay: to,
      });
      expect(reads.map((r) => r.read)).toContain('alertsPerFanDay');
      for (const { read, kept, recount } of reads)
        expect(await kept(), `${read} ${zone} ${from}..${to}`).toEqual(await recount());
    }
  // The creator view's totals, over every event each creator announced.
  for (const creatorId of [1, 2]) {
    const [from, to] = [new Date('2000-01-01Z'), new Date('2100-01-01Z')];
    const kept = await creatorTotals(pool, creatorId, from, to);
    expect(kept, `creatorTotals ${creatorId}`).toEqual(await creatorTotals(pool, creatorId, from, to, 'log'));
    expect(kept.decisions).toBeGreaterThan(0);
  }
  const whole = periodOf(PERIODS[0][0], PERIODS[0][1], 'UTC', Date.parse('2026-01-01T00:00:00Z'));
  const series = await overviewSeries(pool, new Date(whole.start), new Date(whole.end), 'UTC');
  for (const field of ['sends', 'opened', 'digests'] as const)
    expect(
      series.some((r) => r[field] > 0),
      field,
    ).toBe(true);
}

/** Decisions of event j for fans 1 to 4 (push too for fans 1 and 2), with sent deliveries and some engagement. */
async function decideEvent(eventId: number, j: number): Promise<void> {
  const decidedAt = Date.parse('2025-03-06T12:00:00Z') + j * 9 * HOUR + j * 17 * MIN;
  for (let fan = 1; fan <= 4; fan++)
    for (const channel of fan <= 2 ? ['email', 'push'] : ['email']) {
      const action = ['alert', 'alert', 'digest', 'suppress', 'alert'][(fan + j) % 5];
      const [reason, detail] =
        action === 'alert'
          ? ['alert_best_time', {}]
          : action === 'suppress'
            ? ['suppress_low_value', {}]
            : [
                ['digest_cap_reached', 'digest_min_gap', 'digest_cap_reached'][(fan + j) % 3],
                [{ cap: { name: 'three-a-day' } }, { gap: { name: 'two-hours' } }, {}][(fan + j) % 3],
              ];
      const sendAt = action === 'alert' ? iso(decidedAt + 30 * MIN + fan * 7 * MIN) : null;
      const [{ id }] = await q(
        `insert into decisions (event_id, fan_id, channel, action, send_at, policy, reason, reason_detail, decided_at)
         values ($1, $2, $3, $4, $5, 'test', $6, $7, $8) returning id`,
        [eventId, fan, channel, action, sendAt, reason, detail, iso(decidedAt)],
      );
      if (!sendAt) continue;
      const finished = Date.parse(sendAt) + MIN;
      const [{ id: deliveryId }] = await q(
        `insert into deliveries (decision_id, channel, status, started_at, finished_at)
         values ($1, $2, 'sent', $3, $3) returning id`,
        [id, channel, iso(finished)],
      );
      const engagement = (kind: string, at: number, eventIdOf: number | null = eventId) =>
        q(
          `insert into engagement_events (delivery_id, decision_id, fan_id, event_id, channel, kind, occurred_at)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [deliveryId, id, fan, eventIdOf, channel, kind, iso(at)],
        );
      if ((fan + j) % 2 === 0) await engagement('open', finished + 10 * MIN);
      if ((fan + j) % 4 === 0) await engagement('click', finished + 11 * MIN);
      if ((fan + j) % 7 === 3) await engagement('unsubscribe', finished + 5 * HOUR);
    }
}

describe('console counts', () => {
  it('answer what the log counts, through inserts, updates, deletes, races and compaction', async () => {
    const pool = db().pool;
    await q(`insert into creators (id, handle, display_name) values (1, 'ada', 'Ada'), (2, 'bo', 'Bo')`);
    for (let i = 0; i < ZONES.length; i++)
      await q(`insert into fans (id, email, time_zone, locale, email_status) values ($1, $2, $3, $4, $5)`, [
        i + 1,
        `fan${i + 1}@example.com`,
        ZONES[i],
        i % 2 ? 'de' : 'en',
        i === 3 ? 'undeliverable' : 'active',
      ]);
    await q(
      `insert into push_subscriptions (fan_id, endpoint, p256dh, auth)
       values (1, 'https://push.example/1', 'k', 'a'), (2, 'https://push.example/2', 'k', 'a')`,
    );
    await q(
      `insert into memberships (fan_id, creator_id, kind, started_at, ended_at) values
         (1, 1, 'paid', '2025-01-01Z', null), (1, 2, 'free', '2025-01-01Z', null),
         (2, 1, 'free', '2025-01-01Z', null), (3, 1, 'paid', '2025-01-01Z', null), (3, 2, 'free', '2025-01-01Z', null),
         (4, 1, 'free', '2025-01-01Z', null), (4, 2, 'free', '2025-01-01Z', null),
         (5, 1, 'free', '2025-01-01Z', '2025-03-08T10:00Z'),
         (6, 1, 'free', '2025-03-07T01:00Z', '2025-03-07T03:00Z'), (6, 2, 'paid', '2025-03-07T20:00Z', null)`,
    );
    const events: number[] = [];
    for (let j = 0; j < 14; j++) {
      const [{ id }] = await q(
        `insert into creator_events (creator_id, kind, title, url, audience, idempotency_key)
         values ($1, $2, 'e', 'https://creators.example/e', 'all', $3) returning id`,
        [(j % 2) + 1, ['post', 'live', 'announcement'][j % 3], `e${j}`],
      );
      events.push(Number(id));
    }
    for (let j = 0; j < 7; j++) await decideEvent(events[j], j);
    // An unsubscribe from no message (a List-Unsubscribe mail without a decision).
    await q(
      `insert into engagement_events (fan_id, kind, occurred_at) values (3, 'unsubscribe', '2025-03-09T06:50:00Z')`,
    );
    await expectCountsMatchLog();
    expect(Number((await q('select count(*) as n from fan_day_alerts where alerts >= 2'))[0].n)).toBeGreaterThan(0);

    const before = Number((await q('select count(*) as n from send_counts'))[0].n);
    expect(await compactConsoleCounts(pool, new Date('2026-01-01T00:00:00Z'))).toBeGreaterThan(0);
    expect(Number((await q('select count(*) as n from send_counts'))[0].n)).toBeLessThan(before);
    await expectCountsMatchLog();

    for (let j = 7; j < 13; j++) await decideEvent(events[j], j);
    // A whole page in one statement: decisions, sent deliveries and opens written together.
    await insertBaselineSends(
      pool,
      'baseline',
      {
        eventIds: [events[13], events[13], events[13]],
        fanIds: [1, 2, 3],
        channels: ['email', 'email', 'push'],
        sentAt: ['2025-03-09T06:59:00Z', '2025-03-09T07:01:00Z', '2025-03-10T18:14:00Z'],
      },
      {
        send: [1, 2, 2],
        kinds: ['open', 'open', 'click'],
        occurredAt: ['2025-03-09T07:30:00Z', '2025-03-09T08:00:00Z', '2025-03-09T08:00:00Z'],
      },
    );
    await expectCountsMatchLog();

    // A delivery sent after its open arrived, one no longer sent, one moved to another day, a decision deleted.
    const alerts = await q(
      `select d.id, dl.id as delivery_id from decisions d join deliveries dl on dl.decision_id = d.id
       where d.action = 'alert' order by d.id`,
    );
    await q(`update deliveries set status = 'sending', finished_at = null where id = $1`, [alerts[0].delivery_id]);
    await q(`delete from engagement_events where decision_id = $1`, [alerts[0].id]);
    await q(
      `insert into engagement_events (decision_id, fan_id, kind, occurred_at)
       select id, fan_id, 'open', '2025-03-08T09:00Z' from decisions where id = $1`,
      [alerts[0].id],
    );
    await q(`update deliveries set status = 'sent', finished_at = '2025-03-08T09:05Z' where id = $1`, [
      alerts[0].delivery_id,
    ]);
    await q(`update deliveries set status = 'failed' where id = $1`, [alerts[1].delivery_id]);
    await q(`update deliveries set finished_at = finished_at + interval '1 day' where id = $1`, [
      alerts[2].delivery_id,
    ]);
    await q(`update deliveries set attempts = attempts + 1`);
    await q(`delete from engagement_events where decision_id = $1`, [alerts[3].id]);
    await q(`delete from deliveries where decision_id = $1`, [alerts[3].id]);
    await q(`delete from decisions where id = $1 or (action = 'suppress' and fan_id = 2)`, [alerts[3].id]);
    await expectCountsMatchLog();

    // Memberships and a time zone change for the fans without decisions: the live fan-days follow.
    await q(`update memberships set ended_at = '2025-03-10T02:00Z' where fan_id = 5`);
    await q(
      `insert into memberships (fan_id, creator_id, kind, started_at) values (5, 2, 'paid', '2025-03-11T23:00Z')`,
    );
    await q(`delete from memberships where fan_id = 6 and creator_id = 1`);
    await q(`update fans set time_zone = 'Pacific/Chatham' where id = 6`);
    await expectCountsMatchLog();

    // The race: an open written while its delivery is being marked sent in a transaction still open, both orders.
    for (const [n, openFirst] of [
      [4, false],
      [5, true],
    ] as const) {
      const { id, delivery_id: deliveryId } = alerts[n];
      await q(`delete from engagement_events where decision_id = $1 and kind = 'open'`, [id]);
      await q(`update deliveries set status = 'sending' where id = $1`, [deliveryId]);
      const [a, b] = [await pool.connect(), await pool.connect()];
      try {
        const send = `update deliveries set status = 'sent' where id = ${Number(deliveryId)}`;
        const open = `insert into engagement_events (decision_id, fan_id, kind, occurred_at)
                      select id, fan_id, 'open', '2025-03-10T01:00Z' from decisions where id = ${Number(id)}`;
        await a.query('begin');
        await a.query(openFirst ? open : send);
        const other = b.query(openFirst ? send : open);
        await new Promise((r) => setTimeout(r, 200));
        await a.query('commit');
        await other;
      } finally {
        a.release();
        b.release();
      }
      expect(
        (await q(`select count(*)::int as n from engagement_events where decision_id = $1 and kind = 'open'`, [id]))[0]
          .n,
      ).toBe(1);
      await expectCountsMatchLog();
    }

    await compactConsoleCounts(pool, new Date('2026-01-01T00:00:00Z'));
    await expectCountsMatchLog();
    const groups = await q(
      `select count(*)::int as rows, count(distinct (bucket, event_id, channel))::int as groups from send_counts`,
    );
    expect(groups[0].rows).toBe(groups[0].groups);
  }, 120_000);
});
