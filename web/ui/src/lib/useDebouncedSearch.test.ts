import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useDebouncedSearch } from './useDebouncedSearch';

describe('useDebouncedSearch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('settles when the text changes, not when the page mounts', () => {
    const onSettle = vi.fn();
    const { result } = renderHook(() => useDebouncedSearch(onSettle));
    act(() => vi.advanceTimersByTime(1000));
    // Mounting alone must not undo what was done meanwhile (a selection of every match).
    expect(onSettle).not.toHaveBeenCalled();

    act(() => result.current.setSearch('zw'));
    act(() => vi.advanceTimersByTime(299));
    expect(onSettle).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(1));
    expect(onSettle).toHaveBeenCalledTimes(1);
    expect(result.current.q).toBe('zw');

    // Spaces around the same text are the same query.
    act(() => result.current.setSearch(' zw '));
    act(() => vi.advanceTimersByTime(300));
    expect(onSettle).toHaveBeenCalledTimes(1);

    act(() => result.current.setSearch(''));
    act(() => vi.advanceTimersByTime(300));
    expect(onSettle).toHaveBeenCalledTimes(2);
    expect(result.current.q).toBe('');
  });
});
