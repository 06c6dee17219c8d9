import type { Task, TaskSection } from './api';

/**
 * The kanban board's ordering, kept apart from the drag-and-drop library so it can be tested: a
 * board is its columns (section id → the ids of its cards, top first).
 */
export type Columns = Record<string, string[]>;

/** COLUMN_PREFIX marks a column's droppable id, so it is never taken for a card's. */
export const COLUMN_PREFIX = 'column:';

export const columnDropID = (sectionID: string) => `${COLUMN_PREFIX}${sectionID}`;

/** buildColumns lays the tasks out by section, in the server's order (section rank, then task rank). */
export function buildColumns(sections: TaskSection[], tasks: Pick<Task, 'id' | 'section_id'>[]): Columns {
  const cols: Columns = Object.fromEntries(sections.map((s) => [s.id, [] as string[]]));
  for (const task of tasks) cols[task.section_id]?.push(task.id);
  return cols;
}

/** columnOf is the column a card or a column's droppable is in. */
export function columnOf(cols: Columns, id: string): string | undefined {
  if (id.startsWith(COLUMN_PREFIX)) {
    const section = id.slice(COLUMN_PREFIX.length);
    return section in cols ? section : undefined;
  }
  return Object.keys(cols).find((s) => cols[s].includes(id));
}

/**
 * moveCard puts a dragged card where it is dropped: over another card, before it, or after it
 * when the pointer is past that card's middle (below); over a column's empty space, at its end.
 * Within one column a card dropped on a card below it takes that card's place (it goes after
 * it), as a sortable list does. It returns the board unchanged when the drop says nothing new.
 */
export function moveCard(cols: Columns, activeID: string, overID: string, below = false): Columns {
  const from = columnOf(cols, activeID);
  const to = columnOf(cols, overID);
  if (!from || !to || activeID === overID) return cols;
  const source = cols[from].filter((id) => id !== activeID);
  if (from === to && !overID.startsWith(COLUMN_PREFIX)) {
    const oldIndex = cols[from].indexOf(activeID);
    const overIndex = cols[from].indexOf(overID);
    const next = [...source];
    next.splice(overIndex, 0, activeID);
    if (oldIndex === overIndex) return cols;
    return { ...cols, [from]: next };
  }
  const target = from === to ? source : [...cols[to]];
  let index = target.length;
  if (!overID.startsWith(COLUMN_PREFIX)) {
    const overIndex = target.indexOf(overID);
    index = overIndex < 0 ? target.length : overIndex + (below ? 1 : 0);
  }
  target.splice(index, 0, activeID);
  return from === to ? { ...cols, [to]: target } : { ...cols, [from]: source, [to]: target };
}

/** MoveRequest is the body of POST /tasks/{id}/move. */
export interface MoveRequest {
  section_id: string;
  after_id: string | null;
}

/**
 * dropRequest is what to ask the server after a drop: the card's column, and the card right
 * above it there (null at the top). The server places it after that card as it is then, so two
 * people dropping at once both land where they meant to, in one order.
 */
export function dropRequest(cols: Columns, taskID: string): MoveRequest | undefined {
  const section = columnOf(cols, taskID);
  if (!section) return undefined;
  const index = cols[section].indexOf(taskID);
  return { section_id: section, after_id: index > 0 ? cols[section][index - 1] : null };
}

/** sameBoard reports whether two boards order every card alike. */
export function sameBoard(a: Columns, b: Columns): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] && a[k].length === b[k].length && a[k].every((id, i) => b[k][i] === id));
}

/**
 * applyMove is the optimistic update of a move on a list of tasks (in board order): the task
 * takes its new section and goes right after after_id, or before the first card of the section.
 */
export function applyMove<T extends Pick<Task, 'id' | 'section_id'>>(tasks: T[], taskID: string, move: MoveRequest): T[] {
  const moving = tasks.find((t) => t.id === taskID);
  if (!moving) return tasks;
  const rest = tasks.filter((t) => t.id !== taskID);
  const moved = { ...moving, section_id: move.section_id };
  let index: number;
  if (move.after_id) {
    index = rest.findIndex((t) => t.id === move.after_id) + 1;
    if (index === 0) index = rest.length;
  } else {
    index = rest.findIndex((t) => t.section_id === move.section_id);
    if (index < 0) index = rest.length;
  }
  return [...rest.slice(0, index), moved, ...rest.slice(index)];
}

/** sectionAfter is the section a section follows once moved by delta (-1 left, +1 right): null for first. */
export function sectionAfter(sections: Pick<TaskSection, 'id'>[], id: string, delta: -1 | 1): string | null | undefined {
  const i = sections.findIndex((s) => s.id === id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= sections.length) return undefined;
  const order = sections.filter((s) => s.id !== id);
  order.splice(j, 0, sections[i]);
  return j === 0 ? null : order[j - 1].id;
}
