// The simulated fans read alerts in their own language: subject and push are parsed back in every catalogue.
import { describe, expect, it } from 'vitest';
import { CATALOGUES, localizer } from '../delivery/i18n.ts';
import { alertPushContent, renderAlertEmail } from '../delivery/templates.ts';
import type { EventKind } from '../domain/vocabulary.ts';
import { parseAlertSubject, parsePush } from './responder.ts';

const LINKS = {
  click: 'https://fans.example/t/c/1',
  openPixel: 'https://fans.example/t/o/1',
  unsubscribe: 'https://fans.example/u/1',
  preferences: 'https://fans.example/preferences?token=1',
};
const KINDS: EventKind[] = ['post', 'live', 'announcement'];

describe('reading an alert back', () => {
  it.each([...CATALOGUES.keys(), 'ko-KR'])('finds the creator and the kind in %s', (tag) => {
    const l = localizer(tag, 'Asia/Tokyo');
    for (const kind of KINDS) {
      for (const deadline of [null, new Date('2026-03-16T03:15:00Z')]) {
        const event = {
          creatorName: 'Creator 12',
          kind,
          title: 'Live: a (very) [special] *night* : posted',
          url: 'https://creators.example/12/1',
          at: new Date('2026-03-14T23:30:00Z'),
          deadline,
        };
        const mail = renderAlertEmail(event, LINKS, l);
        expect(parseAlertSubject(mail.subject, l), `${tag} ${kind}`).toEqual({ creatorIndex: 11, kind });
        const push = alertPushContent(event, l);
        expect(parsePush(push.title, push.body, l), `${tag} ${kind}`).toEqual({ creatorIndex: 11, kind });
      }
    }
  });

  it('reads nothing from a message that is not an alert of a simulated creator', () => {
    const l = localizer('de', 'UTC');
    expect(parseAlertSubject('Deine tägliche Zusammenfassung: 2 Neuigkeiten von A und B', l)).toBeNull();
    expect(parseAlertSubject('Neuer Beitrag von Ana: Hallo', l)).toBeNull();
    expect(parsePush('Creator 3', 'Something else: x', l)).toBeNull();
  });
});
