import { startOfDay } from '../lib/format';

/** YMD is a calendar date: month 1-12. */
export interface YMD {
  y: number;
  m: number;
  d: number;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();

/** dateInZone is the calendar date an instant falls on in a time zone. */
export function dateInZone(iso: string | Date, timeZone: string): YMD {
  let f = partsCache.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric' });
    }
    partsCache.set(timeZone, f);
  }
  const parts = f.formatToParts(typeof iso === 'string' ? new Date(iso) : iso);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day') };
}

/** ymdString writes a date as YYYY-MM-DD. */
export function ymdString({ y, m, d }: YMD): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** parseYMD reads YYYY-MM-DD. */
export function parseYMD(s: string): YMD | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : undefined;
}

/**
 * allDayInstant is how an all-day date is sent: the date's midnight in the due time zone, as
 * the contract asks, so that the date stays the same wherever it is shown in that zone.
 */
export function allDayInstant(date: YMD, timeZone: string): string {
  return startOfDay(date.y, date.m - 1, date.d, timeZone);
}

/** dayNumber counts days since 1970-01-01 for a calendar date, to compare dates across months. */
export function dayNumber({ y, m, d }: YMD): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

/** weekdayOf is a date's day of the week, 0 Monday to 6 Sunday (RFC 5545 order). */
export function weekdayOf({ y, m, d }: YMD): number {
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}
