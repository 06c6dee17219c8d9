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
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQ(search.trim());
      settle.current?.();
    }, delay);
    return () => window.clearTimeout(timer);
  }, [search, delay]);
  return { search, setSearch, q };
}
