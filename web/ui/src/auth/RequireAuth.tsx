import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMe } from '../api/queries';
import { PageError, PageLoading } from '../components/PageState';
import { loginPath } from '../lib/next';

/**
 * RequireAuth shows its children to a signed-in user and sends anyone else to sign in, with the
 * way back in ?next=. A session that ends later (any 401) clears the user, which lands here too.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageLoading />;
  if (me.isError && me.data === undefined) return <PageError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to={loginPath(location.pathname + location.search)} replace />;
  return <>{children}</>;
}
