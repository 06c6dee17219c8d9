import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';

/**
 * tryAgainText says that there were too many attempts and when to try again, in words and in the
 * largest unit that reads naturally ("in 14 minutes"), rounded up so that trying then works.
 */
export function tryAgainText(t: TFunction, seconds: number | undefined): string {
  if (!seconds || !Number.isFinite(seconds) || seconds <= 0) return t('errors.rateLimited');
  const s = Math.ceil(seconds);
  if (s < 60) return t('errors.rateLimitedSeconds', { count: s });
  if (s <= 60 * 60) return t('errors.rateLimitedMinutes', { count: Math.ceil(s / 60) });
  if (s <= 48 * 60 * 60) return t('errors.rateLimitedHours', { count: Math.ceil(s / 3600) });
  return t('errors.rateLimitedDays', { count: Math.ceil(s / 86400) });
}

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
      case 'invitation_for_another_account':
        return t('errors.invitationForAnotherAccount');
      case 'password_change_required':
        return t('errors.passwordChangeRequired');
      case 'domain_taken':
        return t('errors.domainTaken');
      case 'invalid_domain':
        return t('errors.invalidDomain');
      case 'installation_admin_required':
        return t('errors.installationAdminRequired');
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
      case 'password_too_long':
        return t('errors.passwordTooLong');
      case 'activation_invalid':
        return t('errors.activationInvalid');
      case 'already_activated':
        return t('errors.alreadyActivated');
      case 'account_not_managed':
        return t('errors.accountNotManaged');
      case 'cannot_deactivate_self':
        return t('errors.cannotDeactivateSelf');
      case 'owner_protected':
        return t('errors.ownerProtected');
      case 'admin_protected':
        return t('errors.adminProtected');
      case 'cannot_reset_self':
        return t('errors.cannotResetSelf');
      case 'account_disabled':
        return t('errors.accountDisabled');
      case 'cannot_disable_self':
        return t('errors.cannotDisableSelf');
      case 'already_disabled':
        return t('errors.alreadyDisabled');
      case 'already_enabled':
        return t('errors.alreadyEnabled');
      case 'session_expired':
        return t('errors.unauthenticated');
      case 'csrf_failed':
        return t('errors.csrfFailed');
      case 'forbidden':
        return t('errors.forbiddenHere');
      case 'cycle':
        return t('errors.cycle');
      case 'too_deep':
        return t('errors.tooDeep');
      case 'root_immovable':
        return t('errors.rootImmovable');
      case 'root_undeletable':
        return t('errors.rootUndeletable');
      case 'department_has_children':
        return t('errors.departmentHasChildren');
      case 'department_has_members':
        return t('errors.departmentHasMembers');
      case 'department_has_groups':
        return t('errors.departmentHasGroups');
      case 'department_exists':
        return t('errors.departmentExists');
      case 'invalid_department_name':
        return t('errors.invalidDepartmentName');
      case 'group_full':
        return t('errors.groupFull');
      case 'cap_below_members':
        return t('errors.capBelowMembers');
      case 'invalid_member_cap':
        return t('errors.invalidMemberCap');
      case 'invalid_group_name':
        return t('errors.invalidGroupName');
      case 'too_many_departments':
        return t('errors.tooManyDepartments');
      case 'several_primary_departments':
        return t('errors.severalPrimary');
      case 'duplicate_department':
        return t('errors.duplicateDepartment');
      case 'last_owner':
        return t('errors.lastOwner');
      case 'builtin_role':
        return t('errors.builtinRole');
      case 'base_role':
        return t('errors.baseRole');
      case 'department_required':
        return t('errors.departmentRequired');
      case 'invalid_permission':
        return t('errors.invalidPermission');
      case 'invalid_role_name':
        return t('errors.invalidRoleName');
      case 'invalid_token_name':
        return t('errors.invalidTokenName');
      case 'empty_import':
        return t('errors.emptyImport');
      case 'too_many_rows':
        return t('errors.tooManyRows');
      case 'unknown_column':
      case 'duplicate_column':
      case 'missing_column':
      case 'malformed_csv':
        return t('errors.badCsv', { detail: err.message });
      case 'malformed_json':
      case 'unknown_field':
      case 'invalid_field':
        return t('errors.badJson', { detail: err.message });
    }
    if (err.status === 413) return t('errors.tooLarge');
    if (err.status === 415) return t('errors.unsupportedType');
    if (err.status === 429) return tryAgainText(t, err.retryAfter);
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
