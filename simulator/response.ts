// The ground truth: how a simulated fan responds to a notification, as probabilities and as seeded draws.
import { circularHourDistance, localHour, localHourOfDay } from '../domain/clock.ts';
import type { Channel, EventKind } from '../domain/vocabulary.ts';
import { logit, mixSeed, Rng, sigmoid } from './random.ts';
import { findMembership, type World } from './world.ts';

export type OpenInput = {
  fanIndex: number;
  creatorIndex: number;
  kind: EventKind;
  channel: Channel;
  /** Hour 0-23 in the fan's time zone when the notification arrives. */
  localHour: number;
  /** Notifications (any creator, any channel) the fan received in the 24 hours before this one. */
  sentLast24h: number;
};

export type ClickInput = { fanIndex: number; creatorIndex: number; kind: EventKind };

export type UnsubscribeInput = {
  fanIndex: number;
  creatorIndex: number;
  channel: Channel;
  sentLast24h: number;
  /** Irrelevant notifications (membership affinity below `response.irrelevantAffinity`) in the last 7 days. */
  irrelevantLast7d: number;
};

export type RespondInput = Omit<OpenInput, 'localHour'> &
  UnsubscribeInput & {
    /** Identifies the creator event, e.g. its idempotency key; with fan and channel it names the decision. */
    eventKey: string | number;
    sentAtMs: number;
  };

export type Response = {
  opened: boolean;
  openedAtMs: number | null;
  clicked: boolean;
  clickedAtMs: number | null;
  unsubscribed: boolean;
  unsubscribedAtMs: number | null;
};

function membershipOf(world: World, fanIndex: number, creatorIndex: number): number {
  const m = findMembership(world, fanIndex, creatorIndex);
  if (m < 0)
    throw new RangeError(
      `fan ${fanIndex} is not a member of creator ${creatorIndex}: the ground truth covers members only`,
    );
  return m;
}

/** 1 at one of the fan's peak hours, falling off as a Gaussian of width `fans.peakWidthHours`. */
export function peakProximity(world: World, fanIndex: number, hour: number): number {
  const width = world.spec.fans.peakWidthHours;
  let best = 0;
  for (const peak of [world.fans.peak1[fanIndex], world.fans.peak2[fanIndex]]) {
    const distance = circularHourDistance(hour, peak);
    best = Math.max(best, Math.exp(-(distance * distance) / (2 * width * width)));
  }
  return best;
}

/** Hours from `atMs` to the middle of the fan's next peak hour, in their time zone. */
export function hoursUntilNextPeak(world: World, fanIndex: number, atMs: number): number {
  const hourOfDay = localHourOfDay(world.zones[world.fans.zone[fanIndex]], atMs);
  let wait = 24;
  for (const peak of [world.fans.peak1[fanIndex], world.fans.peak2[fanIndex]]) {
    wait = Math.min(wait, (((peak + 0.5 - hourOfDay) % 24) + 24) % 24);
  }
  return wait;
}

export function openProbability(world: World, input: OpenInput): number {
  const r = world.spec.response;
  const m = membershipOf(world, input.fanIndex, input.creatorIndex);
  const z =
    logit(r.baseOpenRate[input.channel][input.kind]) +
    r.hourEffect * (2 * peakProximity(world, input.fanIndex, input.localHour) - 1) +
    r.affinityEffect * (world.memberships.affinity[m] - 0.5) +
    (world.memberships.paid[m] ? r.paidEffect : 0) -
    r.fatiguePerNotification * Math.max(0, input.sentLast24h);
  return sigmoid(z);
}

/** P(click | open). */
export function clickProbability(world: World, input: ClickInput): number {
  const r = world.spec.response;
  const m = membershipOf(world, input.fanIndex, input.creatorIndex);
  return sigmoid(logit(r.clickGivenOpen[input.kind]) + r.clickAffinityEffect * (world.memberships.affinity[m] - 0.5));
}

/** A send to this membership counts as irrelevant for the unsubscribe hazard. */
export function isIrrelevant(world: World, membershipIndex: number): boolean {
  return world.memberships.affinity[membershipIndex] < world.spec.response.irrelevantAffinity;
}

/** Probability that this send makes the fan unsubscribe from the channel; grows with volume and irrelevance. */
export function unsubscribeHazard(world: World, input: UnsubscribeInput): number {
  const r = world.spec.response;
  const m = membershipOf(world, input.fanIndex, input.creatorIndex);
  const logHazard =
    r.unsubscribeVolumeEffect * Math.max(0, input.sentLast24h) +
    r.unsubscribeIrrelevantEffect * Math.max(0, input.irrelevantLast7d) +
    r.unsubscribeLowAffinityEffect * (1 - world.memberships.affinity[m]);
  return Math.min(1, r.unsubscribeBase[input.channel] * Math.exp(logHazard));
}

/**
 * Draws the fan's response from a stream seeded by (world seed, event, fan, channel) alone, so the
 * same decision gets the same response whatever else was simulated before it.
 */
export function respond(world: World, decision: RespondInput): Response {
  const r = world.spec.response;
  const channelCode = decision.channel === 'email' ? 0 : 1;
  const rng = new Rng(mixSeed(world.seed, 'respond', decision.eventKey, decision.fanIndex, channelCode));
  const hour = localHour(world.zones[world.fans.zone[decision.fanIndex]], decision.sentAtMs);
  const pOpen = openProbability(world, { ...decision, localHour: hour });
  const pClick = clickProbability(world, decision);
  const pUnsubscribe = unsubscribeHazard(world, decision);
  // Every draw is taken whether used or not, so each one keeps its place in the stream.
  const uOpen = rng.next();
  let seenAfterMs = rng.lognormal(Math.log(r.openDelayMedianMinutes[decision.channel]), r.openDelaySigma) * 60_000;
  const uClick = rng.next();
  const clickAfterMs = rng.lognormal(Math.log(r.clickDelayMedianSeconds), 0.8) * 1000;
  const uUnsubscribe = rng.next();
  // Drawn after the others, so worlds without the rhythm keep every earlier draw.
  const uAway = rng.next();
  const peakJitterHours = rng.normal(0, world.spec.fans.peakWidthHours);
  if (uAway < r.awayWaitsForPeak * (1 - peakProximity(world, decision.fanIndex, hour))) {
    const untilPeakMs = (hoursUntilNextPeak(world, decision.fanIndex, decision.sentAtMs) + peakJitterHours) * 3_600_000;
    seenAfterMs = Math.max(seenAfterMs, untilPeakMs);
  }

  const opened = uOpen < pOpen;
  const openedAtMs = opened ? Math.round(decision.sentAtMs + seenAfterMs) : null;
  const clicked = opened && uClick < pClick;
  const clickedAtMs = clicked ? Math.round(decision.sentAtMs + seenAfterMs + clickAfterMs) : null;
  // Unsubscribing needs no open: a push can be blocked from the tray, an email marked from the inbox list.
  const unsubscribed = uUnsubscribe < pUnsubscribe;
  const unsubscribedAtMs = unsubscribed
    ? Math.round(decision.sentAtMs + seenAfterMs + (clicked ? clickAfterMs : 0))
    : null;
  return { opened, openedAtMs, clicked, clickedAtMs, unsubscribed, unsubscribedAtMs };
}
