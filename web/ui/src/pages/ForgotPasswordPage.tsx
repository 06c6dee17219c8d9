import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { useTitle } from '../lib/hooks';
import { useSubmit } from '../lib/useSubmit';
import { AuthLayout } from './AuthLayout';

/**
 * ForgotPasswordPage (/forgot-password) asks for a password reset link by email. The server
 * answers alike whether or not an account has the address, and so does this page.
 */
export default function ForgotPasswordPage() {
  const { t } = useTranslation();
  const { busy, error, submit } = useSubmit();
  const [sent, setSent] = useState(false);
  useTitle(t('reset.requestTitle'));

  const onFinish = ({ email }: { email: string }) =>
    submit(async () => {
      await unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } }));
      setSent(true);
    });

  return (
    <AuthLayout>
      <h1>{t('reset.requestTitle')}</h1>
      {sent ? (
        <Alert type="success" showIcon message={t('reset.sent')} className="form-alert" />
      ) : (
        <>
          <p>{t('reset.requestIntro')}</p>
          <ErrorAlert error={error} />
          <Form<{ email: string }> name="forgot" layout="vertical" requiredMark={false} disabled={busy} onFinish={onFinish}>
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
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('reset.send')}
            </Button>
          </Form>
        </>
      )}
      <p className="auth-note">
        <Link to="/login">{t('reset.back')}</Link>
      </p>
    </AuthLayout>
  );
}
