// Fans' messages in their own language: ICU catalogues (delivery/locales/*.json), the fallback chain, Intl formats.
//
// A catalogue is a JSON file of ICU MessageFormat strings named by its locale tag; dropping one into delivery/locales/
// adds the locale, with no code change: the text direction comes from the locale's script (Arabic, Hebrew, Thaana…).
// Messages are plain text: HTML is the templates' job, which escape every formatted string. Numbers, plurals and dates
// are formatted in the fan's own tag (es-MX), even when the words come from a wider catalogue (es), and dates in the
// fan's time zone.
import { readdirSync, readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';

export type MessageValue = string | number | Date;
export type MessageValues = Record<string, MessageValue>;

export interface Localizer {
  /**
   * The tag numbers and dates are formatted in, and `lang` on HTML: the fan's own, canonicalised (es-MX), while the
   * words are in its language; the catalogue's when they fell back to another (a ko-KR fan reads en), so that no
   * sentence mixes two languages.
   */
  readonly locale: string;
  /** The catalogue the words come from (es for es-MX). */
  readonly catalogue: string;
  /** The direction of the words' script, for `dir` on HTML. */
  readonly dir: 'ltr' | 'rtl';
  /** The IANA zone dates are shown in ("UTC" if the fan's was not one). */
  readonly timeZone: string;
  /** The message `key` formatted with `values`; throws on a key English lacks or a missing value. */
  t(key: string, values?: MessageValues): string;
  /** A wall-clock hour (0-23) as the locale writes it: 08:00, 8:00 AM, 8:00. */
  hour(h: number): string;
}

/** The catalogue every other falls back to, and the reference a complete catalogue matches. */
export const FALLBACK_LOCALE = 'en';
const DIRECTORY = new URL('./locales/', import.meta.url);

export type Catalogue = Readonly<Record<string, string>>;

function loadCatalogues(): ReadonlyMap<string, Catalogue> {
  const out = new Map<string, Catalogue>();
  for (const file of readdirSync(DIRECTORY).sort()) {
    if (!file.endsWith('.json')) continue;
    const tag = file.slice(0, -'.json'.length);
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical !== tag)
      throw new Error(`delivery/locales/${file}: the file name must be a canonical tag (${canonical})`);
    out.set(tag, JSON.parse(readFileSync(new URL(file, DIRECTORY), 'utf8')) as Catalogue);
  }
  if (!out.has(FALLBACK_LOCALE)) throw new Error(`delivery/locales: the ${FALLBACK_LOCALE} catalogue is missing`);
  return out;
}

/** Every catalogue by its tag (en, es, pt-BR, …). */
export const CATALOGUES = loadCatalogues();

/** The tag canonicalised, or null when it is not a well-formed BCP 47 tag. */
function canonicalTag(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag.trim().replace(/_/g, '-'))[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * The catalogue a tag reads, or null when only the English fallback would: the tag itself (pt-BR), then its language
 * (es for es-MX), then another region of that language (pt-BR for pt-PT).
 */
export function catalogueOf(tag: string, catalogues: ReadonlyMap<string, Catalogue> = CATALOGUES): string | null {
  const canonical = canonicalTag(tag);
  if (!canonical) return null;
  const { baseName, language } = new Intl.Locale(canonical);
  if (catalogues.has(baseName)) return baseName;
  if (catalogues.has(language)) return language;
  return [...catalogues.keys()].find((c) => c.startsWith(`${language}-`)) ?? null;
}

const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm', 'Rohg', 'Mand', 'Samr', 'Mend']);

/** The direction of a locale's script (its likely one when the tag names none: ar is Arab, ur is Arab, he is Hebr). */
export function textDirection(tag: string): 'ltr' | 'rtl' {
  const canonical = canonicalTag(tag);
  if (!canonical) return 'ltr';
  const script = new Intl.Locale(canonical).maximize().script;
  return script && RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
}

/** An Accept-Language header's best tag that has a catalogue of its own, else English. */
export function negotiateLocale(acceptLanguage: string | undefined): string {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.tag !== '' && r.tag !== '*' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    if (catalogueOf(r.tag)) return canonicalTag(r.tag)!;
  }
  return FALLBACK_LOCALE;
}

function validZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

/** The named date and time styles of ICU ({at, date, full}, {at, time, short}), each in the fan's zone. */
function formatsIn(timeZone: string) {
  const y = 'numeric' as const;
  return {
    date: {
      short: { year: y, month: 'numeric' as const, day: 'numeric' as const, timeZone },
      medium: { year: y, month: 'short' as const, day: 'numeric' as const, timeZone },
      long: { year: y, month: 'long' as const, day: 'numeric' as const, timeZone },
      full: { weekday: 'long' as const, year: y, month: 'long' as const, day: 'numeric' as const, timeZone },
    },
    time: {
      short: { hour: 'numeric' as const, minute: 'numeric' as const, timeZone },
      medium: { hour: 'numeric' as const, minute: 'numeric' as const, second: 'numeric' as const, timeZone },
      long: { hour: 'numeric' as const, minute: 'numeric' as const, timeZoneName: 'short' as const, timeZone },
      full: { hour: 'numeric' as const, minute: 'numeric' as const, timeZoneName: 'long' as const, timeZone },
    },
  };
}

/** Parsed messages per set of catalogues by (catalogue, locale, zone, key); bounded: fans' tags and zones are text. */
const parsed = new WeakMap<ReadonlyMap<string, Catalogue>, Map<string, IntlMessageFormat>>();
/** Localizers per set of catalogues by (locale, zone) as the fan's row has them. */
const localizers = new WeakMap<ReadonlyMap<string, Catalogue>, Map<string, Localizer>>();
const MAX_COMPILED = 20_000;

/** A fan's localizer: words from the catalogue `locale` falls back to; numbers and dates in `locale`, `timeZone`. */
export function localizer(
  locale: string | null | undefined,
  timeZone: string | null | undefined,
  catalogues: ReadonlyMap<string, Catalogue> = CATALOGUES,
): Localizer {
  // Making one costs a few hundred microseconds (tag and zone checks, Intl objects): keep them, per fan's pair.
  const made = localizers.get(catalogues) ?? new Map<string, Localizer>();
  localizers.set(catalogues, made);
  const id = `${locale ?? ''}\u0000${timeZone ?? ''}`;
  let l = made.get(id);
  if (!l) {
    if (made.size >= MAX_COMPILED) made.clear();
    l = makeLocalizer(locale, timeZone, catalogues);
    made.set(id, l);
  }
  return l;
}

function makeLocalizer(
  locale: string | null | undefined,
  timeZone: string | null | undefined,
  catalogues: ReadonlyMap<string, Catalogue>,
): Localizer {
  const asked = canonicalTag(locale ?? '') ?? FALLBACK_LOCALE;
  const catalogue = catalogueOf(asked, catalogues) ?? FALLBACK_LOCALE;
  const tag = new Intl.Locale(asked).language === new Intl.Locale(catalogue).language ? asked : catalogue;
  const zone = validZone(timeZone ?? 'UTC');
  const words = catalogues.get(catalogue)!;
  const english = catalogues.get(FALLBACK_LOCALE)!;
  const cache = parsed.get(catalogues) ?? new Map<string, IntlMessageFormat>();
  parsed.set(catalogues, cache);
  let hourFormat: Intl.DateTimeFormat | undefined;
  return {
    locale: tag,
    catalogue,
    dir: textDirection(tag),
    timeZone: zone,
    t(key, values) {
      const id = `${catalogue}\u0000${tag}\u0000${zone}\u0000${key}`;
      let format = cache.get(id);
      if (!format) {
        const source = words[key] ?? english[key];
        if (source === undefined)
          throw new RangeError(`message "${key}": no such key in the ${FALLBACK_LOCALE} catalogue`);
        format = new IntlMessageFormat(source, tag, formatsIn(zone), { ignoreTag: true });
        if (cache.size >= MAX_COMPILED) cache.clear();
        cache.set(id, format);
      }
      return String(format.format(values));
    },
    hour(h) {
      hourFormat ??= new Intl.DateTimeFormat(tag, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });
      return hourFormat.format(Date.UTC(2000, 0, 1, h));
    },
  };
}

/** The names of the arguments a message uses, plural and select ones included, nested ones too. */
export function messageArguments(message: string): Set<string> {
  const names = new Set<string>();
  const walk = (elements: readonly unknown[]) => {
    for (const el of elements as { type: number; value?: string; options?: Record<string, { value: unknown[] }> }[]) {
      // Every element but a literal (type 0) and a plural's # (7) has its argument's name as its value.
      if (typeof el.value === 'string' && el.type !== 0 && el.type !== 7) names.add(el.value);
      for (const option of Object.values(el.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, 'en', undefined, { ignoreTag: true }).getAst());
  return names;
}
