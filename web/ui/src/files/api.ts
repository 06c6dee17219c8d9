import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../api/client';
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type Space = Schemas['Space'];
export type SpaceKind = Schemas['SpaceKind'];
export type Folder = Schemas['Folder'];
/** FileItem is a stored file (named so as not to hide the DOM's File). */
export type FileItem = Schemas['File'];
export type FileVersion = Schemas['FileVersion'];
export type FileDetail = Schemas['FileDetail'];
export type Entry = Schemas['Entry'];
export type EntryPage = Schemas['EntryPage'];
export type Crumb = Schemas['Breadcrumb'][number];
export type Share = Schemas['Share'];
export type ShareRequest = Schemas['ShareRequest'];
export type Link = Schemas['Link'];
export type CreatedLink = Schemas['CreatedLink'];
export type LinkRequest = Schemas['LinkRequest'];
export type LinkPreview = Schemas['LinkPreview'];
export type LinkEntry = Schemas['LinkEntry'];
export type Hold = Schemas['Hold'];
export type FilesPolicy = Schemas['FilesPolicy'];
export type FilesPolicyRequest = Schemas['FilesPolicyRequest'];
export type SpacePolicy = Schemas['SpacePolicy'];
export type TargetType = Schemas['ShareTargetType'];
export type HoldTargetType = Hold['target_type'];
export type SortField = 'name' | 'updated_at' | 'size';
export type SortOrder = 'asc' | 'desc';

/** Target is a file or folder that is shared, linked or held. */
export interface Target {
  type: TargetType;
  id: string;
  name: string;
}

/** targetOf names an entry of a listing as something to share, link or hold. */
export function targetOf(entry: Entry): Target | undefined {
  if (entry.type === 'folder' && entry.folder) return { type: 'folder', id: entry.folder.id, name: entry.folder.name };
  if (entry.type === 'file' && entry.file) return { type: 'file', id: entry.file.id, name: entry.file.name };
  return undefined;
}

/** Every files query starts with ['files', orgID], so one invalidation refreshes them all. */
export const fileKeys = {
  all: (orgID: string) => ['files', orgID] as const,
  spaces: (orgID: string) => ['files', orgID, 'spaces'] as const,
  space: (orgID: string, spaceID: string) => ['files', orgID, 'space', spaceID] as const,
  entries: (orgID: string, spaceID: string) => ['files', orgID, 'entries', spaceID] as const,
  file: (orgID: string, fileID: string) => ['files', orgID, 'file', fileID] as const,
  trash: (orgID: string) => ['files', orgID, 'trash'] as const,
  shared: (orgID: string) => ['files', orgID, 'shared'] as const,
  shares: (orgID: string, target: string) => ['files', orgID, 'shares', target] as const,
  links: (orgID: string, target: string) => ['files', orgID, 'links', target] as const,
  holds: (orgID: string) => ['files', orgID, 'holds'] as const,
  policy: (orgID: string) => ['files', orgID, 'policy'] as const,
  spacePolicy: (orgID: string, spaceID: string) => ['files', orgID, 'spacePolicy', spaceID] as const,
};

const base = (orgID: string) => `/api/v1/orgs/${encodeURIComponent(orgID)}`;

/** contentUrl is where a file's bytes are: inline (for the viewers) or as a download. */
export function contentUrl(orgID: string, fileID: string, opts: { version?: number; download?: boolean } = {}): string {
  const q = new URLSearchParams();
  if (opts.version) q.set('version', String(opts.version));
  if (opts.download) q.set('download', '1');
  const qs = q.toString();
  return `${base(orgID)}/files/${encodeURIComponent(fileID)}/content${qs ? `?${qs}` : ''}`;
}

/** thumbnailUrl is a file's small JPEG, when it has one. */
export function thumbnailUrl(orgID: string, fileID: string): string {
  return `${base(orgID)}/files/${encodeURIComponent(fileID)}/thumbnail`;
}

/** uploadEndpoint is the tus endpoint of the organisation (with its trailing slash). */
export function uploadEndpoint(orgID: string): string {
  return `${base(orgID)}/uploads/`;
}

/** linkContentUrl is a share link's file, or a file of its folder, for anyone with the link. */
export function linkContentUrl(token: string, opts: { fileID?: string; download?: boolean } = {}): string {
  const q = new URLSearchParams();
  if (opts.fileID) q.set('file_id', opts.fileID);
  if (opts.download) q.set('download', '1');
  const qs = q.toString();
  return `/api/v1/links/${encodeURIComponent(token)}/content${qs ? `?${qs}` : ''}`;
}

/** absoluteUrl turns a path the server gives (/s/<token>) into a link to hand over. */
export function absoluteUrl(url: string, origin: string = globalThis.location?.origin ?? ''): string {
  return /^https?:\/\//.test(url) ? url : `${origin}${url.startsWith('/') ? '' : '/'}${url}`;
}

export function useSpaces(orgID: string | undefined) {
  return useQuery({
    queryKey: fileKeys.spaces(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/spaces', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
    staleTime: 30_000,
  });
}

/** useAdminSpaces is a page of the spaces the user administers (files.manage), for the console. */
export function useAdminSpaces(orgID: string | undefined, filter: { kind?: SpaceKind; limit: number; offset: number }) {
  return useQuery({
    queryKey: [...fileKeys.all(orgID ?? ''), 'adminSpaces', filter],
    queryFn: () =>
      unwrap(api.GET('/api/v1/admin/orgs/{orgID}/spaces', { params: { path: { orgID: orgID! }, query: { kind: filter.kind, limit: filter.limit, offset: filter.offset } } })),
    enabled: !!orgID,
    placeholderData: keepPreviousData,
  });
}

export function useSpace(orgID: string | undefined, spaceID: string | undefined) {
  return useQuery({
    queryKey: fileKeys.space(orgID ?? '', spaceID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/spaces/{spaceID}', { params: { path: { orgID: orgID!, spaceID: spaceID! } } })),
    enabled: !!orgID && !!spaceID,
    retry: false,
  });
}

export interface EntryFilter {
  folderID?: string;
  q?: string;
  sort: SortField;
  order: SortOrder;
  limit: number;
  offset: number;
}

export function useEntries(orgID: string | undefined, spaceID: string | undefined, filter: EntryFilter) {
  return useQuery({
    queryKey: [...fileKeys.entries(orgID ?? '', spaceID ?? ''), filter],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/spaces/{spaceID}/entries', {
          params: {
            path: { orgID: orgID!, spaceID: spaceID! },
            query: {
              folder_id: filter.q ? undefined : filter.folderID,
              q: filter.q || undefined,
              sort: filter.sort,
              order: filter.order,
              limit: filter.limit,
              offset: filter.offset,
            },
          },
        }),
      ),
    enabled: !!orgID && !!spaceID,
    placeholderData: keepPreviousData,
  });
}

export function useFileDetail(orgID: string | undefined, fileID: string | undefined) {
  return useQuery({
    queryKey: fileKeys.file(orgID ?? '', fileID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/files/{fileID}', { params: { path: { orgID: orgID!, fileID: fileID! } } })),
    enabled: !!orgID && !!fileID,
  });
}

export function useTrash(orgID: string | undefined, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...fileKeys.trash(orgID ?? ''), page],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/trash', { params: { path: { orgID: orgID! }, query: page } })),
    enabled: !!orgID,
    placeholderData: keepPreviousData,
  });
}

export function useSharedWithMe(orgID: string | undefined) {
  return useQuery({
    queryKey: fileKeys.shared(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/shared-with-me', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
  });
}

export function useShares(orgID: string | undefined, target: Target) {
  return useQuery({
    queryKey: fileKeys.shares(orgID ?? '', target.id),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/shares', {
          params: { path: { orgID: orgID! }, query: { target_type: target.type, target_id: target.id } },
        }),
      ),
    enabled: !!orgID,
  });
}

export function useLinks(orgID: string | undefined, target: Target) {
  return useQuery({
    queryKey: fileKeys.links(orgID ?? '', target.id),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/links', {
          params: { path: { orgID: orgID!, }, query: { target_type: target.type, target_id: target.id } },
        }),
      ),
    enabled: !!orgID,
  });
}

/**
 * useHolds is the organisation's legal holds. It doubles as the test of whether the user may set
 * holds (files.legal_hold), which the API does not otherwise tell: a 403 means no, and is not
 * retried or shown.
 */
export function useHolds(orgID: string | undefined, enabled = true) {
  return useQuery({
    queryKey: fileKeys.holds(orgID ?? ''),
    queryFn: async () => {
      try {
        return await unwrap(api.GET('/api/v1/orgs/{orgID}/holds', { params: { path: { orgID: orgID! } } }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 403) return null;
        throw err;
      }
    },
    enabled: !!orgID && enabled,
    staleTime: 30_000,
    retry: false,
  });
}

/** heldDirectly reports whether a hold is set on this very file, folder or space. */
export function heldDirectly(holds: Hold[] | undefined, type: HoldTargetType, id: string): boolean {
  return !!holds?.some((h) => h.target_type === type && h.target_id === id);
}

export function useFilesPolicy(orgID: string | undefined) {
  return useQuery({
    queryKey: fileKeys.policy(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/admin/orgs/{orgID}/files/policy', { params: { path: { orgID: orgID! } } })),
    enabled: !!orgID,
  });
}

export function useSpacePolicy(orgID: string | undefined, spaceID: string | undefined) {
  return useQuery({
    queryKey: fileKeys.spacePolicy(orgID ?? '', spaceID ?? ''),
    queryFn: () =>
      unwrap(api.GET('/api/v1/admin/orgs/{orgID}/spaces/{spaceID}/policy', { params: { path: { orgID: orgID!, spaceID: spaceID! } } })),
    enabled: !!orgID && !!spaceID,
  });
}

export function useLinkPreview(token: string) {
  return useQuery({
    queryKey: ['link', token] as const,
    queryFn: () => unwrap(api.GET('/api/v1/links/{token}', { params: { path: { token } } })),
    retry: false,
  });
}

// Writes -----------------------------------------------------------------------------------------

export const filesApi = {
  createFolder: (orgID: string, spaceID: string, name: string, parentID?: string) =>
    unwrap(
      api.POST('/api/v1/orgs/{orgID}/spaces/{spaceID}/folders', {
        params: { path: { orgID, spaceID } },
        body: { name, parent_id: parentID ?? null },
      }),
    ),
  updateFolder: (orgID: string, folderID: string, body: { name?: string; parent_id?: string | null }) =>
    unwrap(api.PATCH('/api/v1/orgs/{orgID}/folders/{folderID}', { params: { path: { orgID, folderID } }, body })),
  deleteFolder: (orgID: string, folderID: string) =>
    unwrap(api.DELETE('/api/v1/orgs/{orgID}/folders/{folderID}', { params: { path: { orgID, folderID } } })),
  updateFile: (orgID: string, fileID: string, body: { name?: string; folder_id?: string | null }) =>
    unwrap(api.PATCH('/api/v1/orgs/{orgID}/files/{fileID}', { params: { path: { orgID, fileID } }, body })),
  deleteFile: (orgID: string, fileID: string) =>
    unwrap(api.DELETE('/api/v1/orgs/{orgID}/files/{fileID}', { params: { path: { orgID, fileID } } })),
  restore: (orgID: string, fileID: string) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/trash/{fileID}/restore', { params: { path: { orgID, fileID } } })),
  setHold: (orgID: string, targetType: HoldTargetType, targetID: string, on: boolean) => {
    const params = { path: { orgID, targetType, targetID } };
    return on
      ? unwrap(api.PUT('/api/v1/orgs/{orgID}/holds/{targetType}/{targetID}', { params }))
      : unwrap(api.DELETE('/api/v1/orgs/{orgID}/holds/{targetType}/{targetID}', { params }));
  },
  share: (orgID: string, body: ShareRequest) => unwrap(api.POST('/api/v1/orgs/{orgID}/shares', { params: { path: { orgID } }, body })),
  revokeShare: (orgID: string, shareID: string) =>
    unwrap(api.DELETE('/api/v1/orgs/{orgID}/shares/{shareID}', { params: { path: { orgID, shareID } } })),
  createLink: (orgID: string, body: LinkRequest) => unwrap(api.POST('/api/v1/orgs/{orgID}/links', { params: { path: { orgID } }, body })),
  revokeLink: (orgID: string, linkID: string) =>
    unwrap(api.DELETE('/api/v1/orgs/{orgID}/links/{linkID}', { params: { path: { orgID, linkID } } })),
  unlockLink: (token: string, password: string) =>
    unwrap(api.POST('/api/v1/links/{token}/unlock', { params: { path: { token } }, body: { password } })),
  setFilesPolicy: (orgID: string, body: FilesPolicyRequest) =>
    unwrap(api.PUT('/api/v1/admin/orgs/{orgID}/files/policy', { params: { path: { orgID } }, body })),
  setSpacePolicy: (orgID: string, spaceID: string, body: SpacePolicy) =>
    unwrap(api.PUT('/api/v1/admin/orgs/{orgID}/spaces/{spaceID}/policy', { params: { path: { orgID, spaceID } }, body })),
};
