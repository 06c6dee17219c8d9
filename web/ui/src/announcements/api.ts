import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import type { components } from '../api/schema';
import { call, orgBase, seg } from '../chat/http';
import { announcementKeys } from '../chat/live';

type Schemas = components['schemas'];
export type Announcement = Schemas['Announcement'];
export type Scope = Announcement['scope'];
/** PublishedAnnouncement is an announcement its publisher oversees, with the acknowledgement counts. */
export type PublishedAnnouncement = Announcement;
export type Ack = Schemas['AnnouncementAck'];
export type AckPage = Schemas['AnnouncementAckPage'];
export type NewAnnouncement = Schemas['PublishAnnouncementRequest'];
export type AnnouncementPage = Schemas['AnnouncementPage'];

const path = (orgID: string, id: string) => `${orgBase(orgID)}/announcements/${seg(id)}`;

export const announcementsApi = {
  mine: (orgID: string, query: { pending?: boolean; limit?: number; offset?: number }) =>
    call<AnnouncementPage>('GET', `${orgBase(orgID)}/announcements`, { query }),
  one: (orgID: string, id: string) => call<Announcement>('GET', path(orgID, id)),
  ack: (orgID: string, id: string) => call<unknown>('POST', `${path(orgID, id)}/ack`),
  published: (orgID: string, query: { limit?: number; offset?: number }) =>
    call<AnnouncementPage>('GET', `${orgBase(orgID)}/admin/announcements`, { query }),
  create: (orgID: string, body: NewAnnouncement) => call<Announcement>('POST', `${orgBase(orgID)}/announcements`, { body }),
  acks: (orgID: string, id: string, query: { state: 'acked' | 'pending'; limit?: number; offset?: number }) => call<AckPage>('GET', `${path(orgID, id)}/acks`, { query }),
  remind: (orgID: string, id: string) => call<{ reminded: number }>('POST', `${path(orgID, id)}/remind`),
  csvUrl: (orgID: string, id: string) => `${path(orgID, id)}/acks.csv`,
};

/** isPending reports whether I still have to acknowledge an announcement. */
export function isPending(a: Pick<Announcement, 'requires_ack' | 'acked_at'>): boolean {
  return a.requires_ack && !a.acked_at;
}

/** sortForMe pins the announcements waiting for my acknowledgement at the top, each group newest first. */
export function sortForMe<T extends Announcement>(items: T[]): T[] {
  return [...items].sort((a, b) => Number(isPending(b)) - Number(isPending(a)) || b.published_at.localeCompare(a.published_at));
}

/** ackProgress is how many recipients have acknowledged out of how many, and the percentage (whole, rounded down). */
export function ackProgress(a: { acked_count?: number; pending_count?: number; recipient_count?: number }): { acked: number; total: number; percent: number } {
  const acked = a.acked_count ?? 0;
  const total = a.recipient_count ?? acked + (a.pending_count ?? 0);
  const percent = total > 0 ? Math.min(100, Math.floor((acked / total) * 100)) : 0;
  return { acked, total, percent };
}

export function useMyAnnouncements(orgID: string) {
  return useQuery({
    queryKey: announcementKeys.mine(orgID),
    queryFn: () => announcementsApi.mine(orgID, { limit: 100 }),
  });
}

/**
 * usePublished is the publisher's view, or null for someone who may not publish (403). It is
 * asked again every few seconds while shown, since acknowledgements are not events for the publisher.
 */
export function usePublished(orgID: string, poll = false) {
  return useQuery({
    queryKey: announcementKeys.admin(orgID),
    queryFn: async () => {
      try {
        return await announcementsApi.published(orgID, { limit: 100 });
      } catch (err) {
        if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return null;
        throw err;
      }
    },
    enabled: !!orgID,
    refetchInterval: poll ? 5000 : false,
    retry: false,
  });
}

export function useAcks(orgID: string, id: string, state: 'acked' | 'pending', page: number) {
  return useQuery({
    queryKey: [...announcementKeys.acks(orgID, id), state, page],
    queryFn: () => announcementsApi.acks(orgID, id, { state, limit: 50, offset: (page - 1) * 50 }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
}
