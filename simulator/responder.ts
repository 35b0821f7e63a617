// Simulated fans answering real deliveries: the ground truth decides; fans open, click or unsubscribe via the links.
//
// Email: an open loads the pixel, a click follows the "Read it" link, an unsubscribe POSTs the
// RFC 8058 one-click URL from List-Unsubscribe. Messages are read in the fan's language, as the fan would: each is
// matched against the fan's catalogue with the values it does not know left as holes. Push: tapping the notification
// is the open, and the service worker's ping (the signed click link) is what records it; unsubscribing revokes the
// browser subscription, so the next push answers 410 Gone. Digests are not answered.

import { type Localizer, localizer, type MessageValues } from '../delivery/i18n.ts';
import { DAY_MS } from '../domain/time.ts';
import { type Channel, EVENT_KINDS, type EventKind } from '../domain/vocabulary.ts';
import type { ReceivedPush } from '../peers/push-service.ts';
import type { CapturedMail } from '../peers/smtp-capture.ts';
import { hashString } from './random.ts';
import { isIrrelevant, type Response, respond } from './response.ts';
import { findMembership, type World } from './world.ts';

const ENGLISH = localizer('en', 'UTC');

/** What `key` renders to in `l` with `values`, each of `holes` a named capture group: the message read backwards. */
function messagePattern(l: Localizer, key: string, values: MessageValues, holes: readonly string[]): RegExp {
  const marks = Object.fromEntries(holes.map((h, i) => [h, `\uE001${i}\uE002`]));
  const escaped = l.t(key, { ...values, ...marks }).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\uE001(\d+)\uE002/g, (_, i: string) => `(?<${holes[Number(i)]}>.+?)`)}$`);
}

/** The first line of `text` that `pattern` matches, and its groups. */
function matchLine(text: string, pattern: RegExp): Record<string, string> | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = pattern.exec(line.trim());
    if (m) return m.groups;
  }
  return undefined;
}

export interface ResponderOptions {
  world: World;
  /** The fan index behind a push subscription endpoint (the seed's createPushSubscription callback knows it). */
  fanIndexOfEndpoint: (endpoint: string) => number | undefined;
  /** Revokes a browser subscription at the push service: how a fan turns push off. */
  revokePush?: (push: ReceivedPush) => void;
  /** Scales the simulated delays: 0 answers at once (tests), 1 in real time, 1/60 a minute per hour. */
  timeScale?: number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

/** What a fan did with one message, and the links called. */
export interface Answer {
  /** The event's own URL, as the message carries it. */
  eventUrl: string;
  channel: Channel;
  fanIndex: number;
  creatorIndex: number;
  kind: EventKind;
  response: Response;
}

export interface Responder {
  /** Decides and acts for one captured message; null when it is not an alert to a fan of the world. */
  handleMail(mail: CapturedMail): Answer | null;
  handlePush(push: ReceivedPush): Answer | null;
  /** Resolves when every link call scheduled so far has been made. */
  idle(): Promise<void>;
  /**
   * Drops the link calls still waiting for their moment and ignores later messages: their timers (minutes away at
   * the dev stack's time scale) would otherwise keep a stopped process alive.
   */
  stop(): void;
  answers: Answer[];
  /** Link calls that failed (status and URL), for diagnosis. */
  failures: string[];
}

/** "Creator 12 posted: Title" (or "Neuer Beitrag von Creator 12: Title" in German) → creator index 11, kind post. */
export function parseAlertSubject(
  subject: string,
  l: Localizer = ENGLISH,
): { creatorIndex: number; kind: EventKind } | null {
  for (const kind of EVENT_KINDS) {
    const m = messagePattern(l, 'email.alert.subject', { kind }, ['creator', 'title']).exec(subject);
    const creator = m && /^Creator (\d+)$/.exec(m.groups!.creator);
    if (creator) return { creatorIndex: Number(creator[1]) - 1, kind };
  }
  return null;
}

/** A push's creator and kind, from its title ("Creator 12") and the start of its body ("posted: "), or null. */
export function parsePush(
  title: string,
  body: string,
  l: Localizer = ENGLISH,
): { creatorIndex: number; kind: EventKind } | null {
  const named = messagePattern(l, 'push.alert.title', {}, ['creator']).exec(title);
  const creator = named && /^Creator (\d+)$/.exec(named.groups!.creator);
  if (!creator) return null;
  // The body opens with what happened, then the title: the words before the title tell the kind.
  const kind = EVENT_KINDS.find((k) =>
    body.startsWith(l.t('push.alert.body', { kind: k, title: '\uE001' }).split('\uE001')[0]),
  );
  return kind ? { creatorIndex: Number(creator[1]) - 1, kind } : null;
}

export function fanIndexOfEmail(address: string): number | undefined {
  const m = /^fan(\d+)@fans\.example$/i.exec(address.trim());
  return m ? Number(m[1]) - 1 : undefined;
}

/** The links an alert email carries: open pixel, click, one-click unsubscribe. */
export function alertEmailLinks(
  mail: CapturedMail,
  l: Localizer = ENGLISH,
): { open?: string; click?: string; unsubscribe?: string } {
  const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
  const open = /<img src="([^"]*\/t\/o\/[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  const click = matchLine(mail.parsed.text ?? '', messagePattern(l, 'email.alert.readIt', {}, ['link']))?.link;
  const header = mail.parsed.headers.get('list-unsubscribe');
  const text = typeof header === 'string' ? header : JSON.stringify(header ?? '');
  const unsubscribe = /<(https?:\/\/[^>]+)>/.exec(text)?.[1];
  return { open, click, unsubscribe };
}

/** Recent arrivals per fan, for the ground truth's fatigue and unsubscribe hazard. */
class Arrivals {
  private readonly byFan = new Map<number, { atMs: number; irrelevant: boolean }[]>();
  counts(fanIndex: number, atMs: number): { last24h: number; irrelevant7d: number } {
    const list = (this.byFan.get(fanIndex) ?? []).filter((a) => a.atMs > atMs - 7 * DAY_MS);
    this.byFan.set(fanIndex, list);
    return {
      last24h: list.filter((a) => a.atMs > atMs - DAY_MS && a.atMs < atMs).length,
      irrelevant7d: list.filter((a) => a.irrelevant && a.atMs < atMs).length,
    };
  }
  add(fanIndex: number, atMs: number, irrelevant: boolean): void {
    const list = this.byFan.get(fanIndex) ?? [];
    list.push({ atMs, irrelevant });
    this.byFan.set(fanIndex, list);
  }
}

export function createResponder(options: ResponderOptions): Responder {
  const { world } = options;
  const scale = options.timeScale ?? 0;
  const doFetch = options.fetch ?? fetch;
  const log = options.log ?? (() => undefined);
  const arrivals = new Arrivals();
  /** Each fan reads in their own language: one localizer per zone of the world (which carries the locale). */
  const localizers = new Map<number, Localizer>();
  const fanLocalizer = (fanIndex: number) => {
    const z = world.fans.zone[fanIndex];
    const l = localizers.get(z) ?? localizer(world.locales[z], world.zones[z]);
    localizers.set(z, l);
    return l;
  };
  const inFlight = new Set<Promise<void>>();
  const answers: Answer[] = [];
  const failures: string[] = [];

  let stopped = false;
  const waiting = new Map<NodeJS.Timeout, (go: boolean) => void>();
  /** Resolves true when the delay has passed, false when the responder stopped first. */
  const wait = (delayMs: number) =>
    new Promise<boolean>((resolve) => {
      if (stopped) return resolve(false);
      const timer = setTimeout(
        () => {
          waiting.delete(timer);
          resolve(true);
        },
        Math.max(0, delayMs * scale),
      );
      waiting.set(timer, resolve);
    });

  const call = (delayMs: number, url: string, init?: RequestInit) => {
    const p = wait(delayMs)
      .then(async (go) => {
        if (!go) return;
        const res = await doFetch(url, { redirect: 'manual', ...init });
        if (res.status >= 400) failures.push(`${res.status} ${url}`);
      })
      .catch((err: Error) => void failures.push(`${err.message} ${url}`))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  /** The ground truth for this fan, creator and message; null when the pair is not a membership of the world. */
  const decide = (
    fanIndex: number,
    creatorIndex: number,
    kind: EventKind,
    channel: Channel,
    eventKey: string,
    sentAtMs: number,
  ) => {
    if (fanIndex >= world.fans.count || creatorIndex >= world.creators.count) return null;
    const m = findMembership(world, fanIndex, creatorIndex);
    if (m < 0) return null;
    const { last24h, irrelevant7d } = arrivals.counts(fanIndex, sentAtMs);
    arrivals.add(fanIndex, sentAtMs, isIrrelevant(world, m));
    const response = respond(world, {
      eventKey: hashString(eventKey),
      fanIndex,
      creatorIndex,
      kind,
      channel,
      sentAtMs,
      sentLast24h: last24h,
      irrelevantLast7d: irrelevant7d,
    });
    const answer = { eventUrl: eventKey, channel, fanIndex, creatorIndex, kind, response };
    answers.push(answer);
    return answer;
  };

  return {
    answers,
    failures,
    handleMail(mail) {
      const fanIndex = fanIndexOfEmail(mail.envelope.to[0] ?? '');
      if (fanIndex === undefined || fanIndex >= world.fans.count) return null;
      const l = fanLocalizer(fanIndex);
      const subject = parseAlertSubject(mail.parsed.subject ?? '', l);
      if (!subject) return null;
      const links = alertEmailLinks(mail, l);
      const sentAtMs = mail.receivedAt.getTime();
      // The event's own URL names the event for the ground truth's seed, the same on both channels.
      const eventKey =
        matchLine(mail.parsed.text ?? '', messagePattern(l, 'email.leadsTo', {}, ['url']))?.url ??
        mail.parsed.subject ??
        '';
      const answer = decide(fanIndex, subject.creatorIndex, subject.kind, 'email', eventKey, sentAtMs);
      if (!answer) return null;
      const r = answer.response;
      if (r.opened && links.open) call(r.openedAtMs! - sentAtMs, links.open);
      if (r.clicked && links.click) call(r.clickedAtMs! - sentAtMs, links.click);
      if (r.unsubscribed && links.unsubscribe) {
        call(r.unsubscribedAtMs! - sentAtMs, links.unsubscribe, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
      }
      log(
        `responder: fan ${fanIndex + 1} ${r.opened ? 'opened' : 'ignored'} ` +
          `an email from creator ${subject.creatorIndex + 1}`,
      );
      return answer;
    },
    handlePush(push) {
      const payload = push.payloadJson as { title?: string; body?: string; url?: string; ping?: string } | undefined;
      const fanIndex = options.fanIndexOfEndpoint(push.endpoint);
      if (!payload || fanIndex === undefined || fanIndex >= world.fans.count) return null;
      const parsed = parsePush(payload.title ?? '', payload.body ?? '', fanLocalizer(fanIndex));
      if (!parsed) return null;
      const sentAtMs = push.receivedAt.getTime();
      const answer = decide(
        fanIndex,
        parsed.creatorIndex,
        parsed.kind,
        'push',
        payload.url ?? `${payload.title}: ${payload.body}`,
        sentAtMs,
      );
      if (!answer) return null;
      const r = answer.response;
      // Tapping the notification is both the open and the click: the service worker pings the click link.
      if (r.opened && payload.ping) call(r.openedAtMs! - sentAtMs, payload.ping);
      if (r.unsubscribed && options.revokePush) {
        const revoke = options.revokePush;
        const p = wait(r.unsubscribedAtMs! - sentAtMs)
          .then((go) => (go ? revoke(push) : undefined))
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      return answer;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop() {
      stopped = true;
      for (const [timer, resolve] of waiting) {
        clearTimeout(timer);
        resolve(false);
      }
      waiting.clear();
    },
  };
}
