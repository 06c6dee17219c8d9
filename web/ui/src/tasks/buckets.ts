import type { Task, TaskBucket } from './api';
import { dateInZone, dayNumber } from './dates';

/** BUCKETS is the order "My tasks" shows its groups in. */
export const BUCKETS: TaskBucket[] = ['overdue', 'today', 'next_7_days', 'later', 'no_date'];

/**
 * bucketOf places a task by its due date as the server does, for a task that came without a
 * bucket: overdue once the due time (or, all day, the due date) has passed, today, the next 7
 * days, later, or no date. Days are the viewer's, in timeZone.
 */
export function bucketOf(task: Pick<Task, 'due_at' | 'all_day' | 'due_tz'>, now: Date, timeZone: string): TaskBucket {
  if (!task.due_at) return 'no_date';
  const today = dayNumber(dateInZone(now, timeZone));
  // An all-day date is its own calendar date wherever the viewer is.
  const dueDay = dayNumber(dateInZone(task.due_at, task.all_day && task.due_tz ? task.due_tz : timeZone));
  if (task.all_day ? dueDay < today : Date.parse(task.due_at) < now.getTime()) return 'overdue';
  if (dueDay <= today) return 'today';
  if (dueDay <= today + 7) return 'next_7_days';
  return 'later';
}

export interface BucketGroup {
  bucket: TaskBucket;
  items: Task[];
}

/**
 * groupByBucket splits a page of my tasks into the buckets, in BUCKETS order and keeping the
 * server's order inside each; empty buckets are left out.
 */
export function groupByBucket(tasks: Task[], now: Date, timeZone: string): BucketGroup[] {
  const groups = new Map<TaskBucket, Task[]>(BUCKETS.map((b) => [b, []]));
  for (const task of tasks) groups.get(task.bucket ?? bucketOf(task, now, timeZone))!.push(task);
  return BUCKETS.filter((b) => groups.get(b)!.length > 0).map((bucket) => ({ bucket, items: groups.get(bucket)! }));
}
