import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { fetchMe, keys, useMe } from '../api/queries';
import { PageError, PageLoading } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useTitle } from '../lib/hooks';
import { safeNext } from '../lib/next';
import { AuthLayout } from './AuthLayout';

interface LoginForm {
  email: string;
  password: string;
}

/** LoginPage signs in with email and password, then returns to ?next= (a same-origin path). */
export default function LoginPage() {
  const { t } = useTranslation();
  useTitle(t('auth.title'));
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
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
  if (me.data && !submitting) return <Navigate to={next ?? '/'} replace />;

  const onFinish = async (values: LoginForm) => {
    setSubmitting(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/api/v1/auth/login', { body: values }));
      // Nothing cached for whoever was here before may leak into this session.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      await queryClient.fetchQuery({ queryKey: keys.me, queryFn: fetchMe });
      navigate(next ?? '/', { replace: true });
    } catch (err) {
      setSubmitting(false);
      setError(err instanceof ApiError && err.status === 401 ? t('errors.invalidCredentials') : errorText(t, err));
    }
  };

  return (
    <AuthLayout>
      <h1>{t('auth.title')}</h1>
      {next && <Alert type="info" showIcon message={t('auth.continue')} className="form-alert" />}
      {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
      <Form<LoginForm> name="login" layout="vertical" onFinish={onFinish} requiredMark={false} disabled={submitting}>
        <Form.Item
          label={t('auth.email')}
          name="email"
          rules={[
            { required: true, message: t('validation.required') },
            { type: 'email', message: t('validation.email') },
          ]}
        >
          <Input type="email" autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item label={t('auth.password')} name="password" rules={[{ required: true, message: t('validation.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={submitting}>
          {t('auth.signIn')}
        </Button>
      </Form>
      <p className="auth-note">{t('auth.noAccount')}</p>
    </AuthLayout>
  );
}
