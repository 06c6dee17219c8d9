import { describe, expect, it } from 'vitest';
import { applyMove, buildColumns, columnDropID, dropRequest, moveCard, sectionAfter, type Columns } from './board';

const board = (): Columns => ({ todo: ['a', 'b', 'c'], doing: ['d', 'e'], done: [] });

describe('moving a card on the board', () => {
  it('lays tasks out by section in the server’s order', () => {
    const cols = buildColumns(
      [
        { id: 'todo', name: 'To do', rank: 'a' },
        { id: 'doing', name: 'Doing', rank: 'b' },
      ],
      [
        { id: 'x', section_id: 'doing' },
        { id: 'y', section_id: 'todo' },
        { id: 'z', section_id: 'doing' },
        { id: 'lost', section_id: 'gone' },
      ],
    );
    expect(cols).toEqual({ todo: ['y'], doing: ['x', 'z'] });
  });

  it('within a column: dropped on a card below, it goes after it; on a card above, before it', () => {
    const down = moveCard(board(), 'a', 'c');
    expect(down.todo).toEqual(['b', 'c', 'a']);
    expect(dropRequest(down, 'a')).toEqual({ section_id: 'todo', after_id: 'c' });
    const up = moveCard(board(), 'c', 'a');
    expect(up.todo).toEqual(['c', 'a', 'b']);
    expect(dropRequest(up, 'c')).toEqual({ section_id: 'todo', after_id: null });
    const middle = moveCard(board(), 'c', 'b');
    expect(dropRequest(middle, 'c')).toEqual({ section_id: 'todo', after_id: 'a' });
  });

  it('across columns: before the card it is over, or after it past its middle', () => {
    const before = moveCard(board(), 'b', 'e');
    expect(before).toEqual({ todo: ['a', 'c'], doing: ['d', 'b', 'e'], done: [] });
    expect(dropRequest(before, 'b')).toEqual({ section_id: 'doing', after_id: 'd' });
    const after = moveCard(board(), 'b', 'e', true);
    expect(after.doing).toEqual(['d', 'e', 'b']);
    expect(dropRequest(after, 'b')).toEqual({ section_id: 'doing', after_id: 'e' });
    const top = moveCard(board(), 'b', 'd');
    expect(dropRequest(top, 'b')).toEqual({ section_id: 'doing', after_id: null });
  });

  it('onto a column itself: at its end, and at the top of an empty one', () => {
    const end = moveCard(board(), 'a', columnDropID('doing'));
    expect(dropRequest(end, 'a')).toEqual({ section_id: 'doing', after_id: 'e' });
    const empty = moveCard(board(), 'a', columnDropID('done'));
    expect(empty.done).toEqual(['a']);
    expect(dropRequest(empty, 'a')).toEqual({ section_id: 'done', after_id: null });
  });

  it('changes nothing for a drop on itself or somewhere unknown', () => {
    const cols = board();
    expect(moveCard(cols, 'a', 'a')).toBe(cols);
    expect(moveCard(cols, 'a', 'nowhere')).toBe(cols);
    expect(moveCard(cols, 'a', columnDropID('nowhere'))).toBe(cols);
    expect(dropRequest(cols, 'nowhere')).toBeUndefined();
  });

  it('the optimistic update puts the task after after_id, or at the top of its section', () => {
    const tasks = [
      { id: 'a', section_id: 'todo' },
      { id: 'b', section_id: 'todo' },
      { id: 'd', section_id: 'doing' },
      { id: 'e', section_id: 'doing' },
    ];
    expect(applyMove(tasks, 'a', { section_id: 'doing', after_id: 'd' }).map((t) => `${t.id}:${t.section_id}`)).toEqual(['b:todo', 'd:doing', 'a:doing', 'e:doing']);
    expect(applyMove(tasks, 'e', { section_id: 'todo', after_id: null }).map((t) => `${t.id}:${t.section_id}`)).toEqual(['e:todo', 'a:todo', 'b:todo', 'd:doing']);
    expect(buildColumns([{ id: 'todo', name: '', rank: 'a' }, { id: 'doing', name: '', rank: 'b' }], applyMove(tasks, 'b', { section_id: 'doing', after_id: 'e' }))).toEqual({
      todo: ['a'],
      doing: ['d', 'e', 'b'],
    });
  });

  it('moves a section left or right by naming the section it then follows', () => {
    const sections = [{ id: 's1' }, { id: 's2' }, { id: 's3' }];
    expect(sectionAfter(sections, 's3', -1)).toBe('s1');
    expect(sectionAfter(sections, 's2', -1)).toBeNull();
    expect(sectionAfter(sections, 's1', 1)).toBe('s2');
    expect(sectionAfter(sections, 's1', -1)).toBeUndefined();
    expect(sectionAfter(sections, 's3', 1)).toBeUndefined();
  });
});
