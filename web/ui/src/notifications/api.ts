import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components, paths } from '../api/schema';

export type Notification = components['schemas']['Notification'];
export type NotificationPreferences = components['schemas']['NotificationPreferences'];
export type Channel = components['schemas']['NotificationPreference']['channel'];

/** The query keys of notifications; the event stream invalidates notificationKeys.all on every event. */
export const notificationKeys = {
  all: (orgID: string) => ['notifications', orgID] as const,
  list: (orgID: string) => ['notifications', orgID, 'list'] as const,
  unread: (orgID: string) => ['notifications', orgID, 'unread'] as const,
  preferences: (orgID: string) => ['notificationPreferences', orgID] as const,
};

const path = (orgID: string) => ({ params: { path: { orgID } } });

/** useUnreadCount is the bell's number; the event stream keeps it fresh, so it never polls. */
export function useUnreadCount(orgID: string | undefined) {
  return useQuery({
    queryKey: notificationKeys.unread(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/notifications/unread-count', path(orgID!))),
    enabled: !!orgID,
  });
}

export function useNotifications(orgID: string | undefined, enabled = true) {
  return useQuery({
    queryKey: notificationKeys.list(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/notifications', { params: { path: { orgID: orgID! }, query: { limit: 20 } } })),
    enabled: !!orgID && enabled,
  });
}

export function useMarkRead(orgID: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/orgs/{orgID}/notifications/{notificationID}/read', { params: { path: { orgID, notificationID: id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all(orgID) }),
  });
}

export function useMarkAllRead(orgID: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/orgs/{orgID}/notifications/read-all', path(orgID))),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all(orgID) }),
  });
}

export function usePreferences(orgID: string | undefined) {
  return useQuery({
    queryKey: notificationKeys.preferences(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/notification-preferences', path(orgID!))),
    enabled: !!orgID,
  });
}

export type PreferencesChange = paths['/api/v1/orgs/{orgID}/notification-preferences']['put']['requestBody']['content']['application/json'];

export async function savePreferences(orgID: string, body: PreferencesChange) {
  return unwrap(api.PUT('/api/v1/orgs/{orgID}/notification-preferences', { params: { path: { orgID } }, body }));
}

/** openHref is where a notification leads: the folder shared, the file's preview among what was shared with the user, or the task's drawer. */
export function openHref(n: Notification): string | undefined {
  const p = n.payload as Record<string, unknown>;
  if (n.type === 'webhooks.subscription_paused') return '/console/webhooks';
  // Every task notification opens the task's drawer over My tasks.
  if (n.type.startsWith('tasks.') && n.subject_type === 'task') return `/tasks?task=${encodeURIComponent(n.subject_id)}`;
  if (n.type === 'messages.mentioned' && typeof p.chat_id === 'string') return `/messages/${encodeURIComponent(p.chat_id)}`;
  if (n.type.startsWith('announcements.')) return '/announcements';
  if (n.type !== 'files.file_shared') return undefined;
  const target = typeof p.target_id === 'string' ? p.target_id : n.subject_id;
  if (n.subject_type === 'folder' && typeof p.space_id === 'string') {
    return `/files/${encodeURIComponent(p.space_id)}?folder=${encodeURIComponent(target)}`;
  }
  return `/files/shared?preview=${encodeURIComponent(target)}`;
}
