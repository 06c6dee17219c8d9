/** browserTimeZone is the IANA time zone of this browser, e.g. Asia/Shanghai. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** validTimeZone reports whether the browser knows the IANA zone. */
export function validTimeZone(tz: string | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** timeZones lists the IANA zones the browser knows, UTC included. */
export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Singapore', 'Europe/London', 'America/New_York'];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const zone = validTimeZone(timeZone) ? timeZone : browserTimeZone();
  const key = `${lang}|${zone}|${withTime}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, {
      dateStyle: 'medium',
      ...(withTime ? { timeStyle: 'short' } : {}),
      timeZone: zone,
    });
    cache.set(key, f);
  }
  return f;
}

/** formatDateTime shows an instant in the user's language and time zone. */
export function formatDateTime(iso: string | null | undefined, lang: string, timeZone: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter(lang, timeZone, true).format(d);
}

/** formatDate shows the calendar date of an instant in the user's time zone. */
export function formatDate(iso: string | null | undefined, lang: string, timeZone: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter(lang, timeZone, false).format(d);
}

/** zoneOffset is how far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * startOfDay is the instant a calendar day (month 0-11) begins in a time zone, as ISO 8601: a
 * date range picked in the UI means the user's days, not the browser's or UTC's.
 */
export function startOfDay(year: number, month: number, day: number, timeZone: string): string {
  const zone = validTimeZone(timeZone) ? timeZone : browserTimeZone();
  const guess = Date.UTC(year, month, day);
  let instant = guess - zoneOffset(guess, zone);
  // Around a daylight-saving change the offset at the result can differ from the guess's.
  instant = guess - zoneOffset(instant, zone);
  return new Date(instant).toISOString();
}
