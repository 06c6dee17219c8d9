import { useMediaQuery } from '../lib/useMediaQuery';

/** useIsPhone is true at phone width (576 px and less), where the board shows one column at a time. */
export function useIsPhone(): boolean {
  return useMediaQuery('(max-width: 576px)');
}
