import { useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { fetchMe, keys, useMe, useSignOut } from '../api/queries';
import { ErrorAlert } from '../components/ErrorAlert';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { PageError, PageLoading } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useTitle } from '../lib/hooks';
import { afterSignIn, loginPath, safeNext } from '../lib/next';
import { useSubmit } from '../lib/useSubmit';
import { AuthLayout } from './AuthLayout';

interface ChangeForm {
  current_password: string;
  new_password: string;
  confirm: string;
}

/**
 * ChangePasswordPage is where someone signed in with an initial password, which an administrator
 * chose, replaces it with their own: the API answers nothing else until they do. It then goes on
 * to ?next= when that is a same-origin path (the page they asked for), else home.
 */
export default function ChangePasswordPage() {
  const { t } = useTranslation();
  useTitle(t('passwordChange.title'));
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const signOut = useSignOut();
  const { busy, error, submit } = useSubmit();
  const [signOutError, setSignOutError] = useState<string>();
  // Set once the password is changed, so the page does not bounce on before navigating itself.
  const [done, setDone] = useState(false);

  if (me.isPending || (me.isError && me.data === undefined)) {
    return (
      <AuthLayout>
        {me.isPending ? <PageLoading /> : <PageError error={me.error} onRetry={() => me.refetch()} />}
      </AuthLayout>
    );
  }
  if (!me.data) return <Navigate to={loginPath(next ?? '/')} replace />;
  if (!me.data.user.must_change_password && !done) return <Navigate to={afterSignIn(next)} replace />;

  const onFinish = ({ current_password, new_password }: ChangeForm) =>
    submit(async () => {
      await unwrap(api.POST('/api/v1/me/password', { body: { current_password, new_password } }));
      setDone(true);
      // Whatever was refused before the change is asked again.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      await queryClient.fetchQuery({ queryKey: keys.me, queryFn: fetchMe });
      navigate(afterSignIn(next), { replace: true });
    });

  return (
    <AuthLayout>
      <h1>{t('passwordChange.title')}</h1>
      <p>{t('passwordChange.intro', { email: me.data.user.email })}</p>
      <ErrorAlert error={error ?? signOutError} />
      <Form<ChangeForm> name="change-password" layout="vertical" requiredMark={false} disabled={busy} onFinish={onFinish}>
        {/* The account's name for password managers, which save the new password under it. */}
        <input type="email" name="username" autoComplete="username" value={me.data.user.email} readOnly hidden />
        <Form.Item
          label={t('passwordChange.current')}
          name="current_password"
          extra={t('passwordChange.currentHelp')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <Input.Password autoComplete="current-password" autoFocus />
        </Form.Item>
        <NewPasswordFields />
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('passwordChange.submit')}
        </Button>
      </Form>
      <p className="auth-note">
        <Button
          type="link"
          className="inline-link"
          onClick={() =>
            signOut.mutate(undefined, {
              onSuccess: () => navigate('/login', { replace: true }),
              onError: (err) => setSignOutError(errorText(t, err)),
            })
          }
        >
          {t('nav.signOut')}
        </Button>
      </p>
    </AuthLayout>
  );
}
