// Experiments, pure: the definition's validator, where a new experiment's traffic goes, and which arm a fan is in.
import { createHash } from 'node:crypto';
import {
  type ArmAssignment,
  type ArmDefinition,
  armKind,
  type Experiment,
  type ExperimentDefinition,
  GLOBAL_HOLDOUT_ARM,
  TRAFFIC_BUCKETS,
} from '../domain/experiment.ts';
import type { FieldError, Validated } from '../domain/field-error.ts';

export const ARM_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const MAX_ARMS = 10;

/** A stable point in [0, modulus) for a fan under a salt: the same fan and salt always land alike. */
export function fanPoint(fanId: number, salt: string, modulus: number): number {
  const digest = createHash('sha256').update(`${salt}:${fanId}`).digest();
  return digest.readUInt32BE(0) % modulus;
}

/** The fan's bucket in [0, TRAFFIC_BUCKETS) under a salt. */
export const fanBucket = (fanId: number, salt: string) => fanPoint(fanId, salt, TRAFFIC_BUCKETS);

/** The salt of the traffic bucket (which experiment, or the global holdout); arms use one salted by experiment. */
export const TRAFFIC_SALT = 'fanfare-traffic';
export const armSalt = (experimentId: number) => `fanfare-experiment-${experimentId}`;

/** Percent as buckets: 1% is 100 buckets. */
export const percentBuckets = (percent: number) => Math.round((percent * TRAFFIC_BUCKETS) / 100);

/** The global holdout owns the top of the bucket space, [TRAFFIC_BUCKETS - its buckets, TRAFFIC_BUCKETS). */
export function globalHoldoutStart(globalHoldoutPercent: number): number {
  return TRAFFIC_BUCKETS - percentBuckets(globalHoldoutPercent);
}

const twoDecimals = (n: number) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9;

/** Checks a definition as given (HTTP body or CLI arms), naming every bad field; exactly one arm is the control. */
export function validateExperiment(raw: unknown): Validated<ExperimentDefinition> {
  const errors: FieldError[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, errors: [{ field: '(document)', rule: 'must be an object with name and arms' }] };
  const doc = raw as Record<string, unknown>;
  const name = typeof doc.name === 'string' ? doc.name.trim() : '';
  if (name.length < 1 || name.length > 100) errors.push({ field: 'name', rule: 'must be text of 1 to 100 characters' });
  if (!Array.isArray(doc.arms) || doc.arms.length < 2 || doc.arms.length > MAX_ARMS) {
    errors.push({ field: 'arms', rule: `must be a list of 2 to ${MAX_ARMS} arms` });
    return { ok: false, errors };
  }
  const arms: ArmDefinition[] = [];
  const seen = new Set<string>();
  doc.arms.forEach((a: unknown, i: number) => {
    const at = `arms[${i}]`;
    if (typeof a !== 'object' || a === null) {
      errors.push({ field: at, rule: 'must be an object' });
      return;
    }
    const arm = a as Record<string, unknown>;
    if (typeof arm.name !== 'string' || !ARM_NAME.test(arm.name))
      errors.push({
        field: `${at}.name`,
        rule: 'must be 1 to 40 of a-z, 0-9, "_" and "-", starting with a letter or digit',
      });
    else if (arm.name === GLOBAL_HOLDOUT_ARM)
      errors.push({ field: `${at}.name`, rule: `must not be "${GLOBAL_HOLDOUT_ARM}" (the standing global holdout)` });
    else if (seen.has(arm.name)) errors.push({ field: `${at}.name`, rule: 'must differ from the other arms' });
    else seen.add(arm.name);
    const allocation = arm.allocation;
    if (typeof allocation !== 'number' || !(allocation > 0 && allocation <= 100) || !twoDecimals(allocation))
      errors.push({
        field: `${at}.allocation`,
        rule: 'must be a percent of all fans above 0, at most 100, two decimals',
      });
    const version = (key: 'capPolicyVersion' | 'modelVersion'): number | null => {
      const v = arm[key];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
        errors.push({ field: `${at}.${key}`, rule: 'must be a positive integer (a stored version)' });
        return null;
      }
      return v;
    };
    const capPolicyVersion = version('capPolicyVersion');
    const modelVersion = version('modelVersion');
    const holdout = arm.holdout === undefined ? false : arm.holdout;
    if (typeof holdout !== 'boolean') errors.push({ field: `${at}.holdout`, rule: 'must be true or false' });
    else if (holdout && (capPolicyVersion !== null || modelVersion !== null))
      errors.push({ field: `${at}.holdout`, rule: 'a holdout arm sets no cap policy or model version' });
    arms.push({
      name: String(arm.name),
      allocation: Number(allocation),
      capPolicyVersion,
      modelVersion,
      holdout: holdout === true,
    });
  });
  if (errors.length === 0) {
    const controls = arms.filter((a) => armKind(a) === 'control').length;
    if (controls !== 1)
      errors.push({ field: 'arms', rule: `must hold exactly one control (an arm that sets nothing), not ${controls}` });
    const total = arms.reduce((s, a) => s + percentBuckets(a.allocation), 0);
    if (total > TRAFFIC_BUCKETS) errors.push({ field: 'arms', rule: 'allocations must add up to at most 100%' });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: { name, arms } };
}

/**
 * The first free range of `size` buckets below the global holdout, clear of the running experiments' ranges; null
 * when none is free. Running experiments never share a bucket, so a fan is in one experiment at a time.
 */
export function placeExperiment(
  size: number,
  running: readonly Pick<Experiment, 'bucketStart' | 'bucketEnd'>[],
  globalHoldoutPercent: number,
): { bucketStart: number; bucketEnd: number } | null {
  const end = globalHoldoutStart(globalHoldoutPercent);
  const taken = [...running].sort((a, b) => a.bucketStart - b.bucketStart);
  let start = 0;
  for (const r of taken) {
    if (r.bucketStart - start >= size) break;
    start = Math.max(start, r.bucketEnd);
  }
  return start + size <= end ? { bucketStart: start, bucketEnd: start + size } : null;
}

/** The buckets still free for a new experiment, for the refusal's message. */
export function freeBuckets(running: readonly Pick<Experiment, 'bucketStart' | 'bucketEnd'>[], holdout: number) {
  const end = globalHoldoutStart(holdout);
  return end - running.reduce((s, r) => s + Math.max(0, Math.min(r.bucketEnd, end) - r.bucketStart), 0);
}

/** The running experiments and the global holdout's share: everything assignment needs. */
export interface Traffic {
  globalHoldoutPercent: number;
  running: readonly Experiment[];
}

/**
 * The arm a fan's decisions take: the global holdout first (the top of the bucket space), then the running experiment
 * whose range holds the fan's bucket, its arm picked by a second hash over the arms' allocations; null for a fan in
 * neither, who is decided as usual.
 */
export function assignArm(fanId: number, traffic: Traffic): ArmAssignment | null {
  const bucket = fanBucket(fanId, TRAFFIC_SALT);
  if (bucket >= globalHoldoutStart(traffic.globalHoldoutPercent))
    return {
      experimentId: null,
      arm: GLOBAL_HOLDOUT_ARM,
      capPolicyVersion: null,
      modelVersion: null,
      holdout: false,
      noRelevanceFiltering: true,
    };
  const experiment = traffic.running.find((e) => bucket >= e.bucketStart && bucket < e.bucketEnd);
  if (!experiment) return null;
  const total = experiment.arms.reduce((s, a) => s + percentBuckets(a.allocation), 0);
  const point = fanPoint(fanId, armSalt(experiment.id), total);
  let edge = 0;
  const arm =
    experiment.arms.find((a) => {
      edge += percentBuckets(a.allocation);
      return point < edge;
    }) ?? experiment.arms[experiment.arms.length - 1];
  return {
    experimentId: experiment.id,
    arm: arm.name,
    capPolicyVersion: arm.capPolicyVersion,
    modelVersion: arm.modelVersion,
    holdout: arm.holdout,
    noRelevanceFiltering: false,
  };
}
