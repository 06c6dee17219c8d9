import { Button, Form, Result } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { useTitle } from '../lib/hooks';
import type { LoginState } from '../lib/next';
import { useSubmit } from '../lib/useSubmit';
import { AuthLayout } from './AuthLayout';

/** isInvalid is whether the server said the link is unknown, used, replaced or expired. */
function isInvalid(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.code === 'reset_invalid');
}

/**
 * ResetPasswordPage is where a password reset email leads (/reset-password/:token): the person
 * chooses a new password and goes to sign in with it. It needs no session.
 */
export default function ResetPasswordPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const { busy, error, submit } = useSubmit();
  const [gone, setGone] = useState(false);
  useTitle(t('reset.pageTitle'));

  if (gone) {
    return (
      <AuthLayout>
        <Result
          status="warning"
          title={<h1 className="result-title">{t('reset.title')}</h1>}
          subTitle={t('reset.invalid')}
          extra={<Link to="/forgot-password">{t('reset.again')}</Link>}
        />
      </AuthLayout>
    );
  }

  const onFinish = ({ password }: { password: string }) =>
    submit(
      async () => {
        await unwrap(api.POST('/api/v1/auth/password-reset/{token}', { params: { path: { token } }, body: { password } }));
        const state: LoginState = { passwordReset: true };
        navigate('/login', { replace: true, state });
      },
      (err) => setGone(isInvalid(err)),
    );

  return (
    <AuthLayout>
      <h1>{t('reset.title')}</h1>
      <p>{t('reset.intro')}</p>
      <ErrorAlert error={error} />
      <Form<{ password: string; confirm: string }> name="reset" layout="vertical" requiredMark={false} disabled={busy} onFinish={onFinish}>
        <NewPasswordFields name="password" label={t('reset.password')} confirmLabel={t('reset.confirm')} autoFocus />
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('reset.submit')}
        </Button>
      </Form>
    </AuthLayout>
  );
}
