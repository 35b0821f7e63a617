// A feature value as a person reads it: codes by their names, rates as percentages, times with their units.
import { CHANNEL_CODES, FEATURE_NAMES, type FeatureName, KIND_CODES } from './features.ts';

const DAYS_OF_WEEK = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const nameOf = (codes: Record<string, number>, v: number) =>
  Object.entries(codes).find(([, code]) => code === v)?.[0] ?? `unknown code ${v}`;
const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
const fixed = (v: number, digits: number) => v.toFixed(digits).replace(/\.?0+$/, '') || '0';
const count = (v: number) => Math.round(v).toLocaleString('en');
const plural = (v: number, unit: string) => `${fixed(v, 1)} ${unit}${fixed(v, 1) === '1' ? '' : 's'}`;

/** How each feature's value reads; features not named here are unit-free numbers. */
const TEXT: Partial<Record<FeatureName, (v: number) => string>> = {
  fan_open_rate_email: percent,
  fan_open_rate_push: percent,
  fan_open_rate_channel: percent,
  fan_hour_rate: percent,
  fan_hour_of_week_rate: percent,
  fan_open_hour_share: percent,
  member_open_rate: percent,
  member_prior_rate: percent,
  member_bayes_rate: percent,
  fan_click_per_open: percent,
  member_click_per_open: percent,
  fan_hour_lift: (v) => `×${fixed(v, 2)}`,
  fan_open_hour_lift: (v) => `×${fixed(v, 2)}`,
  member_lift: (v) => `×${fixed(v, 2)}`,
  fan_digest_hour_distance: (v) => plural(v, 'hour'),
  hours_since_event: (v) => plural(v, 'hour'),
  fan_days_since_open: (v) => plural(v, 'day'),
  fan_days_since_send: (v) => plural(v, 'day'),
  fan_tenure_days: (v) => plural(v, 'day'),
  member_days: (v) => plural(v, 'day'),
  member_days_since_open: (v) => plural(v, 'day'),
  fan_sends_window: count,
  fan_sent_24h: count,
  fan_sent_7d: count,
  member_sends: count,
  member_opens: count,
  member_opens_7d: count,
  fan_clicks: count,
  creator_sends_window: count,
  member_paid: (v) => (v ? 'yes' : 'no'),
  member_tier: (v) => (v ? `tier ${count(v)}` : 'none'),
  kind: (v) => nameOf(KIND_CODES, v),
  channel: (v) => nameOf(CHANNEL_CODES, v),
  local_hour: (v) => `${String(Math.round(v)).padStart(2, '0')}:00`,
  local_day_of_week: (v) => DAYS_OF_WEEK[Math.round(v)] ?? `day ${v}`,
};

/** A feature's value for a person: `channel` 0 reads "email"; null (nothing to measure) reads "missing". */
export function featureValueText(feature: string, value: number | null): string {
  if (value === null || Number.isNaN(value)) return 'missing';
  const text = (FEATURE_NAMES as readonly string[]).includes(feature) ? TEXT[feature as FeatureName] : undefined;
  return text ? text(value) : fixed(value, 3);
}
