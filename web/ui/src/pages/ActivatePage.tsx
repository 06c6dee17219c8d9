import { Button, Descriptions, Form, Result } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { useActivationPreview } from '../api/queries';
import { ErrorAlert } from '../components/ErrorAlert';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { PageLoading } from '../components/PageState';
import { errorText } from '../lib/errors';
import { browserTimeZone, formatDateTime } from '../lib/format';
import { useTitle } from '../lib/hooks';
import type { LoginState } from '../lib/next';
import { useSubmit } from '../lib/useSubmit';
import { AuthLayout } from './AuthLayout';

interface ActivateForm {
  password: string;
  confirm: string;
}

/** isInvalid is whether the server said the link is unknown, used or expired. */
function isInvalid(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.code === 'activation_invalid');
}

/**
 * ActivatePage is where an activation link leads (/activate/:token): a person whose account an
 * organisation provisioned sees whose account it is, chooses its first password, and goes to
 * sign in with it. It needs no session, so it works in a browser that has never seen Canopy.
 */
export default function ActivatePage() {
  const { t, i18n } = useTranslation();
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const preview = useActivationPreview(token);
  const { busy, error, submit } = useSubmit();
  // The link can stop working while the page is open: used elsewhere, replaced, or expired.
  const [gone, setGone] = useState(false);
  useTitle(t('activate.pageTitle'));

  if (preview.isPending) {
    return (
      <AuthLayout>
        <PageLoading />
      </AuthLayout>
    );
  }
  if (preview.isError || gone) {
    const invalid = gone || isInvalid(preview.error);
    return (
      <AuthLayout>
        <Result
          status={invalid ? 'warning' : 'error'}
          title={<h1 className="result-title">{t('activate.unavailableTitle')}</h1>}
          subTitle={invalid ? t('activate.invalid') : errorText(t, preview.error)}
          extra={
            invalid ? (
              <Link to="/login">{t('activate.goSignIn')}</Link>
            ) : (
              <Button onClick={() => preview.refetch()}>{t('common.retry')}</Button>
            )
          }
        />
      </AuthLayout>
    );
  }

  const account = preview.data;
  const onFinish = ({ password }: ActivateForm) =>
    submit(
      async () => {
        const done = await unwrap(api.POST('/api/v1/activation/{token}', { params: { path: { token } }, body: { password } }));
        const state: LoginState = { activated: true };
        navigate(`/login?email=${encodeURIComponent(done.email)}`, { replace: true, state });
      },
      (err) => setGone(isInvalid(err)),
    );

  return (
    <AuthLayout>
      <h1>{t('activate.title', { org: account.org_name })}</h1>
      <p>{t('activate.intro', { name: account.display_name })}</p>
      <Descriptions
        column={1}
        size="small"
        className="activation-facts"
        items={[
          { key: 'email', label: t('activate.email'), children: account.email },
          { key: 'expires', label: t('activate.validUntil'), children: formatDateTime(account.expires_at, i18n.language, browserTimeZone()) },
        ]}
      />
      <ErrorAlert error={error} />
      <Form<ActivateForm> name="activate" layout="vertical" requiredMark={false} disabled={busy} onFinish={onFinish}>
        {/* The account's name for password managers, which save the new password under it. */}
        <input type="email" name="username" autoComplete="username" value={account.email} readOnly hidden />
        <NewPasswordFields name="password" label={t('activate.password')} confirmLabel={t('activate.confirm')} autoFocus />
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('activate.submit')}
        </Button>
      </Form>
    </AuthLayout>
  );
}
