import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, validTimeZone } from './format';

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
