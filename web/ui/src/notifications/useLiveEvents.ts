import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { EventStream, type StreamEvent } from '../lib/events';
import { boardChangeKeys, type BoardChange } from '../tasks/keys';
import { notificationKeys } from './api';

// Chat traffic and presence, which are never notifications.
const QUIET_EVENTS = new Set(['messages.message_created', 'messages.message_updated', 'messages.read', 'messages.typing', 'messages.chat_updated', 'presence.changed']);

let messaging: Promise<typeof import('../chat/live')> | undefined;

/**
 * messagingEvent hands an event to the messaging module's cache updates, loaded with the first
 * such event so that the first load does not carry them. Promise callbacks run in the order
 * they were added, so events are applied in the order they came.
 */
function messagingEvent(client: QueryClient, e: StreamEvent) {
  messaging ??= import('../chat/live');
  void messaging.then((m) => m.applyMessagingEvent(client, e));
}

/** applyEvent updates the caches an event concerns instead of polling them. */
export function applyEvent(client: QueryClient, e: StreamEvent) {
  // Chat traffic and presence are never notifications: the bell is not asked again for them.
  if (!QUIET_EVENTS.has(e.type)) void client.invalidateQueries({ queryKey: notificationKeys.all(e.org_id) });
  // Messages, read receipts, typing, presence and announcements patch or refresh their caches.
  if (e.type.startsWith('messages.') || e.type.startsWith('announcements.') || e.type === 'presence.changed') messagingEvent(client, e);
  if (e.type.startsWith('files.')) void client.invalidateQueries({ queryKey: ['files', e.org_id] });
  // Someone changed a board or task this user sees: what is on screen refetches within a second.
  if (e.type === 'tasks.board_changed') {
    for (const queryKey of boardChangeKeys(e.org_id, e.payload as BoardChange)) void client.invalidateQueries({ queryKey });
  }
}

// One stream per tab, shared by whatever mounts the hook (the app's and the console's shells).
let shared: { stream: EventStream; users: number } | undefined;

/** useLiveEvents keeps the tab's one event stream open while a signed-in shell is shown. */
export function useLiveEvents(enabled: boolean) {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return;
    if (!shared) {
      const stream = new EventStream({
        onEvent: (e) => applyEvent(client, e),
        onReload: () => void client.invalidateQueries(),
      });
      shared = { stream, users: 0 };
      stream.start();
    }
    shared.users++;
    return () => {
      if (shared && --shared.users === 0) {
        shared.stream.stop();
        shared = undefined;
      }
    };
  }, [enabled, client]);
}
