import { describe, expect, it } from 'vitest';
import type { Task } from './api';
import { bucketOf, groupByBucket } from './buckets';

const SH = 'Asia/Shanghai';
// 18:00 on Monday 10 March 2025 in Shanghai.
const NOW = new Date('2025-03-10T10:00:00Z');

const task = (id: string, over: Partial<Task> = {}): Task =>
  ({
    id,
    list_id: 'L',
    list_name: 'List',
    section_id: 'S',
    parent_id: null,
    depth: 0,
    title: id,
    description: '',
    description_html: '',
    priority: 0,
    status: 'open',
    creator: { id: 'u', name: 'U' },
    created_at: '2025-03-01T00:00:00Z',
    updated_at: '2025-03-01T00:00:00Z',
    due_at: null,
    all_day: false,
    due_tz: '',
    rrule: '',
    rank: 'a',
    assignees: [],
    followers: [],
    labels: [],
    subtask_total: 0,
    subtask_done: 0,
    blocked_by: [],
    level: 'write',
    ...over,
  }) as Task;

describe('bucketOf', () => {
  const at = (iso: string) => bucketOf({ due_at: iso, all_day: false, due_tz: SH }, NOW, SH);
  const day = (iso: string, tz = SH) => bucketOf({ due_at: iso, all_day: true, due_tz: tz }, NOW, SH);

  it('puts a time that has passed in overdue, even earlier today', () => {
    expect(at('2025-03-10T09:00:00Z')).toBe('overdue');
    expect(at('2025-03-01T00:00:00Z')).toBe('overdue');
  });

  it('counts days in the viewer’s time zone', () => {
    expect(at('2025-03-10T12:00:00Z')).toBe('today'); // 20:00 today in Shanghai
    expect(at('2025-03-10T17:00:00Z')).toBe('next_7_days'); // 01:00 tomorrow in Shanghai, still the 10th in UTC
    expect(at('2025-03-17T12:00:00Z')).toBe('next_7_days'); // 7 days on
    expect(at('2025-03-18T12:00:00Z')).toBe('later');
  });

  it('keeps an all-day task due today out of overdue until the day is over', () => {
    expect(day('2025-03-09T16:00:00Z')).toBe('today'); // midnight of the 10th in Shanghai
    expect(day('2025-03-08T16:00:00Z')).toBe('overdue');
    // Set in Berlin for the 11th: it is due on the 11th wherever it is seen.
    expect(day('2025-03-10T23:00:00Z', 'Europe/Berlin')).toBe('next_7_days');
  });

  it('has a bucket for no date', () => {
    expect(bucketOf({ due_at: null, all_day: false, due_tz: '' }, NOW, SH)).toBe('no_date');
  });
});

describe('groupByBucket', () => {
  it('orders the groups overdue, today, next 7 days, later, no date; keeps the order inside; leaves out empty ones', () => {
    const tasks = [
      task('a', { due_at: '2025-03-12T00:00:00Z', bucket: 'next_7_days' }),
      task('b', { bucket: 'no_date' }),
      task('c', { due_at: '2025-03-01T00:00:00Z', bucket: 'overdue' }),
      task('d', { due_at: '2025-03-13T00:00:00Z', bucket: 'next_7_days' }),
      task('e', { due_at: '2025-03-02T00:00:00Z', bucket: 'overdue' }),
    ];
    const groups = groupByBucket(tasks, NOW, SH);
    expect(groups.map((g) => [g.bucket, g.items.map((t) => t.id)])).toEqual([
      ['overdue', ['c', 'e']],
      ['next_7_days', ['a', 'd']],
      ['no_date', ['b']],
    ]);
  });

  it('follows the server’s bucket, which knows the time zone it asked in, and computes one only when absent', () => {
    const groups = groupByBucket([task('a', { due_at: '2025-03-10T12:00:00Z', bucket: 'later' }), task('b', { due_at: '2025-03-10T12:00:00Z' })], NOW, SH);
    expect(groups.map((g) => [g.bucket, g.items.map((t) => t.id)])).toEqual([
      ['today', ['b']],
      ['later', ['a']],
    ]);
  });
});
