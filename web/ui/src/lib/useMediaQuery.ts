import { useCallback, useSyncExternalStore } from 'react';

/** useMediaQuery follows a CSS media query. */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    [query],
  );
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(query).matches,
    () => false,
  );
}

/** useIsMobile is true on phone-width screens, where the sider becomes a drawer or bottom bar. */
export function useIsMobile(): boolean {
  return useMediaQuery('(max-width: 767.98px)');
}

/** usePrefersReducedMotion is true when the user asked their system for less motion (WCAG 2.3.3). */
export function usePrefersReducedMotion(): boolean {
  return useMediaQuery('(prefers-reduced-motion: reduce)');
}
