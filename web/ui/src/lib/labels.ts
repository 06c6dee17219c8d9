import type { TFunction } from 'i18next';

/** roleLabel names a role in the UI language. */
export function roleLabel(t: TFunction, role: string): string {
  switch (role) {
    case 'owner':
      return t('role.owner');
    case 'admin':
      return t('role.admin');
    case 'member':
      return t('role.member');
    default:
      return role;
  }
}

/** statusLabel names a member's status in the UI language. */
export function statusLabel(t: TFunction, status: string): string {
  switch (status) {
    case 'active':
      return t('status.active');
    case 'deactivated':
      return t('status.deactivated');
    default:
      return status;
  }
}
