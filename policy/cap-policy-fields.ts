// What each field of the cap policy document means, for the console's form: what it limits, its unit and the
// allowed range, with the validator's own bounds and rule texts (policy/cap-policy-rules.ts).
import { CHANNELS } from '../domain/vocabulary.ts';
import { PRIORITY_CLASSES } from './cap-policy.ts';
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

/** One field of the form; `field` is its path with `[]` for any rule and `*` for any kind or channel. */
export interface CapPolicyFieldHelp {
  field: string;
  label: string;
  /** What it limits or decides. */
  help: string;
  unit: string;
  /** The allowed values, as the validator's refusal words them. */
  rule: string;
  input: 'integer' | 'number' | 'duration' | 'text' | 'boolean' | 'choice';
  min?: number;
  max?: number;
  /** For choice inputs; an empty string stands for "absent". */
  choices?: string[];
}

export const CAP_POLICY_FIELDS: readonly CapPolicyFieldHelp[] = [
  {
    field: 'name',
    label: 'Policy name',
    help: 'Recorded on every decision made under this policy.',
    unit: 'name',
    rule: NAME_RULE,
    input: 'text',
  },
  {
    field: 'quietHours.start',
    label: 'Quiet hours start',
    help: "No alert from this local hour on (a fan's own quiet hours replace these).",
    unit: 'hour of the day, fan local time',
    rule: integerRule(B.hour),
    input: 'integer',
    ...B.hour,
  },
  {
    field: 'quietHours.end',
    label: 'Quiet hours end',
    help: 'Alerts may go again from this local hour; equal to the start means no quiet hours.',
    unit: 'hour of the day, fan local time',
    rule: integerRule(B.hour),
    input: 'integer',
    ...B.hour,
  },
  {
    field: 'rules[].channel',
    label: 'Channel',
    help: 'The channel whose alerts this rule counts; "all" counts every channel together.',
    unit: 'channel',
    rule: CHANNEL_RULE,
    input: 'choice',
    choices: ['', ...CHANNELS],
  },
  {
    field: 'rules[].perCreator',
    label: 'Per creator',
    help: "Counts only alerts from the candidate's own creator: a cap per creator per fan.",
    unit: 'yes or no',
    rule: BOOLEAN_RULE,
    input: 'boolean',
  },
  {
    field: 'rules[].limit',
    label: 'Limit',
    help: 'At most this many alerts to one fan in any rolling window.',
    unit: 'alerts per window',
    rule: integerRule(B.limit),
    input: 'integer',
    ...B.limit,
  },
  {
    field: 'rules[].window',
    label: 'Window',
    help: 'The rolling stretch of time the limit counts over.',
    unit: 'duration (30m, 12h, 7d)',
    rule: DURATION_RULE,
    input: 'duration',
  },
  {
    field: 'rules[].minGap',
    label: 'Minimum gap',
    help: 'At least this long between two alerts to one fan on the channel.',
    unit: 'duration (30m, 12h, 7d)',
    rule: DURATION_RULE,
    input: 'duration',
  },
  {
    field: 'kinds.*.priority',
    label: 'Priority',
    help: 'transactional: always now, no caps; urgent: now or never, under caps; standard: the best send time.',
    unit: 'class',
    rule: `must be one of ${PRIORITY_CLASSES.join(', ')}`,
    input: 'choice',
    choices: [...PRIORITY_CLASSES],
  },
  {
    field: 'kinds.*.weight',
    label: 'Weight',
    help: "Multiplies the score into a value when candidates compete for a fan's last slot.",
    unit: 'multiplier',
    rule: WEIGHT_RULE,
    input: 'number',
    min: 0,
    max: B.weightMax,
  },
  {
    field: 'kinds.*.alertThreshold.*',
    label: 'Alert threshold',
    help: 'The predicted chance of an open at or above which an alert is sent; below it, the digest.',
    unit: 'probability',
    rule: `${PROBABILITY_RULE}, at least digest.minScore`,
    input: 'number',
    min: 0,
    max: 1,
  },
  {
    field: 'digest.topK',
    label: 'Digest size',
    help: 'At most this many items in one digest.',
    unit: 'items',
    rule: integerRule(B.topK),
    input: 'integer',
    ...B.topK,
  },
  {
    field: 'digest.minScore',
    label: 'Digest minimum score',
    help: 'Candidates scoring below this are suppressed rather than kept for a digest.',
    unit: 'probability',
    rule: PROBABILITY_RULE,
    input: 'number',
    min: 0,
    max: 1,
  },
  {
    field: 'digest.weeklyOn',
    label: 'Weekly digest day',
    help: 'The local weekday of weekly digests, 0 = Sunday to 6 = Saturday.',
    unit: 'weekday',
    rule: integerRule(B.weekday),
    input: 'integer',
    ...B.weekday,
  },
  {
    field: 'sendTime.horizon',
    label: 'Send-time horizon',
    help: "How far past an event's publication a send time may be searched for (an earlier deadline wins).",
    unit: 'duration (30m, 12h, 7d)',
    rule: DURATION_RULE,
    input: 'duration',
  },
  {
    field: 'valueAware',
    label: 'Value-aware caps',
    help: "Holds a fan's last slot for a better candidate expected later; off: first come, first served.",
    unit: 'yes or no',
    rule: BOOLEAN_RULE,
    input: 'boolean',
  },
];
