// The cap policy document the growth team edits: its types, the shipped default, a validator naming every bad field.

import type { FieldError, Validated } from '../domain/field-error.ts';
import { CHANNELS, type Channel, EVENT_KINDS, type EventKind, type MembershipKind } from '../domain/vocabulary.ts';
import {
  CAP_POLICY_BOUNDS as B,
  BOOLEAN_RULE,
  CHANNEL_RULE,
  DURATION_RULE,
  integerRule,
  NAME_RULE,
  PROBABILITY_RULE,
  WEIGHT_RULE,
} from './cap-policy-rules.ts';
import { parseDuration } from './duration.ts';

/** The document format; a change that old documents cannot satisfy gets a new number. */
export const CAP_POLICY_SCHEMA = 1;

/**
 * transactional: bypasses caps, gaps and quiet hours, alerts now (only a passed deadline stops it);
 * urgent: alerts now or not at all (no send-time search), under caps, gaps and quiet hours;
 * standard: the send time is chosen by predicted engagement.
 */
export const PRIORITY_CLASSES = ['transactional', 'urgent', 'standard'] as const;
export type PriorityClass = (typeof PRIORITY_CLASSES)[number];

/** At most `limit` alerts in any rolling `window`, on one channel or all, per creator or across creators. */
export interface CapRule {
  type: 'cap';
  name: string;
  /** Absent: alerts on every channel count together. */
  channel?: Channel;
  /** true: counts only alerts from the candidate's creator (a per creator per fan cap). */
  perCreator?: boolean;
  limit: number;
  window: string;
}

/** At least `minGap` between two alerts on a channel. */
export interface GapRule {
  type: 'gap';
  name: string;
  channel: Channel;
  minGap: string;
}

export type Rule = CapRule | GapRule;

/** Local hours [start, end), wrapping past midnight when start > end; start = end means none. */
export interface QuietHours {
  start: number;
  end: number;
}

export interface KindSettings {
  priority: PriorityClass;
  /** Multiplies the score into a value when candidates compete for a last slot: live outranks posts. */
  weight: number;
  /** Calibrated P(engage) at or above which an alert is sent, per channel. */
  alertThreshold: Record<Channel, number>;
}

/** Who a segment is; every given condition must hold. Membership is the fan's with the candidate's creator. */
export interface SegmentMatch {
  membership?: MembershipKind;
  minTier?: number;
  /** Fans whose tenure (time since it started) is shorter than this, e.g. "7d" for the first week. */
  tenureUnder?: string;
}

/**
 * Rules for a segment, matched to the base rules by name. replace: the segment's rule stands instead of the base
 * rule (it may loosen it); tighten: the stricter of the two holds (smaller limit, longer window, longer gap).
 * A rule whose name is not in the base is added.
 */
export interface SegmentOverride {
  name: string;
  match: SegmentMatch;
  mode: 'replace' | 'tighten';
  rules: Rule[];
}

export interface DigestSettings {
  /** At most this many items in one digest. */
  topK: number;
  /** Candidates scoring below this are suppressed rather than kept for a digest. */
  minScore: number;
  /** The local weekday of weekly digests, 0 = Sunday … 6 = Saturday. */
  weeklyOn: number;
}

export interface CapPolicy {
  schema: typeof CAP_POLICY_SCHEMA;
  /** Recorded as the decision's `policy`. */
  name: string;
  /** The default; a fan's own quiet hours replace it. null: no default quiet hours. */
  quietHours: QuietHours | null;
  rules: Rule[];
  kinds: Record<EventKind, KindSettings>;
  segments: SegmentOverride[];
  /** How far past the event's publication a send time may be searched for when the event has no earlier deadline. */
  sendTime: { horizon: string };
  digest: DigestSettings;
  /** false: caps are first come, first served (the replay's "caps only" baseline). */
  valueAware: boolean;
}

export const DEFAULT_CAP_POLICY: CapPolicy = {
  schema: CAP_POLICY_SCHEMA,
  name: 'default',
  quietHours: { start: 22, end: 8 },
  rules: [
    { type: 'cap', name: 'push_per_day', channel: 'push', limit: 3, window: '24h' },
    { type: 'cap', name: 'email_per_day', channel: 'email', limit: 2, window: '24h' },
    { type: 'cap', name: 'push_per_creator', channel: 'push', perCreator: true, limit: 1, window: '12h' },
    { type: 'cap', name: 'email_per_creator', channel: 'email', perCreator: true, limit: 1, window: '24h' },
    { type: 'gap', name: 'push_gap', channel: 'push', minGap: '30m' },
    { type: 'gap', name: 'email_gap', channel: 'email', minGap: '2h' },
  ],
  kinds: {
    live: { priority: 'urgent', weight: 1.5, alertThreshold: { push: 0.08, email: 0.12 } },
    announcement: { priority: 'standard', weight: 1.2, alertThreshold: { push: 0.12, email: 0.1 } },
    post: { priority: 'standard', weight: 1, alertThreshold: { push: 0.15, email: 0.12 } },
  },
  segments: [
    // Paying members asked for it: one more push a day.
    {
      name: 'paid_members',
      match: { membership: 'paid' },
      mode: 'replace',
      rules: [{ type: 'cap', name: 'push_per_day', channel: 'push', limit: 4, window: '24h' }],
    },
    // New fans unsubscribe fastest when flooded.
    {
      name: 'first_week',
      match: { tenureUnder: '7d' },
      mode: 'tighten',
      rules: [
        { type: 'cap', name: 'push_per_day', channel: 'push', limit: 2, window: '24h' },
        { type: 'cap', name: 'email_per_day', channel: 'email', limit: 1, window: '24h' },
      ],
    },
  ],
  sendTime: { horizon: '24h' },
  digest: { topK: 5, minScore: 0.02, weeklyOn: 1 },
  valueAware: true,
};

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the value is an object and every key is known; returns it, or undefined after recording the error. */
function object(v: unknown, path: string, known: readonly string[], errors: FieldError[]): Obj | undefined {
  if (!isObject(v)) {
    errors.push({ field: path || '(document)', rule: 'must be a JSON object' });
    return undefined;
  }
  for (const key of Object.keys(v))
    if (!known.includes(key)) errors.push({ field: join(path, key), rule: 'is not a known field' });
  return v;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function name(v: unknown, path: string, errors: FieldError[]): void {
  if (typeof v !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(v)) {
    errors.push({
      field: path,
      rule: NAME_RULE,
    });
  }
}

function integer(v: unknown, path: string, b: { min: number; max: number }, errors: FieldError[]): void {
  if (!Number.isInteger(v) || (v as number) < b.min || (v as number) > b.max)
    errors.push({ field: path, rule: integerRule(b) });
}

function probability(v: unknown, path: string, errors: FieldError[]): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
    errors.push({ field: path, rule: PROBABILITY_RULE });
}

function duration(v: unknown, path: string, errors: FieldError[]): void {
  if (parseDuration(v) === null) errors.push({ field: path, rule: DURATION_RULE });
}

function channel(v: unknown, path: string, errors: FieldError[]): void {
  if (!(CHANNELS as readonly unknown[]).includes(v)) errors.push({ field: path, rule: CHANNEL_RULE });
}

function rule(v: unknown, path: string, errors: FieldError[]): void {
  if (!isObject(v)) {
    errors.push({ field: path, rule: 'must be a JSON object' });
    return;
  }
  if (v.type === 'cap') {
    object(v, path, ['type', 'name', 'channel', 'perCreator', 'limit', 'window'], errors);
    name(v.name, `${path}.name`, errors);
    if (v.channel !== undefined) channel(v.channel, `${path}.channel`, errors);
    if (v.perCreator !== undefined && typeof v.perCreator !== 'boolean')
      errors.push({ field: `${path}.perCreator`, rule: BOOLEAN_RULE });
    integer(v.limit, `${path}.limit`, B.limit, errors);
    duration(v.window, `${path}.window`, errors);
  } else if (v.type === 'gap') {
    object(v, path, ['type', 'name', 'channel', 'minGap'], errors);
    name(v.name, `${path}.name`, errors);
    channel(v.channel, `${path}.channel`, errors);
    duration(v.minGap, `${path}.minGap`, errors);
  } else {
    errors.push({ field: `${path}.type`, rule: 'must be "cap" or "gap"' });
  }
}

function rules(v: unknown, path: string, errors: FieldError[]): Rule[] {
  if (!Array.isArray(v)) {
    errors.push({ field: path, rule: 'must be an array of rules' });
    return [];
  }
  const seen = new Map<unknown, number>();
  v.forEach((r, i) => {
    rule(r, `${path}[${i}]`, errors);
    if (!isObject(r)) return;
    const first = seen.get(r.name);
    if (first !== undefined)
      errors.push({ field: `${path}[${i}].name`, rule: `must be unique; ${path}[${first}] has the same name` });
    else seen.set(r.name, i);
  });
  return v as Rule[];
}

function quietHours(v: unknown, path: string, errors: FieldError[]): void {
  if (v === null) return;
  if (!isObject(v)) {
    errors.push({ field: path, rule: 'must be { "start": H, "end": H } in local hours, or null for none' });
    return;
  }
  object(v, path, ['start', 'end'], errors);
  const q = v as Obj;
  integer(q.start, `${path}.start`, B.hour, errors);
  integer(q.end, `${path}.end`, B.hour, errors);
}

/** A tightened rule must have the base rule's type and scope, or "the stricter of the two" means nothing. */
function segmentRules(v: unknown, path: string, mode: unknown, base: readonly Rule[], errors: FieldError[]): void {
  const list = rules(v, path, errors);
  if (mode !== 'tighten') return;
  list.forEach((r, i) => {
    if (!isObject(r)) return;
    const b = base.find((x) => isObject(x) && x.name === r.name);
    // A base rule with its own errors is reported there; comparing against it would only echo them.
    if (!b || (b.channel !== undefined && !CHANNELS.includes(b.channel))) return;
    if (b.type !== r.type)
      errors.push({ field: `${path}[${i}].type`, rule: `must be "${b.type}", the type of the rule it tightens` });
    else if (
      b.channel !== r.channel ||
      (b.type === 'cap' && Boolean(b.perCreator) !== Boolean((r as Obj).perCreator))
    ) {
      errors.push({ field: `${path}[${i}]`, rule: 'must keep the channel and perCreator of the rule it tightens' });
    }
  });
}

function segments(v: unknown, path: string, base: readonly Rule[], errors: FieldError[]): void {
  if (!Array.isArray(v)) {
    errors.push({ field: path, rule: 'must be an array of segment overrides' });
    return;
  }
  const seen = new Map<unknown, number>();
  v.forEach((s, i) => {
    const p = `${path}[${i}]`;
    const o = object(s, p, ['name', 'match', 'mode', 'rules'], errors);
    if (!o) return;
    name(o.name, `${p}.name`, errors);
    const first = seen.get(o.name);
    if (first !== undefined)
      errors.push({ field: `${p}.name`, rule: `must be unique; ${path}[${first}] has the same name` });
    else seen.set(o.name, i);
    const m = object(o.match, `${p}.match`, ['membership', 'minTier', 'tenureUnder'], errors);
    if (m) {
      if (m.membership !== undefined && m.membership !== 'free' && m.membership !== 'paid')
        errors.push({ field: `${p}.match.membership`, rule: 'must be "free" or "paid"' });
      if (m.minTier !== undefined) integer(m.minTier, `${p}.match.minTier`, B.tier, errors);
      if (m.tenureUnder !== undefined) duration(m.tenureUnder, `${p}.match.tenureUnder`, errors);
      if (Object.keys(m).length === 0)
        errors.push({ field: `${p}.match`, rule: 'must name at least one of membership, minTier, tenureUnder' });
    }
    if (o.mode !== 'replace' && o.mode !== 'tighten')
      errors.push({ field: `${p}.mode`, rule: 'must be "replace" or "tighten"' });
    segmentRules(o.rules, `${p}.rules`, o.mode, base, errors);
  });
}

function kinds(v: unknown, path: string, minScore: unknown, errors: FieldError[]): void {
  const o = object(v, path, EVENT_KINDS, errors);
  if (!o) return;
  for (const kind of EVENT_KINDS) {
    const p = join(path, kind);
    if (o[kind] === undefined) {
      errors.push({ field: p, rule: 'is required' });
      continue;
    }
    const k = object(o[kind], p, ['priority', 'weight', 'alertThreshold'], errors);
    if (!k) continue;
    if (!(PRIORITY_CLASSES as readonly unknown[]).includes(k.priority))
      errors.push({ field: `${p}.priority`, rule: `must be one of ${PRIORITY_CLASSES.join(', ')}` });
    if (typeof k.weight !== 'number' || !Number.isFinite(k.weight) || k.weight <= 0 || k.weight > B.weightMax)
      errors.push({ field: `${p}.weight`, rule: WEIGHT_RULE });
    const t = object(k.alertThreshold, `${p}.alertThreshold`, CHANNELS, errors);
    if (!t) continue;
    for (const ch of CHANNELS) {
      const tp = `${p}.alertThreshold.${ch}`;
      if (t[ch] === undefined) errors.push({ field: tp, rule: 'is required' });
      else {
        probability(t[ch], tp, errors);
        // An alert threshold below the digest's bar would alert what the digest would not even keep.
        if (typeof t[ch] === 'number' && typeof minScore === 'number' && t[ch] < minScore)
          errors.push({ field: tp, rule: `must be at least digest.minScore (${minScore})` });
      }
    }
  }
}

/** Validates a parsed JSON document into a CapPolicy, collecting every error with its path and rule. */
export function validateCapPolicy(doc: unknown): Validated<CapPolicy> {
  const errors: FieldError[] = [];
  const o = object(
    doc,
    '',
    ['schema', 'name', 'quietHours', 'rules', 'kinds', 'segments', 'sendTime', 'digest', 'valueAware'],
    errors,
  );
  if (!o) return { ok: false, errors };
  if (o.schema !== CAP_POLICY_SCHEMA) errors.push({ field: 'schema', rule: `must be ${CAP_POLICY_SCHEMA}` });
  name(o.name, 'name', errors);
  quietHours(o.quietHours, 'quietHours', errors);
  const base = rules(o.rules, 'rules', errors);
  const digest = object(o.digest, 'digest', ['topK', 'minScore', 'weeklyOn'], errors);
  if (digest) {
    integer(digest.topK, 'digest.topK', B.topK, errors);
    probability(digest.minScore, 'digest.minScore', errors);
    integer(digest.weeklyOn, 'digest.weeklyOn', B.weekday, errors);
  }
  kinds(o.kinds, 'kinds', digest?.minScore, errors);
  segments(o.segments, 'segments', base, errors);
  const sendTime = object(o.sendTime, 'sendTime', ['horizon'], errors);
  if (sendTime) duration(sendTime.horizon, 'sendTime.horizon', errors);
  if (typeof o.valueAware !== 'boolean') errors.push({ field: 'valueAware', rule: BOOLEAN_RULE });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: doc as CapPolicy };
}
