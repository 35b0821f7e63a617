// Words for the codes the console shows: every reason code, so snake_case never reaches the page (the code stays in a
// title attribute).
import type { ReasonCode } from '../../domain/decision.ts';
import { h } from './dom.ts';

/** One label per reason code; a new code fails to compile here until it has words. */
export const REASON_LABELS: Record<ReasonCode, string> = {
  alert_transactional: 'Transactional: sent, caps do not apply',
  alert_urgent: 'Urgent: sent now',
  alert_best_hour: 'Sent at the best allowed hour',
  digest_below_alert_threshold: 'Score below the alert threshold',
  digest_cap_reached: 'A cap was full',
  digest_min_gap: 'Too soon after another alert',
  digest_quiet_hours: 'Quiet hours',
  digest_slot_reserved_for_better: 'Last slot kept for a better alert',
  suppress_below_digest_threshold: 'Score below the digest threshold',
  suppress_digest_off: 'Fan turned digests off',
  suppress_deadline_passed: 'Deadline passed',
  baseline_send_now: 'Baseline: sent now (no model or policy)',
  digest_holdout: 'Holdout: waits for the digest',
  suppress_holdout: 'Holdout with digests off',
};

export const reasonLabel = (code: string): string => REASON_LABELS[code as ReasonCode] ?? code.replaceAll('_', ' ');

/** A reason in words, its code in the title (for whoever reads the logs or the API). */
export const reasonText = (code: string) => h('span', { title: code }, reasonLabel(code));
