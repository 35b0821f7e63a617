// Validates what fans send: their preferences and a browser push subscription, naming each bad field and its rule.
import { z } from 'zod';
import { checkPushSubscription, type PushEndpointPolicy } from '../delivery/push-endpoint.ts';
import type { FanPreferences, PushSubscriptionInput } from '../domain/fan.ts';
import type { FieldError, Validated } from '../domain/field-error.ts';
import { DIGEST_CADENCES, type DigestCadence } from '../domain/vocabulary.ts';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isHour = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 23;

function unknownFields(
  o: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
  errors: FieldError[],
): void {
  for (const key of Object.keys(o))
    if (!known.includes(key)) errors.push({ field: prefix + key, rule: 'is not a known field' });
}

const PREFERENCE_FIELDS = [
  'emailEnabled',
  'pushEnabled',
  'digestCadence',
  'digestHour',
  'quietHours',
  'mutedCreatorIds',
] as const;
const MAX_MUTED = 1000;

/** PUT replaces the whole set, so every field is required. */
export function validatePreferences(body: unknown): Validated<FanPreferences> {
  if (!isObject(body)) return { ok: false, errors: [{ field: '(body)', rule: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  unknownFields(body, PREFERENCE_FIELDS, '', errors);
  for (const f of PREFERENCE_FIELDS) if (!(f in body)) errors.push({ field: f, rule: 'is required' });
  for (const f of ['emailEnabled', 'pushEnabled'] as const) {
    if (f in body && typeof body[f] !== 'boolean') errors.push({ field: f, rule: 'must be true or false' });
  }
  if ('digestCadence' in body && !DIGEST_CADENCES.includes(body.digestCadence as DigestCadence)) {
    errors.push({ field: 'digestCadence', rule: `must be one of ${DIGEST_CADENCES.map((c) => `"${c}"`).join(', ')}` });
  }
  if ('digestHour' in body && body.digestHour !== null && !isHour(body.digestHour))
    errors.push({ field: 'digestHour', rule: 'must be an integer from 0 to 23, or null for the default hour' });
  const q = body.quietHours;
  if ('quietHours' in body && q !== null) {
    if (!isObject(q)) errors.push({ field: 'quietHours', rule: 'must be null or { "start": hour, "end": hour }' });
    else {
      unknownFields(q, ['start', 'end'], 'quietHours.', errors);
      if (!isHour(q.start)) errors.push({ field: 'quietHours.start', rule: 'must be an integer from 0 to 23' });
      if (!isHour(q.end)) errors.push({ field: 'quietHours.end', rule: 'must be an integer from 0 to 23' });
      if (isHour(q.start) && q.start === q.end)
        errors.push({ field: 'quietHours.end', rule: 'must differ from quietHours.start' });
    }
  }
  const muted = body.mutedCreatorIds;
  if ('mutedCreatorIds' in body) {
    if (!Array.isArray(muted)) errors.push({ field: 'mutedCreatorIds', rule: 'must be an array of creator ids' });
    else if (muted.length > MAX_MUTED)
      errors.push({ field: 'mutedCreatorIds', rule: `must have at most ${MAX_MUTED} ids` });
    else {
      muted.forEach((id, i) => {
        if (!Number.isSafeInteger(id) || (id as number) <= 0)
          errors.push({ field: `mutedCreatorIds[${i}]`, rule: 'must be a positive integer' });
      });
    }
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      emailEnabled: body.emailEnabled as boolean,
      pushEnabled: body.pushEnabled as boolean,
      digestCadence: body.digestCadence as DigestCadence,
      digestHour: body.digestHour as number | null,
      quietHours: q === null ? null : { start: (q as { start: number }).start, end: (q as { end: number }).end },
      mutedCreatorIds: [...new Set(muted as number[])].sort((a, b) => a - b),
    },
  };
}

const MAX_ENDPOINT = 2048;

function base64urlBytes(v: unknown): number | null {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(v)) return null;
  return Buffer.from(v.replace(/=+$/, ''), 'base64url').length;
}

/**
 * The shape PushSubscription.toJSON() gives (endpoint, expirationTime, keys.p256dh, keys.auth), checked as a push
 * service and RFC 8291 need it: an https endpoint, a 65-byte uncompressed P-256 point, a 16-byte auth secret.
 */
export async function validatePushSubscription(
  body: unknown,
  endpoints: PushEndpointPolicy,
): Promise<Validated<PushSubscriptionInput>> {
  if (!isObject(body)) return { ok: false, errors: [{ field: '(body)', rule: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  unknownFields(body, ['endpoint', 'expirationTime', 'keys'], '', errors);
  const endpoint = body.endpoint;
  let url: URL | undefined;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') errors.push({ field: 'endpoint', rule: 'must be an https URL' });
  else if ((endpoint as string).length > MAX_ENDPOINT)
    errors.push({ field: 'endpoint', rule: `must be at most ${MAX_ENDPOINT} characters` });
  const exp = body.expirationTime;
  if (exp !== undefined && exp !== null && !(typeof exp === 'number' && Number.isFinite(exp))) {
    errors.push({ field: 'expirationTime', rule: 'must be null or a number of milliseconds' });
  }
  const keys = body.keys;
  if (!isObject(keys)) errors.push({ field: 'keys', rule: 'must be an object with p256dh and auth' });
  else {
    unknownFields(keys, ['p256dh', 'auth'], 'keys.', errors);
    const p256dh = base64urlBytes(keys.p256dh);
    if (p256dh !== 65 || Buffer.from(keys.p256dh as string, 'base64url')[0] !== 0x04) {
      errors.push({
        field: 'keys.p256dh',
        rule: `must be a base64url uncompressed P-256 public key (65 bytes starting 0x04), got ${p256dh ?? 'no'} bytes`,
      });
    }
    const auth = base64urlBytes(keys.auth);
    if (auth !== 16)
      errors.push({ field: 'keys.auth', rule: `must be a base64url 16-byte secret, got ${auth ?? 'no'} bytes` });
  }
  if (errors.length) return { ok: false, errors };
  const k = keys as { p256dh: string; auth: string };
  const value = {
    endpoint: endpoint as string,
    keys: { p256dh: k.p256dh.replace(/=+$/, ''), auth: k.auth.replace(/=+$/, '') },
  };
  // The shape is right: now whether the endpoint may be called (allowed host, public addresses) and the key is a point.
  errors.push(...(await checkPushSubscription(value, endpoints)));
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

// The bodies as the OpenAPI document shows them. The functions above check them (field by field, in the handler) so
// that their rules stay in one plain function each; keep these shapes in step with them.
const hour = z.number().int().min(0).max(23);

export const PreferencesBody = z.strictObject({
  emailEnabled: z.boolean(),
  pushEnabled: z.boolean(),
  digestCadence: z.enum(DIGEST_CADENCES),
  digestHour: hour.nullable().meta({ description: "local hour of the fan's digest; null: never chosen, the default" }),
  quietHours: z.strictObject({ start: hour, end: hour }).nullable(),
  mutedCreatorIds: z.array(z.number().int().min(1)).max(MAX_MUTED),
});

export const PushSubscriptionBody = z.strictObject({
  endpoint: z.url({ protocol: /^https$/ }).max(MAX_ENDPOINT),
  expirationTime: z.number().nullish(),
  keys: z.strictObject({
    p256dh: z.string().meta({ description: 'base64url uncompressed P-256 public key (65 bytes)' }),
    auth: z.string().meta({ description: 'base64url 16-byte secret' }),
  }),
});
