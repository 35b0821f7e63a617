// Which language a fan-facing page speaks: the fan's own when a link says who they are, else what the browser asks for.
import { fanLocale } from '../db/fans.ts';
import type { Pool } from '../db/pool.ts';
import { catalogueOf, type Localizer, localizer, negotiateLocale } from '../delivery/i18n.ts';

/** The request's own choice: `?lang=` naming a language we write (a reloaded page keeps it), else Accept-Language. */
export function browserLocalizer(req: { query?: unknown; headers: { 'accept-language'?: string } }): Localizer {
  const lang = (req.query as { lang?: unknown } | undefined)?.lang;
  if (typeof lang === 'string' && catalogueOf(lang)) return localizer(lang, 'UTC');
  return localizer(negotiateLocale(req.headers['accept-language']), 'UTC');
}

/** The fan's locale and zone (fans.locale, fans.time_zone); a fan no longer there gets the browser's choice. */
export async function fanLocalizer(
  pool: Pool,
  fanId: number,
  req: Parameters<typeof browserLocalizer>[0],
): Promise<Localizer> {
  const fan = await fanLocale(pool, fanId);
  return fan ? localizer(fan.locale, fan.timeZone) : browserLocalizer(req);
}
