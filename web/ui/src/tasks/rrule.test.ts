import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { defaultRecurrence, parseRRule, recurrenceSummary, toRRule, type Recurrence } from './rrule';

const en = i18n.getFixedT('en');
const zh = i18n.getFixedT('zh-CN');
const SH = 'Asia/Shanghai';

const rule = (over: Partial<Recurrence>): Recurrence => ({ ...defaultRecurrence('none'), ...over });

describe('recurrence ↔ RRULE', () => {
  const cases: [string, Partial<Recurrence>][] = [
    ['FREQ=DAILY', { kind: 'daily' }],
    ['FREQ=DAILY;INTERVAL=3', { kind: 'daily', interval: 3 }],
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', { kind: 'weekdays' }],
    ['FREQ=WEEKLY;BYDAY=MO', { kind: 'weekly', days: ['MO'] }],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE', { kind: 'weekly', interval: 2, days: ['MO', 'WE'] }],
    ['FREQ=MONTHLY;BYMONTHDAY=15', { kind: 'monthly_day', monthDay: 15 }],
    ['FREQ=MONTHLY;BYDAY=-1FR', { kind: 'monthly_last', weekday: 'FR', days: ['FR'] }],
    ['FREQ=MONTHLY;INTERVAL=3;BYDAY=-1MO', { kind: 'monthly_last', interval: 3, weekday: 'MO', days: ['MO'] }],
    ['FREQ=YEARLY;INTERVAL=2', { kind: 'yearly', interval: 2 }],
    ['FREQ=WEEKLY;BYDAY=TU;COUNT=5', { kind: 'weekly', days: ['TU'], ends: 'count', count: 5 }],
  ];

  it.each(cases)('%s is what the editor makes of its model, and reads back as it', (text, over) => {
    const model = rule(over);
    expect(toRRule(model, SH)).toBe(text);
    const parsed = parseRRule(text, SH);
    expect(toRRule(parsed, SH)).toBe(text);
    expect(parsed).toMatchObject(over);
  });

  it('writes the weekly days in week order, whatever order they were ticked in', () => {
    expect(toRRule(rule({ kind: 'weekly', days: ['FR', 'MO', 'WE'] }), SH)).toBe('FREQ=WEEKLY;BYDAY=MO,WE,FR');
  });

  it('ends on a date at the end of that day in the due time zone, and reads it back as that day', () => {
    const text = toRRule(rule({ kind: 'daily', ends: 'until', until: '2025-06-30' }), SH);
    // 23:59:59 on 30 June in Shanghai is 15:59:59 UTC.
    expect(text).toBe('FREQ=DAILY;UNTIL=20250630T155959Z');
    expect(parseRRule(text, SH)).toMatchObject({ kind: 'daily', ends: 'until', until: '2025-06-30' });
    expect(toRRule(rule({ kind: 'daily', ends: 'until', until: '2025-06-30' }), 'Europe/Berlin')).toBe('FREQ=DAILY;UNTIL=20250630T215959Z');
  });

  it('caps COUNT at the server’s limit', () => {
    expect(toRRule(rule({ kind: 'daily', ends: 'count', count: 5000 }), SH)).toBe('FREQ=DAILY;COUNT=1000');
  });

  it('reads FREQ=DAILY on weekdays as every weekday, and the RRULE: prefix', () => {
    expect(parseRRule('RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR', SH).kind).toBe('weekdays');
  });

  it('keeps a rule it cannot show as custom, unchanged', () => {
    for (const text of ['FREQ=HOURLY', 'FREQ=MONTHLY;BYDAY=2TU', 'FREQ=WEEKLY;BYDAY=MO;BYSETPOS=1', 'garbage']) {
      const parsed = parseRRule(text, SH);
      expect(parsed.kind).toBe('custom');
      expect(toRRule(parsed, SH)).toBe(text);
    }
  });

  it('says nothing repeats for an empty rule', () => {
    expect(parseRRule('', SH).kind).toBe('none');
    expect(toRRule(rule({ kind: 'none' }), SH)).toBe('');
  });
});

describe('recurrence summaries in plain words', () => {
  const say = (text: string) => [recurrenceSummary(en, parseRRule(text, SH)), recurrenceSummary(zh, parseRRule(text, SH))];

  it('every week on one day', () => {
    expect(say('FREQ=WEEKLY;BYDAY=MO')).toEqual(['Every week on Monday', '每周一']);
  });

  it('every weekday', () => {
    expect(say('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR')).toEqual(['Every weekday', '每个工作日']);
  });

  it('monthly on the last Friday', () => {
    expect(say('FREQ=MONTHLY;BYDAY=-1FR')).toEqual(['Every month on the last Friday', '每月最后一个周五']);
  });

  it('every 2 weeks on Monday and Wednesday', () => {
    expect(say('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE')).toEqual(['Every 2 weeks on Monday and Wednesday', '每 2 周的周一、三']);
    expect(say('FREQ=WEEKLY;BYDAY=MO,WE,FR')).toEqual(['Every week on Monday, Wednesday and Friday', '每周一、三、五']);
  });

  it('ends after N times', () => {
    expect(say('FREQ=DAILY;COUNT=5')).toEqual(['Every day, 5 times', '每天，共 5 次']);
    expect(say('FREQ=DAILY;COUNT=1')).toEqual(['Every day, 1 time', '每天，共 1 次']);
  });

  it('monthly on a day, yearly, every N days, until a date', () => {
    expect(say('FREQ=MONTHLY;BYMONTHDAY=15')).toEqual(['Every month on day 15', '每月 15 日']);
    expect(say('FREQ=YEARLY')).toEqual(['Every year', '每年']);
    expect(say('FREQ=DAILY;INTERVAL=3')).toEqual(['Every 3 days', '每 3 天']);
    const until = parseRRule('FREQ=DAILY;UNTIL=20250630T155959Z', SH);
    expect(recurrenceSummary(en, until, (d) => `[${d}]`)).toBe('Every day, until [2025-06-30]');
    expect(recurrenceSummary(zh, until, (d) => `[${d}]`)).toBe('每天，直到 [2025-06-30]');
  });

  it('no repeat and custom rules', () => {
    expect(say('')).toEqual(['Does not repeat', '不重复']);
    expect(say('FREQ=HOURLY')).toEqual(['Custom rule: FREQ=HOURLY', '自定义规则：FREQ=HOURLY']);
  });
});
