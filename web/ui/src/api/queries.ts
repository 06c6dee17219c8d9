import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { applyLanguage, isLanguage } from '../i18n';
import { ApiError, api, unwrap, type Me } from './client';

/** Query keys, in one place so invalidations match the queries. */
export const keys = {
  me: ['me'] as const,
  org: (orgID: string) => ['org', orgID] as const,
  members: (orgID: string) => ['members', orgID] as const,
  invitations: (orgID: string) => ['invitations', orgID] as const,
  tokens: (orgID: string) => ['tokens', orgID] as const,
  invitation: (token: string) => ['invitation', token] as const,
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
