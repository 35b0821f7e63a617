// The per-provider limits shared by every worker: concurrency leases, the next start time of a rate, refusal pauses.
import type { Channel } from '../domain/vocabulary.ts';
import type { Pool } from './pool.ts';

/**
 * Takes a free concurrency slot (one whose lease ran out) among the provider's first `concurrency`, for `leaseMs`;
 * returns its number, or null when all are held. Slots are made on first use.
 */
export async function acquireProviderSlot(
  pool: Pool,
  provider: string,
  holder: string,
  concurrency: number,
  leaseMs: number,
): Promise<number | null> {
  const take = () =>
    pool.query<{ slot: number }>(
      `update provider_slots s set holder = $2::text, held_until = now() + $4::int * interval '1 millisecond'
        where (s.provider, s.slot) = (
          select provider, slot from provider_slots
           where provider = $1::text and slot < $3::int and held_until < now()
           order by slot limit 1 for update skip locked)
       returning s.slot`,
      [provider, holder, concurrency, leaseMs],
    );
  const r = await take();
  if (r.rows.length > 0) return r.rows[0].slot;
  const made = await pool.query(
    `insert into provider_slots (provider, slot) select $1::text, g from generate_series(0, $2::int - 1) g
     on conflict do nothing`,
    [provider, concurrency],
  );
  if ((made.rowCount ?? 0) === 0) return null;
  const again = await take();
  return again.rows[0]?.slot ?? null;
}

/** Extends the leases of these holders (a worker's calls still in flight) by `leaseMs` from now. */
export async function renewProviderSlots(pool: Pool, holders: readonly string[], leaseMs: number): Promise<void> {
  if (holders.length === 0) return;
  await pool.query(
    `update provider_slots set held_until = now() + $2::int * interval '1 millisecond'
      where holder = any($1::text[]) and held_until > '-infinity'`,
    [holders, leaseMs],
  );
}

/** Frees a slot this holder has; an accepted message also ends the provider's run of refusals. */
export async function releaseProviderSlot(
  pool: Pool,
  provider: string,
  slot: number,
  holder: string,
  accepted: boolean,
): Promise<void> {
  await pool.query(
    `with freed as (
       update provider_slots set holder = null, held_until = '-infinity'
        where provider = $1::text and slot = $2::int and holder = $3::text)
     update provider_limits set refusals = 0 where provider = $1::text and refusals > 0 and $4::boolean`,
    [provider, slot, holder, accepted],
  );
}

/**
 * Reserves the provider's next start time: messages start at least `intervalMs` apart across all workers, and not
 * while the provider is paused. Returns how long to wait before starting, or, when that would be longer than
 * `maxWaitMs`, reserves nothing and returns the wait as `busyMs`.
 */
export async function takeProviderTurn(
  pool: Pool,
  provider: string,
  intervalMs: number,
  maxWaitMs: number,
): Promise<{ waitMs: number } | { busyMs: number }> {
  const r = await pool.query<{ wait_ms: number }>(
    `insert into provider_limits as l (provider, next_at)
     values ($1::text, now() + $2::float8 * interval '1 millisecond')
     on conflict (provider) do update
        set next_at = greatest(l.next_at, now(), l.paused_until) + $2::float8 * interval '1 millisecond'
      where greatest(l.next_at, now(), l.paused_until) <= now() + $3::int * interval '1 millisecond'
     returning (extract(epoch from (l.next_at - now())) * 1000 - $2::float8)::float8 as wait_ms`,
    [provider, intervalMs, maxWaitMs],
  );
  if (r.rows.length > 0) return { waitMs: Math.max(0, r.rows[0].wait_ms) };
  const busy = await pool.query<{ busy_ms: number }>(
    `select (extract(epoch from (greatest(next_at, paused_until) - now())) * 1000)::float8 as busy_ms
       from provider_limits where provider = $1::text`,
    [provider],
  );
  return { busyMs: Math.max(0, busy.rows[0]?.busy_ms ?? 0) };
}

/**
 * Counts a refusal, unless the provider is paused already (a refusal of a call that started before the pause), and
 * returns the run of refusals so far; then `pauseProvider` sets the pause that run earns.
 */
export async function countProviderRefusal(pool: Pool, provider: string): Promise<number> {
  const r = await pool.query<{ refusals: number }>(
    `insert into provider_limits as l (provider, refusals) values ($1::text, 1)
     on conflict (provider) do update
        set refusals = case when l.paused_until <= now() then l.refusals + 1 else l.refusals end
     returning refusals`,
    [provider],
  );
  return r.rows[0].refusals;
}

/** No worker starts a message to the provider for `pauseMs` (a longer pause already set stays). */
export async function pauseProvider(pool: Pool, provider: string, pauseMs: number): Promise<void> {
  await pool.query(
    `update provider_limits
        set paused_until = greatest(paused_until, now() + $2::int * interval '1 millisecond')
      where provider = $1::text`,
    [provider, Math.round(pauseMs)],
  );
}

/**
 * Hands back a claimed delivery that never reached the provider because its provider was busy: 'retry', without
 * counting the attempt, so waiting for a provider never exhausts a message's attempts.
 */
export async function returnUnsentClaim(
  pool: Pool,
  token: string,
  decisionId: number,
  channel: Channel,
  errorMessage: string,
): Promise<void> {
  await pool.query(
    `update deliveries
        set status = 'retry', attempts = greatest(attempts - 1, 0), error_code = 'provider_busy',
            error_message = $4::text, finished_at = null
      where decision_id = $1::bigint and channel = $2::text and claim_token = $3::text and status = 'claimed'`,
    [decisionId, channel, token, errorMessage.slice(0, 1000)],
  );
}

/** Forgets every provider's slots, rate bookings and pauses (a bench between its scenarios). */
export async function resetProviderLimits(pool: Pool): Promise<void> {
  await pool.query('delete from provider_slots; delete from provider_limits');
}
