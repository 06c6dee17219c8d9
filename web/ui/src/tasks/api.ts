import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components, paths } from '../api/schema';
import { taskKeys } from './keys';

type Schemas = components['schemas'];
export type Task = Schemas['Task'];
export type TaskList = Schemas['TaskList'];
export type TaskSection = Schemas['TaskSection'];
export type LabelRef = Schemas['LabelRef'];
export type PersonRef = Schemas['PersonRef'];
export type TaskRef = Schemas['TaskRef'];
export type TaskBucket = Schemas['TaskBucket'];
export type TaskLevel = Schemas['TaskLevel'];
export type OwnerKind = Schemas['TaskListOwnerKind'];
export type ListShare = Schemas['TaskListShare'];
export type TaskShare = Schemas['TaskShare'];
export type TaskComment = Schemas['TaskComment'];
export type TaskAttachment = Schemas['TaskAttachment'];
export type TaskActivity = Schemas['TaskActivity'];
export type TaskCompleted = Schemas['TaskCompleted'];
export type CreateTaskListRequest = Schemas['CreateTaskListRequest'];
export type CreateTaskRequest = Schemas['CreateTaskRequest'];
export type TaskPatch = Schemas['TaskPatch'];

export type MyTasksQuery = NonNullable<paths['/api/v1/orgs/{orgID}/me/tasks']['get']['parameters']['query']>;
export type ListTasksQuery = NonNullable<paths['/api/v1/orgs/{orgID}/tasklists/{listID}/tasks']['get']['parameters']['query']>;
export type ListsQuery = NonNullable<paths['/api/v1/orgs/{orgID}/tasklists']['get']['parameters']['query']>;
export type MyView = NonNullable<MyTasksQuery['view']>;
export type StatusFilter = NonNullable<MyTasksQuery['status']>;

/** levelAtLeast compares access levels: read < write < manage. */
export function levelAtLeast(level: TaskLevel | undefined, need: TaskLevel): boolean {
  const order: TaskLevel[] = ['read', 'write', 'manage'];
  return !!level && order.indexOf(level) >= order.indexOf(need);
}

/** PAGE is how many tasks one request of a view asks for. */
export const PAGE = 50;
/** BOARD_PAGE is how many cards a board loads at a time. */
export const BOARD_PAGE = 200;

const nextOffset = (pages: { items: unknown[]; total: number }[]) => {
  const loaded = pages.reduce((n, p) => n + p.items.length, 0);
  const last = pages[pages.length - 1];
  return last && last.items.length > 0 && loaded < last.total ? loaded : undefined;
};

/** useMyTasks pages through my tasks (assigned, following or created), each with its bucket. */
export function useMyTasks(orgID: string | undefined, query: Omit<MyTasksQuery, 'limit' | 'offset'>, enabled = true) {
  return useInfiniteQuery({
    queryKey: [...taskKeys.mine(orgID ?? ''), query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/orgs/{orgID}/me/tasks', { params: { path: { orgID: orgID! }, query: { ...query, limit: PAGE, offset: pageParam } } })),
    initialPageParam: 0,
    getNextPageParam: (_last, pages) => nextOffset(pages),
    enabled: !!orgID && enabled,
    placeholderData: keepPreviousData,
  });
}

/** useMyTasksRange is my tasks due in a range, for the calendar: one request of up to 200. */
export function useMyTasksRange(orgID: string | undefined, query: Omit<MyTasksQuery, 'limit' | 'offset'>) {
  return useQuery({
    queryKey: [...taskKeys.mine(orgID ?? ''), 'range', query],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/me/tasks', { params: { path: { orgID: orgID! }, query: { ...query, limit: 200 } } })),
    enabled: !!orgID,
    placeholderData: keepPreviousData,
  });
}

/** useTaskLists is a page of the lists the user sees (or, filtered, an owner's, the archived, the deleted). */
export function useTaskLists(orgID: string | undefined, query: ListsQuery = {}, enabled = true) {
  return useQuery({
    queryKey: [...taskKeys.lists(orgID ?? ''), query],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasklists', { params: { path: { orgID: orgID! }, query: { limit: 200, ...query } } })),
    enabled: !!orgID && enabled,
    placeholderData: keepPreviousData,
  });
}

export function useTaskList(orgID: string | undefined, listID: string | undefined) {
  return useQuery({
    queryKey: [...taskKeys.list(orgID ?? '', listID ?? ''), 'detail'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasklists/{listID}', { params: { path: { orgID: orgID!, listID: listID! } } })),
    enabled: !!orgID && !!listID,
  });
}

/** useListTasks pages through a list's top-level tasks in board order. */
export function useListTasks(orgID: string | undefined, listID: string | undefined, query: Omit<ListTasksQuery, 'limit' | 'offset'>) {
  return useInfiniteQuery({
    queryKey: [...taskKeys.list(orgID ?? '', listID ?? ''), 'tasks', query],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/orgs/{orgID}/tasklists/{listID}/tasks', {
          params: { path: { orgID: orgID!, listID: listID! }, query: { ...query, limit: BOARD_PAGE, offset: pageParam } },
        }),
      ),
    initialPageParam: 0,
    getNextPageParam: (_last, pages) => nextOffset(pages),
    enabled: !!orgID && !!listID,
  });
}

export function useListShares(orgID: string, listID: string) {
  return useQuery({
    queryKey: [...taskKeys.list(orgID, listID), 'shares'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasklists/{listID}/shares', { params: { path: { orgID, listID }, query: { limit: 200 } } })),
  });
}

const taskPath = (orgID: string, taskID: string) => ({ params: { path: { orgID, taskID } } });
const taskPage = (orgID: string, taskID: string) => ({ params: { path: { orgID, taskID }, query: { limit: 200 } } });

export function useTask(orgID: string | undefined, taskID: string | undefined) {
  return useQuery({
    queryKey: [...taskKeys.task(orgID ?? '', taskID ?? ''), 'detail'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}', taskPath(orgID!, taskID!))),
    enabled: !!orgID && !!taskID,
  });
}

export function useSubtasks(orgID: string, taskID: string) {
  return useQuery({
    queryKey: [...taskKeys.task(orgID, taskID), 'subtasks'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}/subtasks', taskPage(orgID, taskID))),
  });
}

export function useComments(orgID: string, taskID: string) {
  return useQuery({
    queryKey: [...taskKeys.task(orgID, taskID), 'comments'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}/comments', taskPage(orgID, taskID))),
  });
}

export function useAttachments(orgID: string, taskID: string) {
  return useQuery({
    queryKey: [...taskKeys.task(orgID, taskID), 'attachments'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}/attachments', taskPage(orgID, taskID))),
  });
}

export function useActivity(orgID: string, taskID: string, enabled: boolean) {
  return useQuery({
    queryKey: [...taskKeys.task(orgID, taskID), 'activity'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}/activity', taskPage(orgID, taskID))),
    enabled,
  });
}

export function useReminders(orgID: string, taskID: string) {
  return useQuery({
    queryKey: [...taskKeys.task(orgID, taskID), 'reminders'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}/reminders', taskPath(orgID, taskID))),
  });
}

export function useTaskShares(orgID: string, taskID: string) {
  return useQuery({
    queryKey: [...taskKeys.task(orgID, taskID), 'shares'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{orgID}/tasks/{taskID}/shares', taskPage(orgID, taskID))),
  });
}

/** useTaskSearch finds tasks to depend on: in the task's list, and among my tasks (other lists). */
export function useTaskSearch(orgID: string, listID: string | undefined, q: string) {
  return useQuery({
    queryKey: [...taskKeys.all(orgID), 'search', listID ?? '', q],
    queryFn: async () => {
      const [inList, mine] = await Promise.all([
        listID
          ? unwrap(api.GET('/api/v1/orgs/{orgID}/tasklists/{listID}/tasks', { params: { path: { orgID, listID }, query: { q: q || undefined, status: 'open', limit: 20 } } }))
          : Promise.resolve({ items: [] as Task[], total: 0 }),
        unwrap(api.GET('/api/v1/orgs/{orgID}/me/tasks', { params: { path: { orgID }, query: { q: q || undefined, view: 'assigned', status: 'open', limit: 20 } } })),
      ]);
      const seen = new Set<string>();
      return [...inList.items, ...mine.items].filter((t) => !seen.has(t.id) && !!seen.add(t.id));
    },
    placeholderData: keepPreviousData,
  });
}

// Writes -----------------------------------------------------------------------------------------

const listPath = (orgID: string, listID: string) => ({ params: { path: { orgID, listID } } });

export const tasksApi = {
  createList: (orgID: string, body: CreateTaskListRequest) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasklists', { params: { path: { orgID } }, body })),
  updateList: (orgID: string, listID: string, body: { name?: string; description?: string; archived?: boolean }) =>
    unwrap(api.PATCH('/api/v1/orgs/{orgID}/tasklists/{listID}', { ...listPath(orgID, listID), body })),
  deleteList: (orgID: string, listID: string) => unwrap(api.DELETE('/api/v1/orgs/{orgID}/tasklists/{listID}', listPath(orgID, listID))),
  restoreList: (orgID: string, listID: string) => unwrap(api.POST('/api/v1/orgs/{orgID}/tasklists/{listID}/restore', listPath(orgID, listID))),
  shareList: (orgID: string, listID: string, body: { principal_type: ListShare['principal_type']; principal_id: string; role: ListShare['role'] }) =>
    unwrap(api.PUT('/api/v1/orgs/{orgID}/tasklists/{listID}/shares', { ...listPath(orgID, listID), body })),
  unshareList: (orgID: string, listID: string, principalType: ListShare['principal_type'], principalID: string) =>
    unwrap(
      api.DELETE('/api/v1/orgs/{orgID}/tasklists/{listID}/shares/{principalType}/{principalID}', {
        params: { path: { orgID, listID, principalType, principalID } },
      }),
    ),
  addSection: (orgID: string, listID: string, name: string, afterID?: string | null) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasklists/{listID}/sections', { ...listPath(orgID, listID), body: { name, after_id: afterID ?? null } })),
  renameSection: (orgID: string, listID: string, sectionID: string, name: string) =>
    unwrap(api.PATCH('/api/v1/orgs/{orgID}/tasklists/{listID}/sections/{sectionID}', { params: { path: { orgID, listID, sectionID } }, body: { name } })),
  moveSection: (orgID: string, listID: string, sectionID: string, afterID: string | null) =>
    unwrap(
      api.POST('/api/v1/orgs/{orgID}/tasklists/{listID}/sections/{sectionID}/move', { params: { path: { orgID, listID, sectionID } }, body: { after_id: afterID } }),
    ),
  deleteSection: (orgID: string, listID: string, sectionID: string, moveTo?: string) =>
    unwrap(
      api.DELETE('/api/v1/orgs/{orgID}/tasklists/{listID}/sections/{sectionID}', {
        params: { path: { orgID, listID, sectionID }, query: { move_to: moveTo } },
      }),
    ),
  addLabel: (orgID: string, listID: string, name: string, color: string) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasklists/{listID}/labels', { ...listPath(orgID, listID), body: { name, color } })),
  createTask: (orgID: string, listID: string, body: CreateTaskRequest) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasklists/{listID}/tasks', { ...listPath(orgID, listID), body })),
  updateTask: (orgID: string, taskID: string, body: TaskPatch) =>
    unwrap(api.PATCH('/api/v1/orgs/{orgID}/tasks/{taskID}', { ...taskPath(orgID, taskID), body })),
  deleteTask: (orgID: string, taskID: string) => unwrap(api.DELETE('/api/v1/orgs/{orgID}/tasks/{taskID}', taskPath(orgID, taskID))),
  complete: (orgID: string, taskID: string, force = false) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasks/{taskID}/complete', { ...taskPath(orgID, taskID), body: force ? { force: true } : {} })),
  reopen: (orgID: string, taskID: string) => unwrap(api.POST('/api/v1/orgs/{orgID}/tasks/{taskID}/reopen', taskPath(orgID, taskID))),
  move: (orgID: string, taskID: string, body: { section_id: string; after_id: string | null }) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasks/{taskID}/move', { ...taskPath(orgID, taskID), body })),
  addDependency: (orgID: string, taskID: string, blockedByID: string) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasks/{taskID}/dependencies', { ...taskPath(orgID, taskID), body: { blocked_by_id: blockedByID } })),
  removeDependency: (orgID: string, taskID: string, blockerID: string) =>
    unwrap(api.DELETE('/api/v1/orgs/{orgID}/tasks/{taskID}/dependencies/{blockerID}', { params: { path: { orgID, taskID, blockerID } } })),
  shareTask: (orgID: string, taskID: string, body: { principal_type: TaskShare['principal_type']; principal_id: string; role: TaskShare['role'] }) =>
    unwrap(api.PUT('/api/v1/orgs/{orgID}/tasks/{taskID}/shares', { ...taskPath(orgID, taskID), body })),
  unshareTask: (orgID: string, taskID: string, principalType: TaskShare['principal_type'], principalID: string) =>
    unwrap(
      api.DELETE('/api/v1/orgs/{orgID}/tasks/{taskID}/shares/{principalType}/{principalID}', { params: { path: { orgID, taskID, principalType, principalID } } }),
    ),
  addComment: (orgID: string, taskID: string, body: string, mentionIDs: string[]) =>
    unwrap(
      api.POST('/api/v1/orgs/{orgID}/tasks/{taskID}/comments', {
        ...taskPath(orgID, taskID),
        body: mentionIDs.length ? { body, mention_ids: mentionIDs } : { body },
      }),
    ),
  deleteComment: (orgID: string, taskID: string, commentID: string) =>
    unwrap(api.DELETE('/api/v1/orgs/{orgID}/tasks/{taskID}/comments/{commentID}', { params: { path: { orgID, taskID, commentID } } })),
  attach: (orgID: string, taskID: string, fileID: string) =>
    unwrap(api.POST('/api/v1/orgs/{orgID}/tasks/{taskID}/attachments', { ...taskPath(orgID, taskID), body: { file_id: fileID } })),
  detach: (orgID: string, taskID: string, fileID: string) =>
    unwrap(api.DELETE('/api/v1/orgs/{orgID}/tasks/{taskID}/attachments/{fileID}', { params: { path: { orgID, taskID, fileID } } })),
  setReminders: (orgID: string, taskID: string, offsets: number[]) =>
    unwrap(api.PUT('/api/v1/orgs/{orgID}/tasks/{taskID}/reminders', { ...taskPath(orgID, taskID), body: { offsets_minutes: offsets } })),
};
