import type { TFunction } from 'i18next';
import type { Permission } from '../api/client';

/** roleLabel names a role (a base role or a built-in one) in the UI language. */
export function roleLabel(t: TFunction, role: string): string {
  switch (role) {
    case 'owner':
      return t('role.owner');
    case 'admin':
      return t('role.admin');
    case 'member':
      return t('role.member');
    case 'guest':
      return t('role.guest');
    case 'department_admin':
      return t('role.department_admin');
    default:
      return role;
  }
}

/** builtinRoleDescription says what a built-in role is for. */
export function builtinRoleDescription(t: TFunction, role: string): string {
  switch (role) {
    case 'owner':
      return t('roles.builtinOwner');
    case 'admin':
      return t('roles.builtinAdmin');
    case 'department_admin':
      return t('roles.builtinDepartmentAdmin');
    case 'member':
      return t('roles.builtinMember');
    case 'guest':
      return t('roles.builtinGuest');
    default:
      return '';
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

/** The permission catalogue in the order the server lists it, for places that need it before it loads. */
export const PERMISSIONS: Permission[] = [
  'org.read',
  'directory.read',
  'directory.manage',
  'groups.manage',
  'members.manage',
  'roles.manage',
  'audit.read',
  'tokens.manage',
  'settings.manage',
  'ownership.transfer',
  'files.read',
  'files.write',
  'files.share',
  'files.manage',
  'files.legal_hold',
  'files.policy',
  'tasks.read',
  'tasks.write',
  'tasks.manage',
  'webhooks.manage',
  'messages.read',
  'messages.write',
  'chats.manage',
  'announcements.publish',
  'messages.export',
  'content_rules.manage',
];

/** permissionLabel names a permission of the catalogue. */
export function permissionLabel(t: TFunction, p: string): string {
  switch (p) {
    case 'org.read':
      return t('permissions.orgRead');
    case 'directory.read':
      return t('permissions.directoryRead');
    case 'directory.manage':
      return t('permissions.directoryManage');
    case 'groups.manage':
      return t('permissions.groupsManage');
    case 'members.manage':
      return t('permissions.membersManage');
    case 'roles.manage':
      return t('permissions.rolesManage');
    case 'audit.read':
      return t('permissions.auditRead');
    case 'tokens.manage':
      return t('permissions.tokensManage');
    case 'settings.manage':
      return t('permissions.settingsManage');
    case 'ownership.transfer':
      return t('permissions.ownershipTransfer');
    case 'files.read':
      return t('files.perm.read');
    case 'files.write':
      return t('files.perm.write');
    case 'files.share':
      return t('files.perm.share');
    case 'files.manage':
      return t('files.perm.manage');
    case 'files.legal_hold':
      return t('files.perm.legalHold');
    case 'files.policy':
      return t('files.perm.policy');
    case 'tasks.read':
      return t('tasks.perm.read');
    case 'tasks.write':
      return t('tasks.perm.write');
    case 'tasks.manage':
      return t('tasks.perm.manage');
    case 'webhooks.manage':
      return t('webhooks.perm');
    case 'messages.read':
      return t('permissions.messagesRead');
    case 'messages.write':
      return t('permissions.messagesWrite');
    case 'chats.manage':
      return t('permissions.chatsManage');
    case 'announcements.publish':
      return t('permissions.announcementsPublish');
    case 'messages.export':
      return t('permissions.messagesExport');
    case 'content_rules.manage':
      return t('permissions.contentRulesManage');
    default:
      return p;
  }
}

/** permissionDescription says what a permission allows. */
export function permissionDescription(t: TFunction, p: string): string {
  switch (p) {
    case 'org.read':
      return t('permissions.orgReadText');
    case 'directory.read':
      return t('permissions.directoryReadText');
    case 'directory.manage':
      return t('permissions.directoryManageText');
    case 'groups.manage':
      return t('permissions.groupsManageText');
    case 'members.manage':
      return t('permissions.membersManageText');
    case 'roles.manage':
      return t('permissions.rolesManageText');
    case 'audit.read':
      return t('permissions.auditReadText');
    case 'tokens.manage':
      return t('permissions.tokensManageText');
    case 'settings.manage':
      return t('permissions.settingsManageText');
    case 'ownership.transfer':
      return t('permissions.ownershipTransferText');
    case 'files.read':
      return t('files.perm.readText');
    case 'files.write':
      return t('files.perm.writeText');
    case 'files.share':
      return t('files.perm.shareText');
    case 'files.manage':
      return t('files.perm.manageText');
    case 'files.legal_hold':
      return t('files.perm.legalHoldText');
    case 'files.policy':
      return t('files.perm.policyText');
    case 'tasks.read':
      return t('tasks.perm.readText');
    case 'tasks.write':
      return t('tasks.perm.writeText');
    case 'tasks.manage':
      return t('tasks.perm.manageText');
    case 'webhooks.manage':
      return t('webhooks.permText');
    case 'messages.read':
      return t('permissions.messagesReadText');
    case 'messages.write':
      return t('permissions.messagesWriteText');
    case 'chats.manage':
      return t('permissions.chatsManageText');
    case 'announcements.publish':
      return t('permissions.announcementsPublishText');
    case 'messages.export':
      return t('permissions.messagesExportText');
    case 'content_rules.manage':
      return t('permissions.contentRulesManageText');
    default:
      return '';
  }
}

/** The audit log's actions, for the action filter. */
export const AUDIT_ACTIONS = [
  'department.create',
  'department.update',
  'department.delete',
  'group.create',
  'group.update',
  'group.delete',
  'group.member.add',
  'group.member.remove',
  'group.member.role',
  'member.create',
  'member.update',
  'member.deactivate',
  'member.reactivate',
  'member.role.change',
  'member.departments.set',
  'invitation.create',
  'invitation.revoke',
  'role.create',
  'role.update',
  'role.delete',
  'role.assign',
  'role.unassign',
  'org.settings.update',
  'org.ownership.transfer',
  'import.create',
  'import.finish',
  'invitation.accept',
  'token.create',
  'token.revoke',
  'account.activation_link',
  'account.activate',
  'account.disable',
  'account.enable',
  'account.reset_credentials',
  'org.domain.assign',
  'org.domain.unassign',
] as const;

/** auditActionLabel describes an audit log action; an unknown one shows as it is. */
export function auditActionLabel(t: TFunction, action: string): string {
  switch (action) {
    case 'department.create':
      return t('auditActions.departmentCreate');
    case 'department.update':
      return t('auditActions.departmentUpdate');
    case 'department.delete':
      return t('auditActions.departmentDelete');
    case 'group.create':
      return t('auditActions.groupCreate');
    case 'group.update':
      return t('auditActions.groupUpdate');
    case 'group.delete':
      return t('auditActions.groupDelete');
    case 'group.member.add':
      return t('auditActions.groupMemberAdd');
    case 'group.member.remove':
      return t('auditActions.groupMemberRemove');
    case 'group.member.role':
      return t('auditActions.groupMemberRole');
    case 'member.create':
      return t('auditActions.memberCreate');
    case 'member.update':
      return t('auditActions.memberUpdate');
    case 'member.deactivate':
      return t('auditActions.memberDeactivate');
    case 'member.reactivate':
      return t('auditActions.memberReactivate');
    case 'member.role.change':
      return t('auditActions.memberRoleChange');
    case 'member.departments.set':
      return t('auditActions.memberDepartmentsSet');
    case 'invitation.create':
      return t('auditActions.invitationCreate');
    case 'invitation.revoke':
      return t('auditActions.invitationRevoke');
    case 'role.create':
      return t('auditActions.roleCreate');
    case 'role.update':
      return t('auditActions.roleUpdate');
    case 'role.delete':
      return t('auditActions.roleDelete');
    case 'role.assign':
      return t('auditActions.roleAssign');
    case 'role.unassign':
      return t('auditActions.roleUnassign');
    case 'org.settings.update':
      return t('auditActions.orgSettingsUpdate');
    case 'org.ownership.transfer':
      return t('auditActions.orgOwnershipTransfer');
    case 'import.create':
      return t('auditActions.importCreate');
    case 'import.finish':
      return t('auditActions.importFinish');
    case 'invitation.accept':
      return t('auditActions.invitationAccept');
    case 'token.create':
      return t('auditActions.tokenCreate');
    case 'token.revoke':
      return t('auditActions.tokenRevoke');
    case 'account.activation_link':
      return t('auditActions.accountActivationLink');
    case 'account.activate':
      return t('auditActions.accountActivate');
    case 'account.disable':
      return t('auditActions.accountDisable');
    case 'account.enable':
      return t('auditActions.accountEnable');
    case 'account.reset_credentials':
      return t('auditActions.accountResetCredentials');
    case 'org.domain.assign':
      return t('auditActions.orgDomainAssign');
    case 'org.domain.unassign':
      return t('auditActions.orgDomainUnassign');
    default:
      return action;
  }
}

export const AUDIT_TARGET_TYPES = ['department', 'group', 'member', 'role', 'invitation', 'organisation', 'import', 'token', 'account', 'domain'] as const;

/** targetTypeLabel names the kind of thing an audit entry changed. */
export function targetTypeLabel(t: TFunction, type: string): string {
  switch (type) {
    case 'department':
      return t('audit.targetDepartment');
    case 'group':
      return t('audit.targetGroup');
    case 'member':
      return t('audit.targetMember');
    case 'role':
      return t('audit.targetRole');
    case 'invitation':
      return t('audit.targetInvitation');
    case 'organisation':
      return t('audit.targetOrganisation');
    case 'import':
      return t('audit.targetImport');
    case 'token':
      return t('audit.targetToken');
    case 'account':
      return t('audit.targetAccount');
    case 'domain':
      return t('audit.targetDomain');
    default:
      return type;
  }
}
