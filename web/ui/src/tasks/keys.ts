/**
 * The query keys of the tasks module. Every one starts with ['tasks', orgID], so one invalidation
 * refreshes them all; the event stream (notifications/useLiveEvents) imports this small file, not
 * the module's pages, so that it stays out of the first load.
 */
export const taskKeys = {
  all: (orgID: string) => ['tasks', orgID] as const,
  lists: (orgID: string) => ['tasks', orgID, 'lists'] as const,
  list: (orgID: string, listID: string) => ['tasks', orgID, 'list', listID] as const,
  tasks: (orgID: string) => ['tasks', orgID, 'task'] as const,
  task: (orgID: string, taskID: string) => ['tasks', orgID, 'task', taskID] as const,
  mine: (orgID: string) => ['tasks', orgID, 'mine'] as const,
};

/** BoardChange is the payload of a tasks.board_changed event. */
export interface BoardChange {
  list_id?: string;
  task_id?: string;
  op?: string;
}

/**
 * boardChangeKeys are the queries a tasks.board_changed event makes stale: the list (its board,
 * sections and counts), my tasks, the lists overview, and the open task. Every task's queries
 * go, not just the one named: a subtask's change shows in its parent's progress, and the event
 * does not name the parent. Only the queries on screen refetch, so this costs little.
 */
export function boardChangeKeys(orgID: string, p: BoardChange): (readonly string[])[] {
  const out: (readonly string[])[] = [taskKeys.mine(orgID), taskKeys.lists(orgID)];
  if (p.list_id) out.push(taskKeys.list(orgID, p.list_id));
  out.push(taskKeys.tasks(orgID));
  return out;
}
