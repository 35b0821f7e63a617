// Cap and gap arithmetic over rolling windows: what a send at time t would do to each rule, given the fan's alerts.

import type { Candidate, Send } from '../domain/decision.ts';
import type { CapRule, GapRule, Rule } from './cap-policy.ts';
import { durationMs } from './duration.ts';

/** The rule that stops a send at a time, with the numbers a reason needs. */
export type Binding =
  | { type: 'cap'; name: string; limit: number; window: string; used: number }
  | { type: 'gap'; name: string; minGap: string; nearestSendAt: string };

/** A cap whose last slot a send at t would take, and how long that slot would then stay taken. */
export interface LastSlot {
  name: string;
  limit: number;
  window: string;
  used: number;
  heldMs: number;
}

type Scope = Pick<Candidate, 'channel' | 'creatorId'>;

function counts(rule: CapRule, send: Send, scope: Scope): boolean {
  return (
    (rule.channel === undefined || send.channel === rule.channel) &&
    (!rule.perCreator || send.creatorId === scope.creatorId)
  );
}

/**
 * The most alerts already in one window of length W that also contains t, and where that window starts.
 * Windows are half-open [a, a + W); those containing t start in (t - W, t], and the fullest starts at t or at an alert.
 */
export function peakAround(times: readonly number[], t: number, windowMs: number): { used: number; start: number } {
  // The fullest window wins; among equally full ones the latest start, so the slot stays taken until the last full
  // window ends. No closures or arrays: decide() asks this per rule per candidate time.
  let bestUsed = usedFrom(times, t, windowMs);
  let bestStart = t;
  for (let i = 0; i < times.length; i++) {
    const a = times[i];
    if (a <= t - windowMs || a > t) continue;
    const used = usedFrom(times, a, windowMs);
    if (used > bestUsed || (used === bestUsed && a > bestStart)) {
      bestUsed = used;
      bestStart = a;
    }
  }
  return { used: bestUsed, start: bestStart };
}

/** Alerts in the half-open window [a, a + windowMs). */
function usedFrom(times: readonly number[], a: number, windowMs: number): number {
  let used = 0;
  for (let i = 0; i < times.length; i++) if (times[i] >= a && times[i] < a + windowMs) used++;
  return used;
}

/** Reused by capUse: the times a rule counts, rebuilt per call. */
const counted: number[] = [];

export function capUse(
  rule: CapRule,
  sends: readonly Send[],
  scope: Scope,
  t: number,
): { used: number; start: number } {
  if (rule.channel !== undefined && rule.channel !== scope.channel) return { used: 0, start: t };
  counted.length = 0;
  for (const s of sends) if (counts(rule, s, scope)) counted.push(s.sendAt.getTime());
  return peakAround(counted, t, durationMs(rule.window));
}

function gapBinding(rule: GapRule, sends: readonly Send[], scope: Scope, t: number): Binding | null {
  if (rule.channel !== scope.channel) return null;
  const gap = durationMs(rule.minGap);
  let nearest: number | null = null;
  for (const s of sends) {
    const at = s.sendAt.getTime();
    if (s.channel !== rule.channel || Math.abs(at - t) >= gap) continue;
    if (nearest === null || Math.abs(at - t) < Math.abs(nearest - t)) nearest = at;
  }
  return nearest === null
    ? null
    : { type: 'gap', name: rule.name, minGap: rule.minGap, nearestSendAt: new Date(nearest).toISOString() };
}

/** The first rule, in policy order, that a send at t would break; null when t is free. */
export function bindingAt(rules: readonly Rule[], sends: readonly Send[], scope: Scope, t: number): Binding | null {
  for (const rule of rules) {
    if (rule.type === 'gap') {
      const b = gapBinding(rule, sends, scope, t);
      if (b) return b;
      continue;
    }
    if (rule.channel !== undefined && rule.channel !== scope.channel) continue;
    const { used } = capUse(rule, sends, scope, t);
    if (used >= rule.limit) return { type: 'cap', name: rule.name, limit: rule.limit, window: rule.window, used };
  }
  return null;
}

/**
 * The caps whose last slot a send at t would take. The slot stays taken until the fullest window ends;
 * that is the stretch in which a better candidate would find no room.
 */
export function lastSlotsAt(rules: readonly Rule[], sends: readonly Send[], scope: Scope, t: number): LastSlot[] {
  const out: LastSlot[] = [];
  for (const rule of rules) {
    if (rule.type !== 'cap' || (rule.channel !== undefined && rule.channel !== scope.channel)) continue;
    const { used, start } = capUse(rule, sends, scope, t);
    if (used + 1 === rule.limit)
      out.push({
        name: rule.name,
        limit: rule.limit,
        window: rule.window,
        used,
        heldMs: start + durationMs(rule.window) - t,
      });
  }
  return out;
}
