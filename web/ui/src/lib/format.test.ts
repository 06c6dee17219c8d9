import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, startOfDay, validTimeZone } from './format';

describe('formatDateTime', () => {
  const instant = '2025-03-01T23:30:00Z';

  it('shows the time in the user’s time zone, not the browser’s', () => {
    expect(formatDateTime(instant, 'en', 'Asia/Shanghai')).toMatch(/Mar 2, 2025.*7:30/);
    expect(formatDateTime(instant, 'en', 'America/New_York')).toMatch(/Mar 1, 2025.*6:30/);
  });

  it('speaks Chinese', () => {
    expect(formatDate(instant, 'zh-CN', 'Asia/Shanghai')).toBe('2025年3月2日');
  });

  it('falls back to the browser’s zone for an unknown one', () => {
    expect(validTimeZone('Mars/Olympus')).toBe(false);
    expect(formatDateTime(instant, 'en', 'Mars/Olympus')).toContain('2025');
  });

  it('shows nothing for no date', () => {
    expect(formatDateTime(null, 'en', 'UTC')).toBe('');
  });
});

describe('startOfDay', () => {
  it('is midnight in the user’s zone', () => {
    expect(startOfDay(2025, 2, 2, 'Asia/Shanghai')).toBe('2025-03-01T16:00:00.000Z');
    expect(startOfDay(2025, 0, 15, 'UTC')).toBe('2025-01-15T00:00:00.000Z');
  });

  it('follows daylight saving time', () => {
    expect(startOfDay(2025, 6, 1, 'America/New_York')).toBe('2025-07-01T04:00:00.000Z');
    expect(startOfDay(2025, 0, 1, 'America/New_York')).toBe('2025-01-01T05:00:00.000Z');
    // The day the clocks go forward starts before the change.
    expect(startOfDay(2025, 2, 9, 'America/New_York')).toBe('2025-03-09T05:00:00.000Z');
  });
});
