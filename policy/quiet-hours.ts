// Quiet hours in the fan's local time: the fan's own preference, else the policy default.
import { localHour } from '../domain/clock.ts';
import type { Candidate } from '../domain/decision.ts';
import type { CapPolicy, QuietHours } from './cap-policy.ts';

/** The fan's quiet hours when they set both ends, otherwise the policy's; null means none. */
export function quietHoursFor(
  policy: CapPolicy,
  candidate: Pick<Candidate, 'quietStart' | 'quietEnd'>,
): QuietHours | null {
  if (candidate.quietStart !== null && candidate.quietEnd !== null)
    return { start: candidate.quietStart, end: candidate.quietEnd };
  return policy.quietHours;
}

/**
 * Whether instant `atMs` falls in [start, end) local hours in `zone`; a window with start > end wraps past midnight.
 */
export function inQuietHours(quiet: QuietHours | null, zone: string, atMs: number): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  const h = localHour(zone, atMs);
  return quiet.start < quiet.end ? h >= quiet.start && h < quiet.end : h >= quiet.start || h < quiet.end;
}
