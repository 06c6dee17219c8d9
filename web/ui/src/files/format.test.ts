import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import i18n from '../i18n';
import { formatDateTime } from '../lib/format';
import { deleteRefusal, fileKind, filesErrorText, formatBytes, stillRetained, untilFromMessage } from './format';

const shanghai = (iso: string) => formatDateTime(iso, 'en', 'Asia/Shanghai');

beforeEach(async () => {
  await i18n.changeLanguage('en');
});
afterEach(async () => {
  await i18n.changeLanguage('en');
});

describe('formatBytes', () => {
  it('uses the largest unit below 1024 of it, with one decimal under 100', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1,023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5 GB');
    expect(formatBytes(150 * 1024 ** 2)).toBe('150 MB');
    expect(formatBytes(undefined)).toBe('');
    expect(formatBytes(-1)).toBe('');
  });
});

describe('fileKind', () => {
  it('previews images, video, audio and PDF, but never SVG', () => {
    expect(fileKind('image/png')).toBe('image');
    expect(fileKind('video/mp4')).toBe('video');
    expect(fileKind('audio/mpeg')).toBe('audio');
    expect(fileKind('application/pdf')).toBe('pdf');
    expect(fileKind('image/svg+xml')).toBe('other');
    expect(fileKind('text/html; charset=utf-8')).toBe('text');
    expect(fileKind('application/octet-stream')).toBe('other');
  });
});

describe('available until', () => {
  it('reads the date out of the server’s retention_active message', () => {
    expect(untilFromMessage('available until 2030-06-01T08:00:00Z; it cannot be deleted before')).toBe('2030-06-01T08:00:00Z');
    expect(untilFromMessage('available until 2030-06-01T08:00:00.123+08:00; x')).toBe('2030-06-01T08:00:00.123+08:00');
    expect(untilFromMessage('a legal hold is in place')).toBeUndefined();
  });

  it('tells whether the date is still ahead', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(stillRetained('2030-01-02T00:00:00Z', now)).toBe(true);
    expect(stillRetained('2029-12-31T23:59:59Z', now)).toBe(false);
    expect(stillRetained(null, now)).toBe(false);
  });
});

describe('deleteRefusal', () => {
  const t = i18n.t.bind(i18n);

  it('names the date of a 409 retention_active in the user’s time zone, taken from the server’s answer', () => {
    const err = new ApiError(409, 'retention_active', 'available until 2030-06-01T20:00:00Z; it cannot be deleted before');
    // 20:00 UTC is 04:00 the next day in Shanghai: the calendar date changes too.
    const text = deleteRefusal(t, err, shanghai, '2029-01-01T00:00:00Z');
    expect(text).toMatch(/^It is available until Jun 2, 2030, 4:00\sAM and can’t be deleted before then\./);
  });

  it('falls back to the date the list showed when the message has none', () => {
    const err = new ApiError(409, 'retention_active', 'still retained');
    expect(deleteRefusal(t, err, shanghai, '2030-06-01T08:00:00Z')).toMatch(/available until Jun 1, 2030, 4:00\sPM/);
    expect(deleteRefusal(t, err, shanghai)).toBe('It is still within its retention time and can’t be deleted yet.');
  });

  it('explains a legal hold, and leaves any other failure to the usual messages', () => {
    expect(deleteRefusal(t, new ApiError(409, 'legal_hold', 'held'), shanghai)).toMatch(/legal hold/);
    expect(deleteRefusal(t, new ApiError(403, 'forbidden', 'no'), shanghai)).toBeUndefined();
    expect(deleteRefusal(t, new ApiError(409, 'name_taken', 'taken'), shanghai)).toBeUndefined();
    expect(deleteRefusal(t, new TypeError('offline'), shanghai)).toBeUndefined();
  });

  it('is in Chinese for a Chinese user', async () => {
    await i18n.changeLanguage('zh-CN');
    const err = new ApiError(409, 'retention_active', 'available until 2030-06-01T08:00:00Z; it cannot be deleted before');
    const text = deleteRefusal(i18n.t.bind(i18n), err, (iso) => formatDateTime(iso, 'zh-CN', 'Asia/Shanghai'));
    expect(text).toContain('2030年6月1日');
    expect(text).toContain('在此之前不能删除');
  });
});

describe('filesErrorText', () => {
  it('words the files module’s codes its own way', () => {
    const t = i18n.t.bind(i18n);
    expect(filesErrorText(t, new ApiError(409, 'cycle', 'x'))).toBe('A folder can’t move into itself or one of its own subfolders.');
    expect(filesErrorText(t, new ApiError(409, 'quota_exceeded', 'x'))).toMatch(/quota/);
    expect(filesErrorText(t, new ApiError(503, 'unavailable', 'x'))).toMatch(/Nothing was saved/);
  });
});
