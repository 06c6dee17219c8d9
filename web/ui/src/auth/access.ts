import { useQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap, type OrgMembership } from '../api/client';
import { keys, useMe } from '../api/queries';
import { call } from '../chat/http';
import { useCurrentOrg } from './OrgContext';

/** The console's pages. */
export type ConsolePage =
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

export const CONSOLE_PAGES: ConsolePage[] = ['members', 'departments', 'groups', 'roles', 'assignments', 'audit', 'import', 'scim', 'files', 'tasks', 'chats', 'announcements', 'content-rules', 'webhooks', 'settings'];

/** isAdmin reports whether the base role is owner or admin, which hold every permission of the console. */
export function isAdmin(org: OrgMembership | undefined): boolean {
  return org?.role === 'owner' || org?.role === 'admin';
}

/**
 * mayOpenConsole reports whether the console is worth showing: owners and admins use all of it;
 * members may hold a custom role or be a department admin for part of the tree, which the API
 * does not tell them (see useConsoleAccess), so they get the pages where such grants apply.
 * Guests cannot read the directory, so the console has nothing for them.
 */
export function mayOpenConsole(org: OrgMembership | undefined): boolean {
  return !!org && org.role !== 'guest';
}

type Probe = 'members.manage' | 'roles.manage' | 'audit.read' | 'tokens.manage' | 'files.policy' | 'files.manage' | 'webhooks.manage' | 'chats.manage' | 'announcements.publish' | 'content_rules.manage';

/**
 * probe asks a read route that needs the permission anywhere in the organisation, and reports
 * whether it answered (true) or refused with 403 (false). It writes nothing.
 */
async function probe(orgID: string, userID: string, what: Probe): Promise<boolean> {
  const path = { orgID };
  try {
    switch (what) {
      case 'members.manage':
        await unwrap(api.GET('/api/v1/admin/orgs/{orgID}/users', { params: { path, query: { limit: 1 } } }));
        break;
      case 'roles.manage':
        await unwrap(api.GET('/api/v1/admin/orgs/{orgID}/assignments', { params: { path, query: { user_id: userID } } }));
        break;
      case 'audit.read':
        await unwrap(api.GET('/api/v1/admin/orgs/{orgID}/audit', { params: { path, query: { limit: 1 } } }));
        break;
      case 'tokens.manage':
        await unwrap(api.GET('/api/v1/admin/orgs/{orgID}/scim-tokens', { params: { path } }));
        break;
      case 'files.policy':
        await unwrap(api.GET('/api/v1/admin/orgs/{orgID}/files/policy', { params: { path } }));
        break;
      case 'files.manage':
        await unwrap(api.GET('/api/v1/admin/orgs/{orgID}/spaces', { params: { path, query: { limit: 1 } } }));
        break;
      case 'webhooks.manage':
        await unwrap(api.GET('/api/v1/admin/orgs/{orgID}/webhooks', { params: { path } }));
        break;
      // Department-scoped grants answer these too: a department admin manages their subtree's chats.
      case 'chats.manage':
        await call('GET', `/api/v1/orgs/${encodeURIComponent(orgID)}/admin/chats`, { query: { limit: 1 } });
        break;
      case 'announcements.publish':
        await call('GET', `/api/v1/orgs/${encodeURIComponent(orgID)}/admin/announcements`, { query: { limit: 1 } });
        break;
      case 'content_rules.manage':
        await call('GET', `/api/v1/orgs/${encodeURIComponent(orgID)}/content-rules`, { query: { limit: 1 } });
        break;
    }
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return false;
    throw err;
  }
}

function useProbe(orgID: string | undefined, userID: string | undefined, what: Probe, enabled: boolean) {
  return useQuery({
    queryKey: keys.probe(orgID ?? '', what),
    queryFn: () => probe(orgID!, userID!, what),
    enabled: enabled && !!orgID && !!userID,
    staleTime: 60_000,
    retry: false,
  });
}

export interface ConsoleAccess {
  /** False while the console is still finding out what the user may do. */
  ready: boolean;
  pages: Set<ConsolePage>;
  /** True for owners and admins; the others see only what their grants may cover. */
  admin: boolean;
}

/**
 * useConsoleAccess decides which console pages the user sees. Owners and admins see them all.
 * For anyone else the API has no "my permissions" answer, so the console asks the read routes
 * of the organisation-wide permissions (a 403 means no) and always offers the departments and
 * groups, where a department-scoped grant may let them change part of the tree; the service
 * refuses the rest, and the pages say so.
 */
export function useConsoleAccess(): ConsoleAccess {
  const { org } = useCurrentOrg();
  const me = useMe();
  const admin = isAdmin(org);
  const limited = !admin && mayOpenConsole(org);
  const userID = me.data?.user.id;
  const members = useProbe(org?.id, userID, 'members.manage', limited);
  const roles = useProbe(org?.id, userID, 'roles.manage', limited);
  const audit = useProbe(org?.id, userID, 'audit.read', limited);
  const tokens = useProbe(org?.id, userID, 'tokens.manage', limited);
  const filesPolicy = useProbe(org?.id, userID, 'files.policy', limited);
  const filesManage = useProbe(org?.id, userID, 'files.manage', limited);
  const webhooks = useProbe(org?.id, userID, 'webhooks.manage', limited);
  const chats = useProbe(org?.id, userID, 'chats.manage', limited);
  const publish = useProbe(org?.id, userID, 'announcements.publish', limited);
  const contentRules = useProbe(org?.id, userID, 'content_rules.manage', limited);
  if (!org) return { ready: true, pages: new Set(), admin: false };
  if (admin) return { ready: true, pages: new Set(CONSOLE_PAGES), admin: true };
  if (!limited) return { ready: true, pages: new Set(), admin: false };
  const probes = [members, roles, audit, tokens, filesPolicy, filesManage, webhooks, chats, publish, contentRules];
  // Task lists too: a department admin manages their subtree's lists, and the listing shows
  // each person only the lists they may see.
  const pages = new Set<ConsolePage>(['departments', 'groups', 'tasks']);
  if (members.data) pages.add('members').add('import');
  if (roles.data) pages.add('roles').add('assignments');
  if (audit.data) pages.add('audit');
  if (tokens.data && members.data) pages.add('scim');
  if (filesPolicy.data || filesManage.data) pages.add('files');
  if (webhooks.data) pages.add('webhooks');
  if (chats.data) pages.add('chats');
  if (publish.data) pages.add('announcements');
  if (contentRules.data) pages.add('content-rules');
  return { ready: probes.every((p) => !p.isPending || p.fetchStatus === 'idle'), pages, admin: false };
}
