import type { TFunction } from 'i18next';
import { startOfDay } from '../lib/format';
import { dateInZone, parseYMD, ymdString } from './dates';

/**
 * The recurrence editor's model and its RFC 5545 RRULE text, both ways, and a summary in plain
 * words. Only the rules the editor can make are understood; any other rule (set through the API)
 * is kept as it is and shown as custom.
 */

export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';
export const WEEKDAYS: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const WORKDAYS: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR'];

export type RepeatKind = 'none' | 'daily' | 'weekdays' | 'weekly' | 'monthly_day' | 'monthly_last' | 'yearly' | 'custom';
export type RepeatEnd = 'never' | 'count' | 'until';

export interface Recurrence {
  kind: RepeatKind;
  /** Every n days, weeks, months or years; 1 for "every weekday". */
  interval: number;
  /** The days of a weekly rule, in week order. */
  days: Weekday[];
  /** The day of the month of a monthly_day rule, 1 to 31. */
  monthDay: number;
  /** The weekday of a monthly_last rule. */
  weekday: Weekday;
  ends: RepeatEnd;
  /** How many occurrences, when ends is count. */
  count: number;
  /** The last day (YYYY-MM-DD, in the due time zone), when ends is until. */
  until?: string;
  /** A rule the editor cannot show, kept as the server has it. */
  raw?: string;
}

/** MAX_COUNT is the server's cap on COUNT (rrule_count_too_large above it). */
export const MAX_COUNT = 1000;

/** defaultRecurrence is a rule of a kind that starts from the due date: its weekday, its day of the month. */
export function defaultRecurrence(kind: RepeatKind, due?: { weekday: number; monthDay: number }): Recurrence {
  const weekday = WEEKDAYS[due?.weekday ?? 0];
  return {
    kind,
    interval: 1,
    days: [weekday],
    monthDay: due?.monthDay ?? 1,
    weekday,
    ends: 'never',
    count: 10,
  };
}

const sortDays = (days: Weekday[]) => WEEKDAYS.filter((d) => days.includes(d));

/** untilText is the end of the last day in the time zone, in UTC as RFC 5545 writes it. */
function untilText(ymd: string, timeZone: string): string | undefined {
  const day = parseYMD(ymd);
  if (!day) return undefined;
  const next = Date.parse(startOfDay(day.y, day.m - 1, day.d + 1, timeZone)) - 1000;
  return new Date(next).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** untilDate reads UNTIL back as the day it ends, in the time zone. */
function untilDate(text: string, timeZone: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(text);
  if (!m) return undefined;
  if (!m[4]) return `${m[1]}-${m[2]}-${m[3]}`;
  const instant = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return ymdString(dateInZone(instant, timeZone));
}

/** toRRule writes the model as an RRULE value without the "RRULE:" prefix; "" for none. */
export function toRRule(r: Recurrence, timeZone: string): string {
  if (r.kind === 'none') return '';
  if (r.kind === 'custom') return r.raw ?? '';
  const parts: string[] = [];
  const interval = Math.max(1, Math.floor(r.interval || 1));
  switch (r.kind) {
    case 'daily':
      parts.push('FREQ=DAILY');
      break;
    case 'weekdays':
      parts.push('FREQ=WEEKLY', `BYDAY=${WORKDAYS.join(',')}`);
      break;
    case 'weekly':
      parts.push('FREQ=WEEKLY');
      break;
    case 'monthly_day':
    case 'monthly_last':
      parts.push('FREQ=MONTHLY');
      break;
    case 'yearly':
      parts.push('FREQ=YEARLY');
      break;
  }
  if (interval > 1 && r.kind !== 'weekdays') parts.push(`INTERVAL=${interval}`);
  if (r.kind === 'weekly') parts.push(`BYDAY=${(sortDays(r.days).length ? sortDays(r.days) : ['MO']).join(',')}`);
  if (r.kind === 'monthly_day') parts.push(`BYMONTHDAY=${Math.min(31, Math.max(1, Math.floor(r.monthDay || 1)))}`);
  if (r.kind === 'monthly_last') parts.push(`BYDAY=-1${r.weekday}`);
  if (r.ends === 'count') parts.push(`COUNT=${Math.min(MAX_COUNT, Math.max(1, Math.floor(r.count || 1)))}`);
  if (r.ends === 'until' && r.until) {
    const until = untilText(r.until, timeZone);
    if (until) parts.push(`UNTIL=${until}`);
  }
  return parts.join(';');
}

/** parseRRule reads an RRULE value (with or without the prefix) into the model; what it cannot show is custom. */
export function parseRRule(rule: string, timeZone: string): Recurrence {
  const text = rule.trim().replace(/^RRULE:/i, '');
  const base = defaultRecurrence('none');
  if (!text) return base;
  const custom: Recurrence = { ...base, kind: 'custom', raw: text };
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return custom;
    const key = part.slice(0, eq).toUpperCase();
    if (fields.has(key)) return custom;
    fields.set(key, part.slice(eq + 1).toUpperCase());
  }
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL', 'WKST']);
  if ([...fields.keys()].some((k) => !known.has(k))) return custom;
  if (fields.has('WKST') && fields.get('WKST') !== 'MO') return custom;
  const r: Recurrence = { ...base };
  const interval = fields.get('INTERVAL');
  if (interval !== undefined) {
    if (!/^\d+$/.test(interval) || Number(interval) < 1) return custom;
    r.interval = Number(interval);
  }
  const count = fields.get('COUNT');
  const until = fields.get('UNTIL');
  if (count !== undefined && until !== undefined) return custom;
  if (count !== undefined) {
    if (!/^\d+$/.test(count) || Number(count) < 1) return custom;
    r.ends = 'count';
    r.count = Number(count);
  } else if (until !== undefined) {
    const day = untilDate(until, timeZone);
    if (!day) return custom;
    r.ends = 'until';
    r.until = day;
  }
  const byday = fields.get('BYDAY');
  const bymonthday = fields.get('BYMONTHDAY');
  const days = byday?.split(',') ?? [];
  const plainDays = days.every((d) => (WEEKDAYS as string[]).includes(d));
  switch (fields.get('FREQ')) {
    case 'DAILY':
      if (bymonthday) return custom;
      if (byday) {
        // FREQ=DAILY;BYDAY=MO..FR means the same as the editor's "every weekday".
        if (r.interval !== 1 || !sameDays(days, WORKDAYS)) return custom;
        r.kind = 'weekdays';
        return r;
      }
      r.kind = 'daily';
      return r;
    case 'WEEKLY':
      if (bymonthday || !plainDays) return custom;
      if (byday && r.interval === 1 && sameDays(days, WORKDAYS)) {
        r.kind = 'weekdays';
        return r;
      }
      if (!byday) return { ...custom };
      r.kind = 'weekly';
      r.days = sortDays(days as Weekday[]);
      return r;
    case 'MONTHLY': {
      if (byday && bymonthday) return custom;
      if (bymonthday) {
        if (!/^\d+$/.test(bymonthday) || Number(bymonthday) < 1 || Number(bymonthday) > 31) return custom;
        r.kind = 'monthly_day';
        r.monthDay = Number(bymonthday);
        return r;
      }
      const last = /^-1(MO|TU|WE|TH|FR|SA|SU)$/.exec(byday ?? '');
      if (!last) return custom;
      r.kind = 'monthly_last';
      r.weekday = last[1] as Weekday;
      r.days = [r.weekday];
      return r;
    }
    case 'YEARLY':
      if (byday || bymonthday) return custom;
      r.kind = 'yearly';
      return r;
    default:
      return custom;
  }
}

function sameDays(a: string[], b: string[]): boolean {
  return a.length === b.length && b.every((d) => a.includes(d));
}

/** weekdayName is a weekday's name: "Monday", "周一". */
export function weekdayName(t: TFunction, d: Weekday): string {
  switch (d) {
    case 'MO':
      return t('tasks.repeat.day.MO');
    case 'TU':
      return t('tasks.repeat.day.TU');
    case 'WE':
      return t('tasks.repeat.day.WE');
    case 'TH':
      return t('tasks.repeat.day.TH');
    case 'FR':
      return t('tasks.repeat.day.FR');
    case 'SA':
      return t('tasks.repeat.day.SA');
    case 'SU':
      return t('tasks.repeat.day.SU');
  }
}

/** weekdayInList is a weekday as a weekly rule lists it: "Monday" in English, "一" after 每周 in Chinese. */
function weekdayInList(t: TFunction, d: Weekday): string {
  switch (d) {
    case 'MO':
      return t('tasks.repeat.listDay.MO');
    case 'TU':
      return t('tasks.repeat.listDay.TU');
    case 'WE':
      return t('tasks.repeat.listDay.WE');
    case 'TH':
      return t('tasks.repeat.listDay.TH');
    case 'FR':
      return t('tasks.repeat.listDay.FR');
    case 'SA':
      return t('tasks.repeat.listDay.SA');
    case 'SU':
      return t('tasks.repeat.listDay.SU');
  }
}

/** joinWords lists words as the language does: "a, b and c", "一、三、五". */
function joinWords(t: TFunction, words: string[]): string {
  if (words.length <= 1) return words.join('');
  return words.slice(0, -1).join(t('tasks.repeat.listSep')) + t('tasks.repeat.listLast') + words[words.length - 1];
}

/**
 * recurrenceSummary says a rule in plain words: "Every week on Monday" / "每周一", "Every 2 weeks
 * on Monday and Wednesday, 5 times". formatDay shows the last day of an "until" rule.
 */
export function recurrenceSummary(t: TFunction, r: Recurrence, formatDay: (ymd: string) => string = (s) => s): string {
  const n = Math.max(1, r.interval);
  let rule: string;
  switch (r.kind) {
    case 'none':
      return t('tasks.repeat.summary.none');
    case 'custom':
      return t('tasks.repeat.summary.custom', { rule: r.raw ?? '' });
    case 'daily':
      rule = n === 1 ? t('tasks.repeat.summary.daily') : t('tasks.repeat.summary.dailyN', { n });
      break;
    case 'weekdays':
      rule = t('tasks.repeat.summary.weekdays');
      break;
    case 'weekly': {
      const days = joinWords(t, sortDays(r.days).map((d) => weekdayInList(t, d)));
      rule = n === 1 ? t('tasks.repeat.summary.weekly', { days }) : t('tasks.repeat.summary.weeklyN', { n, days });
      break;
    }
    case 'monthly_day':
      rule = n === 1 ? t('tasks.repeat.summary.monthlyDay', { day: r.monthDay }) : t('tasks.repeat.summary.monthlyDayN', { n, day: r.monthDay });
      break;
    case 'monthly_last': {
      const weekday = weekdayName(t, r.weekday);
      rule = n === 1 ? t('tasks.repeat.summary.monthlyLast', { weekday }) : t('tasks.repeat.summary.monthlyLastN', { n, weekday });
      break;
    }
    case 'yearly':
      rule = n === 1 ? t('tasks.repeat.summary.yearly') : t('tasks.repeat.summary.yearlyN', { n });
      break;
  }
  if (r.ends === 'count') return t('tasks.repeat.summary.times', { rule, count: r.count });
  if (r.ends === 'until' && r.until) return t('tasks.repeat.summary.until', { rule, date: formatDay(r.until) });
  return rule;
}
