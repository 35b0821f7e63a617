// The catalogues are complete and consistent with English; a fan's tag falls back by language, then to English.
import { describe, expect, it } from 'vitest';
import {
  CATALOGUES,
  catalogueOf,
  FALLBACK_LOCALE,
  localizer,
  messageArguments,
  negotiateLocale,
  textDirection,
} from './i18n.ts';

const english = CATALOGUES.get(FALLBACK_LOCALE)!;
const others = [...CATALOGUES.keys()].filter((tag) => tag !== FALLBACK_LOCALE);

describe('the catalogues', () => {
  it('include at least English, Spanish, Brazilian Portuguese, German, French and Japanese', () => {
    expect([...CATALOGUES.keys()]).toEqual(expect.arrayContaining(['en', 'es', 'pt-BR', 'de', 'fr', 'ja']));
  });

  it.each(others)('%s has every key English has, and no other', (tag) => {
    const catalogue = CATALOGUES.get(tag)!;
    expect(Object.keys(english).filter((key) => !(key in catalogue))).toEqual([]);
    expect(Object.keys(catalogue).filter((key) => !(key in english))).toEqual([]);
  });

  it.each(others)('%s uses no placeholder the English message lacks', (tag) => {
    const catalogue = CATALOGUES.get(tag)!;
    const extra = Object.keys(english).flatMap((key) => {
      const allowed = messageArguments(english[key]);
      return [...messageArguments(catalogue[key] ?? '')].filter((a) => !allowed.has(a)).map((a) => `${key}: {${a}}`);
    });
    expect(extra).toEqual([]);
  });

  it.each(others)('%s leaves no message with words in it as English wrote it', (tag) => {
    const catalogue = CATALOGUES.get(tag)!;
    // A message of placeholders and punctuation only ("{creator}") may rightly read the same in every language.
    const words = (m: string) => /\p{L}{2,}/u.test(m.replace(/\{[^{}]*\}/g, ''));
    expect(Object.keys(english).filter((key) => catalogue[key] === english[key] && words(english[key]))).toEqual([]);
  });

  it('parses every message of every catalogue', () => {
    for (const [tag, catalogue] of CATALOGUES) {
      for (const [key, message] of Object.entries(catalogue)) {
        expect(() => messageArguments(message), `${tag} ${key}`).not.toThrow();
      }
    }
  });
});

describe('a fan’s locale', () => {
  it('falls back by language, then to another region of it, then to English', () => {
    expect(catalogueOf('es-MX')).toBe('es');
    expect(catalogueOf('es_ES')).toBe('es');
    expect(catalogueOf('pt-BR')).toBe('pt-BR');
    expect(catalogueOf('pt-PT')).toBe('pt-BR');
    expect(catalogueOf('ja-JP')).toBe('ja');
    expect(catalogueOf('ko-KR')).toBeNull();
    expect(catalogueOf('not a tag!')).toBeNull();
    expect(localizer('es-MX', 'America/Mexico_City').catalogue).toBe('es');
    expect(localizer('ko-KR', 'Asia/Seoul')).toMatchObject({ catalogue: 'en', locale: 'en', timeZone: 'Asia/Seoul' });
    expect(localizer(null, null)).toMatchObject({ locale: 'en', catalogue: 'en', timeZone: 'UTC', dir: 'ltr' });
  });

  it('formats numbers and dates in the fan’s own tag and zone, with words from its fallback catalogue', () => {
    const at = new Date('2026-03-14T18:05:00Z');
    const mx = localizer('es-MX', 'America/Mexico_City');
    const es = localizer('es-ES', 'Europe/Madrid');
    expect(mx.t('email.alert.when', { kind: 'post', at })).toBe('Publicado: sábado, 14 de marzo de 2026, 12:05 p.m.');
    expect(es.t('email.alert.when', { kind: 'post', at })).toBe('Publicado: sábado, 14 de marzo de 2026, 19:05');
    const ja = localizer('ja-JP', 'Asia/Tokyo');
    expect(ja.t('email.alert.when', { kind: 'live', at })).toBe('ライブ開始：2026年3月15日日曜日 3:05');
    expect(
      localizer('en-US', 'America/New_York').t('digest.creators.more', { first: 'A', second: 'B', count: 1 }),
    ).toBe('A, B and 1 more');
    expect(localizer('de', 'UTC').t('digest.subject', { cadence: 'weekly', count: 1, creators: 'Ana' })).toBe(
      'Deine wöchentliche Zusammenfassung: 1 Neuigkeit von Ana',
    );
  });

  it('falls back to UTC for a zone that is not one, and refuses a key English lacks', () => {
    expect(localizer('en', 'Mars/Olympus').timeZone).toBe('UTC');
    expect(() => localizer('en', 'UTC').t('no.such.key')).toThrow('message "no.such.key": no such key');
    expect(() => localizer('en', 'UTC').t('email.alert.readIt')).toThrow();
  });

  it('writes hours as the locale does', () => {
    expect(localizer('en-US', 'UTC').hour(20)).toBe('8:00 PM');
    expect(localizer('de-DE', 'UTC').hour(20)).toBe('20:00');
  });
});

describe('text direction', () => {
  it('is right to left for Arabic, Hebrew, Persian and Urdu scripts, left to right otherwise', () => {
    for (const tag of ['ar', 'ar-EG', 'he', 'he-IL', 'fa-IR', 'ur-PK']) expect(textDirection(tag), tag).toBe('rtl');
    for (const tag of ['en', 'ja-JP', 'pt-BR', 'az-Latn', 'garbage!']) expect(textDirection(tag), tag).toBe('ltr');
  });
});

describe('negotiateLocale', () => {
  it('picks the best-ranked tag with a catalogue, else English', () => {
    expect(negotiateLocale('ko-KR, fr-CA;q=0.8, en;q=0.5')).toBe('fr-CA');
    expect(negotiateLocale('en;q=0.4, ja;q=0.9')).toBe('ja');
    expect(negotiateLocale('ko, zh;q=0.9')).toBe('en');
    expect(negotiateLocale(undefined)).toBe('en');
    expect(negotiateLocale('de;q=0, es;q=0.1')).toBe('es');
  });
});
