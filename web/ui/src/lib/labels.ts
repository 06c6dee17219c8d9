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

/** The audit log's actions, in the order the filter lists them, each with its description. */
const AUDIT_ACTION_LABELS = {
  'department.create': (t: TFunction) => t('auditActions.departmentCreate'),
  'department.update': (t: TFunction) => t('auditActions.departmentUpdate'),
  'department.delete': (t: TFunction) => t('auditActions.departmentDelete'),
  'group.create': (t: TFunction) => t('auditActions.groupCreate'),
  'group.update': (t: TFunction) => t('auditActions.groupUpdate'),
  'group.delete': (t: TFunction) => t('auditActions.groupDelete'),
  'group.member.add': (t: TFunction) => t('auditActions.groupMemberAdd'),
  'group.member.remove': (t: TFunction) => t('auditActions.groupMemberRemove'),
  'group.member.role': (t: TFunction) => t('auditActions.groupMemberRole'),
  'member.create': (t: TFunction) => t('auditActions.memberCreate'),
  'member.update': (t: TFunction) => t('auditActions.memberUpdate'),
  'member.deactivate': (t: TFunction) => t('auditActions.memberDeactivate'),
  'member.reactivate': (t: TFunction) => t('auditActions.memberReactivate'),
  'member.role.change': (t: TFunction) => t('auditActions.memberRoleChange'),
  'member.departments.set': (t: TFunction) => t('auditActions.memberDepartmentsSet'),
  'member.bulk_move': (t: TFunction) => t('auditActions.memberBulkMove'),
  'member.bulk_change_role': (t: TFunction) => t('auditActions.memberBulkChangeRole'),
  'member.bulk_deactivate': (t: TFunction) => t('auditActions.memberBulkDeactivate'),
  'member.bulk_resend_activation': (t: TFunction) => t('auditActions.memberBulkResendActivation'),
  'member.export': (t: TFunction) => t('auditActions.memberExport'),
  'invitation.create': (t: TFunction) => t('auditActions.invitationCreate'),
  'invitation.revoke': (t: TFunction) => t('auditActions.invitationRevoke'),
  'role.create': (t: TFunction) => t('auditActions.roleCreate'),
  'role.update': (t: TFunction) => t('auditActions.roleUpdate'),
  'role.delete': (t: TFunction) => t('auditActions.roleDelete'),
  'role.assign': (t: TFunction) => t('auditActions.roleAssign'),
  'role.unassign': (t: TFunction) => t('auditActions.roleUnassign'),
  'org.settings.update': (t: TFunction) => t('auditActions.orgSettingsUpdate'),
  'org.ownership.transfer': (t: TFunction) => t('auditActions.orgOwnershipTransfer'),
  'import.create': (t: TFunction) => t('auditActions.importCreate'),
  'import.finish': (t: TFunction) => t('auditActions.importFinish'),
  'invitation.accept': (t: TFunction) => t('auditActions.invitationAccept'),
  'token.create': (t: TFunction) => t('auditActions.tokenCreate'),
  'token.revoke': (t: TFunction) => t('auditActions.tokenRevoke'),
  'account.activation_link': (t: TFunction) => t('auditActions.accountActivationLink'),
  'account.activate': (t: TFunction) => t('auditActions.accountActivate'),
  'account.disable': (t: TFunction) => t('auditActions.accountDisable'),
  'account.enable': (t: TFunction) => t('auditActions.accountEnable'),
  'account.reset_credentials': (t: TFunction) => t('auditActions.accountResetCredentials'),
  'org.domain.assign': (t: TFunction) => t('auditActions.orgDomainAssign'),
  'org.domain.unassign': (t: TFunction) => t('auditActions.orgDomainUnassign'),
  'files.upload': (t: TFunction) => t('auditActions.filesUpload'),
  'files.file_update': (t: TFunction) => t('auditActions.filesFileUpdate'),
  'files.delete': (t: TFunction) => t('auditActions.filesDelete'),
  'files.restore': (t: TFunction) => t('auditActions.filesRestore'),
  'files.folder_create': (t: TFunction) => t('auditActions.filesFolderCreate'),
  'files.folder_update': (t: TFunction) => t('auditActions.filesFolderUpdate'),
  'files.folder_delete': (t: TFunction) => t('auditActions.filesFolderDelete'),
  'files.share': (t: TFunction) => t('auditActions.filesShare'),
  'files.unshare': (t: TFunction) => t('auditActions.filesUnshare'),
  'files.link_create': (t: TFunction) => t('auditActions.filesLinkCreate'),
  'files.link_revoke': (t: TFunction) => t('auditActions.filesLinkRevoke'),
  'files.hold': (t: TFunction) => t('auditActions.filesHold'),
  'files.hold_release': (t: TFunction) => t('auditActions.filesHoldRelease'),
  'files.policy': (t: TFunction) => t('auditActions.filesPolicy'),
  'files.space_policy': (t: TFunction) => t('auditActions.filesSpacePolicy'),
  'tasks.list_create': (t: TFunction) => t('auditActions.tasksListCreate'),
  'tasks.list_update': (t: TFunction) => t('auditActions.tasksListUpdate'),
  'tasks.list_delete': (t: TFunction) => t('auditActions.tasksListDelete'),
  'tasks.list_restore': (t: TFunction) => t('auditActions.tasksListRestore'),
  'tasks.list_share': (t: TFunction) => t('auditActions.tasksListShare'),
  'tasks.list_unshare': (t: TFunction) => t('auditActions.tasksListUnshare'),
  'tasks.task_create': (t: TFunction) => t('auditActions.tasksTaskCreate'),
  'tasks.task_delete': (t: TFunction) => t('auditActions.tasksTaskDelete'),
  'tasks.task_restore': (t: TFunction) => t('auditActions.tasksTaskRestore'),
  'tasks.task_share': (t: TFunction) => t('auditActions.tasksTaskShare'),
  'tasks.task_unshare': (t: TFunction) => t('auditActions.tasksTaskUnshare'),
  'messages.message_deleted': (t: TFunction) => t('auditActions.messagesMessageDeleted'),
  'messages.chat_exported': (t: TFunction) => t('auditActions.messagesChatExported'),
  'messages.settings_changed': (t: TFunction) => t('auditActions.messagesSettingsChanged'),
  'announcements.publish': (t: TFunction) => t('auditActions.announcementsPublish'),
  'announcements.delete': (t: TFunction) => t('auditActions.announcementsDelete'),
  'announcements.acks_export': (t: TFunction) => t('auditActions.announcementsAcksExport'),
  'content_rule.create': (t: TFunction) => t('auditActions.contentRuleCreate'),
  'content_rule.update': (t: TFunction) => t('auditActions.contentRuleUpdate'),
  'content_rule.delete': (t: TFunction) => t('auditActions.contentRuleDelete'),
  'content_flag.review': (t: TFunction) => t('auditActions.contentFlagReview'),
  'webhook.create': (t: TFunction) => t('auditActions.webhookCreate'),
  'webhook.update': (t: TFunction) => t('auditActions.webhookUpdate'),
  'webhook.delete': (t: TFunction) => t('auditActions.webhookDelete'),
  'webhook.redeliver': (t: TFunction) => t('auditActions.webhookRedeliver'),
  'group.member.bulk_add': (t: TFunction) => t('auditActions.groupMemberBulkAdd'),
} as const;

export type AuditAction = keyof typeof AUDIT_ACTION_LABELS;

/** AUDIT_ACTIONS lists every action the audit log records. */
export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

/** auditActionLabel describes an audit log action in words; an unknown one shows as it is. */
export function auditActionLabel(t: TFunction, action: string): string {
  const label = (AUDIT_ACTION_LABELS as Record<string, (t: TFunction) => string>)[action];
  return label ? label(t) : action;
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
