// POST /api/admin/simulate's input: the policy document and a bounded world, with every bad field named.
import type { FieldError, Validated } from '../domain/field-error.ts';
import { type CapPolicy, validateCapPolicy } from '../policy/cap-policy.ts';
import type { HistoryReplayInput, HistoryReplayResult } from '../policy/history-replay.ts';
import {
  HISTORY_REPLAY_DEFAULTS,
  HISTORY_REPLAY_LIMITS,
  type HistoryReplayBody,
  type ReplayAnswer,
  SIMULATE_DEFAULTS,
  SIMULATE_LIMITS,
  type SimulateBody,
  type SimulateRequest,
} from '../wire/replay.ts';

/**
 * Runs a validated replay for a person (a string key: today the audit's actor, later a team member's id); the
 * composition root supplies it, so the API's layers never import the simulator. A runner may refuse with
 * `ReplayBusyError` (domain/replay-busy.ts) while that person's earlier replay runs or all its threads are busy.
 */
export type ReplayRunner = (request: SimulateRequest<CapPolicy>, person: string) => Promise<ReplayAnswer>;

/**
 * Runs the replay on logged history (policy/history-replay.ts) for a person, off the event loop; the same runner as
 * the simulated one refuses with `ReplayBusyError` while that person's earlier replay of either kind runs.
 */
export type HistoryReplayRunner = (input: HistoryReplayInput, person: string) => Promise<HistoryReplayResult>;

/** The body's fields, typed by the wire so that renaming one there fails here. */
const BODY_FIELDS: readonly string[] = ['policy', 'days', 'world'] satisfies (keyof SimulateBody)[];
const WORLD_FIELDS: readonly string[] = ['seed', 'fans', 'creators'] satisfies (keyof SimulateRequest['world'])[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What both replays' bodies share: a JSON object of known fields with a cap policy document. Refuses a body that is
 * not an object outright; otherwise gives the object, the policy's check and the errors found so far.
 */
function policyBody(
  body: unknown,
  fields: readonly string[],
):
  | { ok: false; errors: FieldError[] }
  | { ok: true; body: Record<string, unknown>; checked: Validated<CapPolicy>; errors: FieldError[] } {
  if (!isObject(body))
    return { ok: false, errors: [{ field: '(body)', rule: 'must be a JSON object with a "policy" document' }] };
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) errors.push({ field: key, rule: 'is not a known field' });
  }
  const checked = validateCapPolicy(body.policy);
  if (!checked.ok)
    errors.push(
      ...checked.errors.map((e) => ({
        field: `policy.${e.field}`.replace('policy.(document)', 'policy'),
        rule: e.rule,
      })),
    );
  return { ok: true, body, checked, errors };
}

/** An optional integer field in [min, max]: the fallback when absent, an error naming the field when out of rule. */
function integerIn(
  errors: FieldError[],
  v: unknown,
  field: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
    errors.push({ field, rule: `must be an integer from ${min} to ${max}` });
  return v as number;
}

export function validateSimulateRequest(input: unknown): Validated<SimulateRequest<CapPolicy>> {
  const start = policyBody(input, BODY_FIELDS);
  if (!start.ok) return start;
  const { body, checked, errors } = start;
  const int = (v: unknown, field: string, min: number, max: number, fallback: number): number =>
    integerIn(errors, v, field, min, max, fallback);
  const days = int(body.days, 'days', SIMULATE_LIMITS.days.min, SIMULATE_LIMITS.days.max, SIMULATE_DEFAULTS.days);
  const world = body.world === undefined ? {} : body.world;
  if (!isObject(world)) errors.push({ field: 'world', rule: 'must be a JSON object' });
  const w = isObject(world) ? world : {};
  for (const key of Object.keys(w)) {
    if (!WORLD_FIELDS.includes(key)) errors.push({ field: `world.${key}`, rule: 'is not a known field' });
  }
  const seed = int(w.seed, 'world.seed', 0, 2 ** 31 - 1, SIMULATE_DEFAULTS.world.seed);
  const fans = int(
    w.fans,
    'world.fans',
    SIMULATE_LIMITS.fans.min,
    SIMULATE_LIMITS.fans.max,
    SIMULATE_DEFAULTS.world.fans,
  );
  const creators = int(
    w.creators,
    'world.creators',
    SIMULATE_LIMITS.creators.min,
    SIMULATE_LIMITS.creators.max,
    SIMULATE_DEFAULTS.world.creators,
  );
  if (errors.length || !checked.ok) return { ok: false, errors };
  return { ok: true, value: { policy: checked.value, days, world: { seed, fans, creators } } };
}

const HISTORY_FIELDS: readonly string[] = ['policy', 'days', 'fans', 'seed'] satisfies (keyof HistoryReplayBody)[];

/** A validated request for the replay on logged history. */
export interface HistoryReplayRequest {
  policy: CapPolicy;
  days: number;
  fans: number;
  seed: number;
}

export function validateHistoryReplayRequest(input: unknown): Validated<HistoryReplayRequest> {
  const start = policyBody(input, HISTORY_FIELDS);
  if (!start.ok) return start;
  const { body, checked, errors } = start;
  const int = (field: 'days' | 'fans' | 'seed'): number => {
    const { min, max } = HISTORY_REPLAY_LIMITS[field];
    return integerIn(errors, body[field], field, min, max, HISTORY_REPLAY_DEFAULTS[field]);
  };
  const days = int('days');
  const fans = int('fans');
  const seed = int('seed');
  if (errors.length || !checked.ok) return { ok: false, errors };
  return { ok: true, value: { policy: checked.value, days, fans, seed } };
}
