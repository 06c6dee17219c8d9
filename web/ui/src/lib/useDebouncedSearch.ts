import { useEffect, useRef, useState } from 'react';

/**
 * useDebouncedSearch is a search box's text and the query it settles on once the user pauses
 * typing; onSettle runs as the query changes (lists go back to their first page).
 */
export function useDebouncedSearch(onSettle?: () => void, delay = 300) {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const settle = useRef(onSettle);
  settle.current = onSettle;
  // The text last settled: onSettle runs when it changes, not when the page first mounts (which
  // would undo what the person did in the first moments, such as selecting every match).
  const settled = useRef('');
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const next = search.trim();
      setQ(next);
      if (next === settled.current) return;
      settled.current = next;
      settle.current?.();
    }, delay);
    return () => window.clearTimeout(timer);
  }, [search, delay]);
  return { search, setSearch, q };
}
