import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, parseRetryAfter } from '../api/client';
import i18n from '../i18n';
import { errorText, tryAgainText } from './errors';

describe('the lockout message', () => {
  beforeAll(() => i18n.changeLanguage('en'));
  afterAll(() => i18n.changeLanguage('en'));

  it.each([
    [840, 'Too many attempts. Try again in 14 minutes.'],
    [839, 'Too many attempts. Try again in 14 minutes.'],
    [60, 'Too many attempts. Try again in 1 minute.'],
    [61, 'Too many attempts. Try again in 2 minutes.'],
    [1, 'Too many attempts. Try again in 1 second.'],
    [45, 'Too many attempts. Try again in 45 seconds.'],
    [3600, 'Too many attempts. Try again in 60 minutes.'],
    [3601, 'Too many attempts. Try again in 2 hours.'],
    [86400, 'Too many attempts. Try again in 24 hours.'],
    [3 * 86400, 'Too many attempts. Try again in 3 days.'],
    [undefined, 'Too many attempts. Try again later.'],
    [0, 'Too many attempts. Try again later.'],
  ])('after %s seconds reads “%s”', (seconds, text) => {
    expect(tryAgainText(i18n.t, seconds)).toBe(text);
  });

  it('is in Chinese too, where one and many read the same', async () => {
    await i18n.changeLanguage('zh-CN');
    expect(tryAgainText(i18n.t, 840)).toBe('尝试次数过多，请在 14 分钟后重试。');
    expect(tryAgainText(i18n.t, 60)).toBe('尝试次数过多，请在 1 分钟后重试。');
    expect(tryAgainText(i18n.t, 7200)).toBe('尝试次数过多，请在 2 小时后重试。');
    await i18n.changeLanguage('en');
  });

  it('is what a 429 from the API says', () => {
    expect(errorText(i18n.t, new ApiError(429, 'too_many_attempts', 'slow down', 'r', 840))).toBe('Too many attempts. Try again in 14 minutes.');
    expect(errorText(i18n.t, new ApiError(429, 'too_many_attempts', 'slow down'))).toBe('Too many attempts. Try again later.');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T10:00:00Z');
  it('reads seconds', () => {
    expect(parseRetryAfter('840', now)).toBe(840);
    expect(parseRetryAfter(' 30 ', now)).toBe(30);
  });
  it('reads an HTTP date as the seconds until then', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 10:14:00 GMT', now)).toBe(840);
    expect(parseRetryAfter('Sat, 01 Mar 2025 09:00:00 GMT', now)).toBe(0);
  });
  it.each([null, '', 'soon', '-5', '1.5'])('ignores %s', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('the account errors', () => {
  afterAll(() => i18n.changeLanguage('en'));

  it.each([
    ['owner_protected', 403, 'Only an owner can change an owner’s account.', '只有所有者能更改所有者的账号。'],
    ['admin_protected', 403, 'Changing an administrator’s account needs the permission to transfer ownership.', '更改管理员的账号需要“转让所有权”权限。'],
    ['cannot_reset_self', 409, 'You can’t reset your own sign-in. Change your password on your profile instead.', '不能重置你自己的登录，请在个人资料中修改密码。'],
    ['account_disabled', 409, 'This account is disabled.', '该账号已停用。'],
    ['cannot_disable_self', 409, 'You can’t disable your own account.', '不能停用你自己的账号。'],
  ])('%s reads as the UI’s own words in both languages, not the server’s English', async (code, status, en, zh) => {
    const err = new ApiError(status, code, 'the server’s English message');
    await i18n.changeLanguage('en');
    expect(errorText(i18n.t, err)).toBe(en);
    await i18n.changeLanguage('zh-CN');
    expect(errorText(i18n.t, err)).toBe(zh);
  });
});
