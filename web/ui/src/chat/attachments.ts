import { useEffect, useMemo, useState } from 'react';
import type { Space } from '../files/api';
import { UploadManager, useUploads, type UploadRow } from '../files/uploads';
import type { Chat } from './types';

/**
 * uploadSpace is where a chat's attachments go: a group chat's into the group's space, a
 * department chat's into the department's (under its retention floor), a direct or ad-hoc
 * chat's into my own space. A space I may not write to is no use; then my own.
 */
export function uploadSpace(chat: Pick<Chat, 'kind' | 'group_id' | 'department_id'>, spaces: Space[], me: string | undefined): Space | undefined {
  const writable = spaces.filter((s) => s.can_write);
  const own = writable.find((s) => s.kind === 'personal' && (!me || s.owner_id === me)) ?? writable.find((s) => s.kind === 'personal');
  if (chat.kind === 'group' && chat.group_id) return writable.find((s) => s.kind === 'group' && s.owner_id === chat.group_id) ?? own;
  if (chat.kind === 'department' && chat.department_id) return writable.find((s) => s.kind === 'department' && s.owner_id === chat.department_id) ?? own;
  return own;
}

/** pendingUpload reports whether an attachment is still on its way (sending waits for it). */
export function pendingUpload(rows: UploadRow[]): boolean {
  return rows.some((r) => r.status !== 'done' && r.status !== 'error');
}

/** doneFileIDs are the stored files of the finished uploads, in the order they were added. */
export function doneFileIDs(rows: UploadRow[]): string[] {
  return rows.filter((r) => r.status === 'done' && r.fileID).map((r) => r.fileID!);
}

/** useAttachmentUploads is one composer's uploads, with tus, resumable, each with its progress. */
export function useAttachmentUploads() {
  const manager = useMemo(() => new UploadManager(), []);
  const rows = useUploads(manager);
  const [, force] = useState(0);
  useEffect(() => manager.onFinished(() => force((n) => n + 1)), [manager]);
  return {
    rows,
    add: (files: File[], spaceID: string, orgID: string) => manager.add(files, { orgID, spaceID }),
    remove: (id: string) => manager.cancel(id),
    retry: (id: string) => manager.retry(id),
    /** clear takes the sent attachments off the composer. */
    clear: () => manager.clearFinished(),
  };
}
