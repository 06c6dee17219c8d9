import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMe } from '../api/queries';
import { PageError, PageLoading } from '../components/PageState';
import { changePasswordPath, loginPath } from '../lib/next';

/**
 * RequireAuth shows its children to a signed-in user and sends anyone else to sign in, with the
 * way back in ?next=. A session that ends later (any 401) clears the user, which lands here too.
 * Someone who must first replace an initial password goes to do that, with the same way back.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageLoading />;
  if (me.isError && me.data === undefined) return <PageError error={me.error} onRetry={() => me.refetch()} />;
  const here = location.pathname + location.search;
  if (!me.data) return <Navigate to={loginPath(here)} replace />;
  // An initial password an administrator chose opens nothing else until it is replaced.
  if (me.data.user.must_change_password) return <Navigate to={changePasswordPath(here)} replace />;
  return <>{children}</>;
}
