import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';

/**
 * errorText is what to tell the user about a failed call: a translation for the codes the UI
 * knows, otherwise the server's message (which is written to be safe to show).
 */
export function errorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'invitation_expired':
        return t('errors.invitationExpired');
      case 'invitation_used_up':
        return t('errors.invitationUsedUp');
      case 'invitation_revoked':
        return t('errors.invitationRevoked');
      case 'invalid_credentials':
        return t('errors.invalidCredentials');
      case 'wrong_password':
        return t('errors.wrongPassword');
      case 'email_taken':
        return t('errors.emailTaken');
      case 'already_member':
        return t('errors.alreadyMember');
      case 'membership_deactivated':
        return t('errors.membershipDeactivated');
      case 'password_too_short':
        return t('errors.passwordTooShort');
      case 'password_too_common':
        return t('errors.passwordTooCommon');
      case 'cannot_deactivate_self':
        return t('errors.cannotDeactivateSelf');
      case 'session_expired':
        return t('errors.unauthenticated');
      case 'csrf_failed':
        return t('errors.csrfFailed');
    }
    if (err.status === 429) {
      return err.retryAfter ? t('errors.rateLimitedWait', { seconds: err.retryAfter }) : t('errors.rateLimited');
    }
    if (err.message && !err.code.startsWith('http_')) return err.message;
    switch (err.status) {
      case 401:
        return t('errors.unauthenticated');
      case 403:
        return t('errors.forbidden');
      case 404:
        return t('errors.notFound');
    }
    return t('errors.generic');
  }
  if (err instanceof TypeError) return t('errors.network');
  return t('errors.generic');
}
