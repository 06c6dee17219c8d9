import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type OrgMembership, type Permission } from '../api/client';
import { useCurrentOrg } from './OrgContext';

/** The console's pages. */
export type ConsolePage =
  | 'setup'
  | 'members'
  | 'departments'
  | 'groups'
  | 'roles'
  | 'assignments'
  | 'audit'
  | 'import'
  | 'scim'
  | 'settings'
  | 'files'
  | 'tasks'
  | 'chats'
  | 'announcements'
  | 'content-rules'
  | 'webhooks';

export const CONSOLE_PAGES: ConsolePage[] = ['setup', 'members', 'departments', 'groups', 'roles', 'assignments', 'audit', 'import', 'scim', 'files', 'tasks', 'chats', 'announcements', 'content-rules', 'webhooks', 'settings'];

/**
 * CONSOLE_PERMISSIONS are the permissions that make the console worth offering: everything
 * beyond what a plain member holds (reading the directory, working with their own files, tasks
 * and messages), which are used in the app. Whoever holds one of them anywhere, at the
 * organisation or over a department's subtree, gets the console's link.
 */
export const CONSOLE_PERMISSIONS: Permission[] = [
  'directory.manage',
  'groups.manage',
  'members.manage',
  'roles.manage',
  'audit.read',
  'tokens.manage',
  'settings.manage',
  'files.manage',
  'files.policy',
  'files.legal_hold',
  'tasks.manage',
  'webhooks.manage',
  'chats.manage',
  'announcements.publish',
  'content_rules.manage',
];

/** isAdmin reports whether the base role is owner or admin, which hold every permission of the console. */
export function isAdmin(org: OrgMembership | undefined): boolean {
  return org?.role === 'owner' || org?.role === 'admin';
}

/** Where the caller holds a permission: the whole organisation, or the subtrees of these departments. */
interface Reach {
  org: boolean;
  /** The held departments' ids. */
  departments: string[];
}

/**
 * A department scope for can(): its path of ids ("/root/…/dept/"), or the ids from the root down
 * to it (a DepartmentView's ancestors and its own id). A grant on any of them covers it.
 */
export type DepartmentScope = string | readonly string[];

function scopeIDs(scope: DepartmentScope): string[] {
  return typeof scope === 'string' ? scope.split('/').filter(Boolean) : [...scope];
}

export interface Permissions {
  /** False while it is still being asked. */
  ready: boolean;
  /**
   * can reports whether the caller holds perm organisation-wide, or, given a department, over
   * that department (a grant on it or on one of its ancestors).
   */
  can: (perm: Permission, department?: DepartmentScope) => boolean;
  /** canAnywhere reports whether the caller holds perm at the organisation or at any department. */
  canAnywhere: (perm: Permission) => boolean;
  /** orgWide reports whether perm is held organisation-wide, not only over some departments. */
  orgWide: (perm: Permission) => boolean;
}

export const myPermissionsKey = (orgID: string) => ['myPermissions', orgID] as const;

async function fetchMyPermissions(orgID: string): Promise<Map<Permission, Reach>> {
  const body = await unwrap(api.GET('/api/v1/orgs/{orgID}/me/permissions', { params: { path: { orgID } } }));
  return new Map(body.permissions.map((p) => [p.permission, { org: p.org, departments: p.departments.map((d) => d.id) }]));
}

function permissionsOf(held: Map<Permission, Reach> | undefined, ready: boolean): Permissions {
  const reach = (p: Permission) => held?.get(p);
  return {
    ready,
    can: (perm, department) => {
      const r = reach(perm);
      if (!r) return false;
      if (r.org) return true;
      if (department === undefined) return false;
      const ids = scopeIDs(department);
      return r.departments.some((d) => ids.includes(d));
    },
    canAnywhere: (perm) => !!reach(perm),
    orgWide: (perm) => !!reach(perm)?.org,
  };
}

function everything(owner: boolean): Permissions {
  const held = (perm: Permission) => owner || perm !== 'ownership.transfer';
  return { ready: true, can: held, canAnywhere: held, orgWide: held };
}

/**
 * usePermissions says what the signed-in person may do in the current organisation, from
 * GET /orgs/{orgID}/me/permissions. Owners and admins hold every permission organisation-wide by
 * their base role (all but ownership.transfer for admins), so it does not ask for them. It only
 * decides what the UI offers: every route still checks for itself.
 */
export function usePermissions(): Permissions {
  const { org } = useCurrentOrg();
  const admin = isAdmin(org);
  const q = useQuery({
    queryKey: myPermissionsKey(org?.id ?? ''),
    queryFn: () => fetchMyPermissions(org!.id),
    enabled: !!org && !admin,
    staleTime: 60_000,
  });
  if (!org) return permissionsOf(undefined, true);
  if (admin) return everything(org.role === 'owner');
  // A failed answer offers nothing rather than leaving the page waiting.
  return permissionsOf(q.data, !q.isPending || q.isError);
}

/** The permissions each console page needs somewhere: any one of them opens it. */
const PAGE_NEEDS: Record<ConsolePage, Permission[]> = {
  // The setup guide walks those who run the organisation's settings through the first steps.
  setup: ['settings.manage'],
  // Reading the directory shows the people and the tree; the pages offer changes by permission.
  members: ['members.manage', 'directory.read'],
  departments: ['directory.manage', 'directory.read'],
  groups: ['groups.manage', 'directory.read'],
  roles: ['roles.manage'],
  assignments: ['roles.manage'],
  audit: ['audit.read'],
  import: ['members.manage'],
  scim: ['tokens.manage'],
  settings: ['settings.manage'],
  files: ['files.policy', 'files.manage', 'files.legal_hold'],
  tasks: ['tasks.manage'],
  // The chats' list is the chats one manages; exporting one is offered there.
  chats: ['chats.manage'],
  announcements: ['announcements.publish'],
  'content-rules': ['content_rules.manage'],
  webhooks: ['webhooks.manage'],
};

/** pageAllowed reports whether the console page is worth showing to someone with these permissions. */
export function pageAllowed(p: Permissions, page: ConsolePage): boolean {
  if (page === 'scim') return p.orgWide('tokens.manage') && p.orgWide('members.manage');
  return PAGE_NEEDS[page].some((perm) => p.canAnywhere(perm));
}

export interface ConsoleAccess {
  /** False while the console is still finding out what the user may do. */
  ready: boolean;
  /** The pages the user may open. */
  pages: Set<ConsolePage>;
  /** Whether the console is offered at all: the user holds a console permission somewhere. */
  offered: boolean;
  /** True for owners and admins; the others see only what their grants may cover. */
  admin: boolean;
}

/**
 * useConsoleAccess decides whether the console is offered (its link in the header and the menu)
 * and which of its pages the user sees. The link goes to those who hold a console permission
 * (CONSOLE_PERMISSIONS) anywhere. Opened directly, the console still shows a directory reader
 * the members, departments and groups they may read, with nothing to change.
 */
export function useConsoleAccess(): ConsoleAccess {
  const { org } = useCurrentOrg();
  const p = usePermissions();
  const pages = new Set(CONSOLE_PAGES.filter((page) => pageAllowed(p, page)));
  return { ready: p.ready, pages, offered: CONSOLE_PERMISSIONS.some((perm) => p.canAnywhere(perm)), admin: isAdmin(org) };
}
