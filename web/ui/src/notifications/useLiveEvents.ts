import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { EventStream, type StreamEvent } from '../lib/events';
import { boardChangeKeys, type BoardChange } from '../tasks/keys';
import { notificationKeys } from './api';

/** applyEvent updates the caches an event concerns instead of polling them. */
export function applyEvent(client: QueryClient, e: StreamEvent) {
  void client.invalidateQueries({ queryKey: notificationKeys.all(e.org_id) });
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
