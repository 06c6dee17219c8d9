import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { fetchMe, keys, useMe } from '../api/queries';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageError, PageLoading } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useTitle } from '../lib/hooks';
import { afterSignIn, safeNext, type LoginState } from '../lib/next';
import { AuthLayout } from './AuthLayout';

interface LoginForm {
  email: string;
  password: string;
}

/**
 * LoginPage signs in with email and password, then returns to ?next= when that is a same-origin
 * path, else to the home page. ?email= fills in the email (activation sends people here so).
 */
export default function LoginPage() {
  const { t } = useTranslation();
  useTitle(t('auth.title'));
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const target = afterSignIn(next);
  const email = params.get('email') ?? '';
  const loginState = useLocation().state as LoginState | null;
  const activated = loginState?.activated === true;
  const passwordReset = loginState?.passwordReset === true;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const [error, setError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  if (me.isPending || me.isError) {
    return (
      <AuthLayout>
        {me.isPending ? <PageLoading /> : <PageError error={me.error} onRetry={() => me.refetch()} />}
      </AuthLayout>
    );
  }
  if (me.data && !submitting) return <Navigate to={target} replace />;

  const onFinish = async (values: LoginForm) => {
    setSubmitting(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/api/v1/auth/login', { body: values }));
      // Nothing cached for whoever was here before may leak into this session.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      await queryClient.fetchQuery({ queryKey: keys.me, queryFn: fetchMe });
      navigate(target, { replace: true });
    } catch (err) {
      setSubmitting(false);
      setError(err instanceof ApiError && err.status === 401 ? t('errors.invalidCredentials') : errorText(t, err));
    }
  };

  return (
    <AuthLayout>
      <h1>{t('auth.title')}</h1>
      {activated && <Alert type="success" showIcon message={t('auth.activated')} className="form-alert" />}
      {passwordReset && <Alert type="success" showIcon message={t('auth.passwordReset')} className="form-alert" />}
      {next && <Alert type="info" showIcon message={t('auth.continue')} className="form-alert" />}
      <ErrorAlert error={error} />
      <Form<LoginForm> name="login" layout="vertical" onFinish={onFinish} requiredMark={false} disabled={submitting} initialValues={{ email }}>
        <Form.Item
          label={t('auth.email')}
          name="email"
          rules={[
            { required: true, message: t('validation.required') },
            { type: 'email', message: t('validation.email') },
          ]}
        >
          <Input type="email" autoComplete="username" autoFocus={!email} />
        </Form.Item>
        <Form.Item label={t('auth.password')} name="password" rules={[{ required: true, message: t('validation.required') }]}>
          <Input.Password autoComplete="current-password" autoFocus={!!email} />
        </Form.Item>
        <p className="auth-note">
          <Link to="/forgot-password">{t('auth.forgot')}</Link>
        </p>
        <Button type="primary" htmlType="submit" block loading={submitting}>
          {t('auth.signIn')}
        </Button>
      </Form>
      <p className="auth-note">{t('auth.noAccount')}</p>
    </AuthLayout>
  );
}
