import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { applyLanguage, isLanguage } from '../i18n';
import { ApiError, api, unwrap, type Department, type Me } from './client';

/** Query keys, in one place so invalidations match the queries. */
export const keys = {
  me: ['me'] as const,
  org: (orgID: string) => ['org', orgID] as const,
  members: (orgID: string) => ['members', orgID] as const,
  invitations: (orgID: string) => ['invitations', orgID] as const,
  tokens: (orgID: string) => ['tokens', orgID] as const,
  invitation: (token: string) => ['invitation', token] as const,
  activation: (token: string) => ['activation', token] as const,
  /** Everything the directory shows: invalidated after any change to departments, groups or memberships. */
  directory: (orgID: string) => ['directory', orgID] as const,
  children: (orgID: string, parentID: string) => ['directory', orgID, 'children', parentID] as const,
  department: (orgID: string, id: string) => ['directory', orgID, 'department', id] as const,
  departmentMembers: (orgID: string, id: string) => ['directory', orgID, 'departmentMembers', id] as const,
  person: (orgID: string, userID: string) => ['directory', orgID, 'person', userID] as const,
  search: (orgID: string, q: string) => ['directory', orgID, 'search', q] as const,
  groups: (orgID: string) => ['directory', orgID, 'groups'] as const,
  group: (orgID: string, id: string) => ['directory', orgID, 'group', id] as const,
  groupMembers: (orgID: string, id: string) => ['directory', orgID, 'groupMembers', id] as const,
  member: (orgID: string, userID: string) => ['members', orgID, 'one', userID] as const,
  roles: (orgID: string) => ['roles', orgID] as const,
  assignments: (orgID: string) => ['assignments', orgID] as const,
  audit: (orgID: string) => ['audit', orgID] as const,
  imports: (orgID: string) => ['imports', orgID] as const,
  scimTokens: (orgID: string) => ['scimTokens', orgID] as const,
  /** The invitations waiting for the signed-in person's email. */
  myInvitations: ['myInvitations'] as const,
  installationOrgs: ['installation', 'orgs'] as const,
  installationAccounts: ['installation', 'accounts'] as const,
};

/**
 * fetchMe returns the caller, or null when nobody is signed in. It switches the UI to the
 * profile's language before it returns, so that pages which appear because the user is now known
 * render in that language from the start (a component mounting in the same commit as a language
 * change would miss the change).
 */
export async function fetchMe(): Promise<Me | null> {
  let me: Me;
  try {
    me = await unwrap(api.GET('/api/v1/me'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
  if (isLanguage(me.user.locale)) await applyLanguage(me.user.locale);
  return me;
}

/** useMe is the signed-in user with their organisations; data is null when signed out. */
export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: fetchMe, staleTime: 30_000 });
}

export function useOrg(orgID: string | undefined) {
  return useQuery({
    queryKey: keys.org(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
  });
}

export interface MemberFilter {
  q: string;
  status?: 'active' | 'deactivated';
  limit: number;
  offset: number;
}

export function useMembers(orgID: string | undefined, filter: MemberFilter) {
  return useQuery({
    queryKey: [...keys.members(orgID ?? ''), filter],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/members', {
          params: {
            path: { orgID: orgID! },
            query: { q: filter.q || undefined, status: filter.status, limit: filter.limit, offset: filter.offset },
          },
        }),
      ),
    enabled: !!orgID,
    placeholderData: (previous) => previous,
  });
}

export function useInvitations(orgID: string | undefined) {
  return useQuery({
    queryKey: keys.invitations(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/invitations', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
  });
}

export function useTokens(orgID: string | undefined) {
  return useQuery({
    queryKey: keys.tokens(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tokens', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
  });
}

export function useInvitationPreview(token: string) {
  return useQuery({
    queryKey: keys.invitation(token),
    queryFn: () => unwrap(api.GET('/api/v1/invitations/{token}', { params: { path: { token } } })),
    retry: false,
  });
}

/** useActivationPreview is whose account an activation link is for; not retried, as a bad link stays bad. */
export function useActivationPreview(token: string) {
  return useQuery({
    queryKey: keys.activation(token),
    queryFn: () => unwrap(api.GET('/api/v1/activation/{token}', { params: { path: { token } } })),
    retry: false,
  });
}

/**
 * useMyInvitations is the invitations made for the signed-in person's email (by an organisation
 * that provisioned them without managing their account). Only a session may ask, and not before
 * an initial password is changed.
 */
export function useMyInvitations(enabled: boolean) {
  return useQuery({
    queryKey: keys.myInvitations,
    queryFn: () => unwrap(api.GET('/api/v1/me/invitations')),
    enabled,
    staleTime: 60_000,
  });
}

/** useInstallationOrgs is every organisation of the installation with its email domains (installation admins). */
export function useInstallationOrgs() {
  return useQuery({
    queryKey: keys.installationOrgs,
    queryFn: () => unwrap(api.GET('/api/v1/installation/orgs')),
  });
}

/** useInstallationAccounts is a page of every account of the installation, searched by name or email (installation admins). */
export function useInstallationAccounts(filter: { q?: string; limit: number; offset: number }) {
  return useQuery({
    queryKey: [...keys.installationAccounts, filter],
    queryFn: () =>
      unwrap(api.GET('/api/v1/installation/users', { params: { query: { q: filter.q || undefined, limit: filter.limit, offset: filter.offset } } })),
    placeholderData: (previous) => previous,
  });
}

/** useSignOut ends the session and forgets everything cached for the user. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await unwrap(api.POST('/api/v1/auth/logout'));
      } catch (err) {
        // An already-ended session is what signing out wants anyway.
        if (!(err instanceof ApiError && err.status === 401)) throw err;
      }
    },
    onSuccess: () => {
      queryClient.clear();
      queryClient.setQueryData(keys.me, null);
    },
  });
}

// The directory ---------------------------------------------------------------------------------

/** ROOT is the key the tree uses for the organisation's root department before its id is known. */
export const ROOT = '';

export function fetchChildren(orgID: string, parentID: string) {
  return unwrap(
    api.GET('/api/v1/orgs/{orgID}/departments', {
      params: { path: { orgID }, query: { parent_id: parentID || undefined } },
    }),
  );
}

/** childrenQuery is a department (the root for ROOT) with its children, for the lazily loaded tree. */
export function childrenQuery(orgID: string, parentID: string) {
  return { queryKey: keys.children(orgID, parentID), queryFn: () => fetchChildren(orgID, parentID), staleTime: 10_000 };
}

export function useChildren(orgID: string | undefined, parentID: string = ROOT, enabled = true) {
  return useQuery({ ...childrenQuery(orgID ?? '', parentID), enabled: !!orgID && enabled });
}

/** loadChildren fetches (or reads from the cache) a department's children. */
export async function loadChildren(client: QueryClient, orgID: string, parentID: string): Promise<Department[]> {
  const page = await client.ensureQueryData(childrenQuery(orgID, parentID));
  return page.items;
}

export function useDepartment(orgID: string | undefined, id: string | undefined) {
  return useQuery({
    queryKey: keys.department(orgID ?? '', id ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/departments/{departmentID}', { params: { path: { orgID: orgID!, departmentID: id! } } })),
    enabled: !!orgID && !!id,
    staleTime: 10_000,
  });
}

export interface PageFilter {
  q?: string;
  limit: number;
  offset: number;
}

export function useDepartmentMembers(orgID: string | undefined, id: string | undefined, filter: PageFilter & { subtree: boolean }) {
  return useQuery({
    queryKey: [...keys.departmentMembers(orgID ?? '', id ?? ''), filter],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/departments/{departmentID}/members', {
          params: {
            path: { orgID: orgID!, departmentID: id! },
            query: { subtree: filter.subtree, q: filter.q || undefined, limit: filter.limit, offset: filter.offset },
          },
        }),
      ),
    enabled: !!orgID && !!id,
    placeholderData: keepPreviousData,
  });
}

export function usePerson(orgID: string | undefined, userID: string | undefined) {
  return useQuery({
    queryKey: keys.person(orgID ?? '', userID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/people/{userID}', { params: { path: { orgID: orgID!, userID: userID! } } })),
    enabled: !!orgID && !!userID,
    staleTime: 10_000,
  });
}

export function useDirectorySearch(orgID: string | undefined, q: string) {
  return useQuery({
    queryKey: keys.search(orgID ?? '', q),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/search', { params: { path: { orgID: orgID! }, query: { q, limit: 20 } } })),
    enabled: !!orgID && q.length > 0,
    placeholderData: keepPreviousData,
  });
}

export function useGroups(orgID: string | undefined, filter: PageFilter & { department_id?: string }) {
  return useQuery({
    queryKey: [...keys.groups(orgID ?? ''), filter],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/groups', {
          params: {
            path: { orgID: orgID! },
            query: { q: filter.q || undefined, department_id: filter.department_id, limit: filter.limit, offset: filter.offset },
          },
        }),
      ),
    enabled: !!orgID,
    placeholderData: keepPreviousData,
  });
}

export function useGroup(orgID: string | undefined, id: string | undefined) {
  return useQuery({
    queryKey: keys.group(orgID ?? '', id ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/groups/{groupID}', { params: { path: { orgID: orgID!, groupID: id! } } })),
    enabled: !!orgID && !!id,
  });
}

export function useGroupMembers(orgID: string | undefined, id: string | undefined, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...keys.groupMembers(orgID ?? '', id ?? ''), page],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/groups/{groupID}/members', {
          params: { path: { orgID: orgID!, groupID: id! }, query: page },
        }),
      ),
    enabled: !!orgID && !!id,
    placeholderData: keepPreviousData,
  });
}

export function useMember(orgID: string | undefined, userID: string | undefined) {
  return useQuery({
    queryKey: keys.member(orgID ?? '', userID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/members/{userID}', { params: { path: { orgID: orgID!, userID: userID! } } })),
    enabled: !!orgID && !!userID,
  });
}

// Access control --------------------------------------------------------------------------------

export function useRoles(orgID: string | undefined) {
  return useQuery({
    queryKey: keys.roles(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/roles', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
    staleTime: 30_000,
  });
}

export function useAssignments(orgID: string | undefined, filter: { user_id?: string; department_id?: string }, enabled = true) {
  return useQuery({
    queryKey: [...keys.assignments(orgID ?? ''), filter],
    queryFn: () => unwrap(api.GET('/api/v1/admin/orgs/{orgID}/assignments', { params: { path: { orgID: orgID! }, query: filter } })),
    enabled: !!orgID && enabled,
  });
}

export interface AuditFilter {
  actor_id?: string;
  action?: string;
  target_type?: string;
  from?: string;
  to?: string;
}

export const AUDIT_PAGE = 50;

export function useAudit(orgID: string | undefined, filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: [...keys.audit(orgID ?? ''), filter],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/admin/orgs/{orgID}/audit', {
          params: { path: { orgID: orgID! }, query: { ...filter, before_id: pageParam, limit: AUDIT_PAGE } },
        }),
      ),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before_id,
    enabled: !!orgID,
  });
}

export function useImports(orgID: string | undefined, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...keys.imports(orgID ?? ''), 'list', page],
    queryFn: () => unwrap(api.GET('/api/v1/admin/orgs/{orgID}/imports', { params: { path: { orgID: orgID! }, query: page } })),
    enabled: !!orgID,
    placeholderData: keepPreviousData,
  });
}

/** useImport follows one import, polling every second while it is queued or running. */
export function useImport(orgID: string | undefined, id: string | undefined, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...keys.imports(orgID ?? ''), 'one', id ?? '', page],
    queryFn: () =>
      unwrap(api.GET('/api/v1/admin/orgs/{orgID}/imports/{importID}', { params: { path: { orgID: orgID!, importID: id! }, query: page } })),
    enabled: !!orgID && !!id,
    placeholderData: keepPreviousData,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'queued' || status === 'running' ? 1000 : false;
    },
  });
}

export function useSCIMTokens(orgID: string | undefined) {
  return useQuery({
    queryKey: keys.scimTokens(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/admin/orgs/{orgID}/scim-tokens', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
  });
}
