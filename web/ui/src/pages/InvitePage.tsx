import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Result } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { ApiError, api, unwrap } from '../api/client';
import { fetchMe, keys, useInvitationPreview, useMe, useSignOut } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageLoading } from '../components/PageState';
import { currentLanguage } from '../i18n';
import { errorText } from '../lib/errors';
import { browserTimeZone, formatDateTime } from '../lib/format';
import { useTitle } from '../lib/hooks';
import { changePasswordPath } from '../lib/next';
import { roleLabel } from '../lib/labels';
import { nameRules } from '../lib/rules';
import { AuthLayout } from './AuthLayout';

interface AccountForm {
  email: string;
  display_name: string;
  password: string;
}

/**
 * InvitePage is where an invitation link leads (/invite/:token): it names the organisation, then
 * either creates an account (signed out) or adds the signed-in user, and opens the app. An
 * invitation for one email says whose it is; when its person's account was provisioned and never
 * activated, it sends them to activate it first (an invitation never sets a password).
 */
export default function InvitePage() {
  const { t, i18n } = useTranslation();
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { setOrgID } = useCurrentOrg();
  const me = useMe();
  const preview = useInvitationPreview(token);
  const signOut = useSignOut();
  const [error, setError] = useState<string>();
  const [joining, setJoining] = useState(false);
  useTitle(preview.data ? t('invite.title', { org: preview.data.org_name }) : t('invite.pageTitle'));

  if (preview.isPending || me.isPending) {
    return (
      <AuthLayout>
        <PageLoading />
      </AuthLayout>
    );
  }
  if (me.data?.user.must_change_password) {
    return <Navigate to={changePasswordPath(`/invite/${token}`)} replace />;
  }
  if (preview.isError) {
    const err = preview.error;
    const text = err instanceof ApiError && err.status === 404 ? t('invite.invalid') : errorText(t, err);
    const unavailable = err instanceof ApiError && (err.status === 404 || err.status === 409);
    return (
      <AuthLayout>
        <Result
          status={unavailable ? 'warning' : 'error'}
          title={<h1 className="result-title">{t('invite.unavailableTitle')}</h1>}
          subTitle={text}
          extra={
            unavailable ? (
              <Link to="/">{t('invite.goHome')}</Link>
            ) : (
              <Button onClick={() => preview.refetch()}>{t('common.retry')}</Button>
            )
          }
        />
      </AuthLayout>
    );
  }

  const invitation = preview.data;
  const user = me.data?.user;
  const zone = user?.time_zone || browserTimeZone();

  const accept = async (body: Partial<AccountForm> & { locale?: 'en' | 'zh-CN'; time_zone?: string }) => {
    setJoining(true);
    setError(undefined);
    try {
      const joined = await unwrap(api.POST('/api/v1/invitations/{token}/accept', { params: { path: { token } }, body }));
      setOrgID(joined.org_id);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      await queryClient.fetchQuery({ queryKey: keys.me, queryFn: fetchMe });
      navigate('/', { replace: true });
    } catch (err) {
      setJoining(false);
      setError(errorText(t, err));
    }
  };

  return (
    <AuthLayout>
      <h1>{t('invite.title', { org: invitation.org_name })}</h1>
      <p>
        {t('invite.terms', {
          role: roleLabel(t, invitation.role),
          date: formatDateTime(invitation.expires_at, i18n.language, zone),
        })}
      </p>
      {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
      {user ? (
        <>
          <p>{t('invite.signedInAs', { email: user.email })}</p>
          {invitation.account_state === 'needs_activation' ? (
            <Alert type="warning" showIcon message={t('invite.needsActivation')} className="form-alert" />
          ) : invitation.email && invitation.account_state === 'unknown' ? (
            <Alert type="warning" showIcon message={t('invite.otherAccount', { email: invitation.email })} className="form-alert" />
          ) : (
            <Button type="primary" block loading={joining} onClick={() => accept({})}>
              {t('invite.join', { org: invitation.org_name })}
            </Button>
          )}
          <p className="auth-note">
            <Button
              type="link"
              className="inline-link"
              onClick={() => signOut.mutate(undefined, { onError: (err) => setError(errorText(t, err)) })}
            >
              {t('invite.notYou')}
            </Button>
          </p>
        </>
      ) : (
        <>
          {invitation.email && <Alert type="info" showIcon message={t('invite.forEmail', { email: invitation.email })} className="form-alert" />}
          <p>{t('invite.createAccount')}</p>
          <Form<AccountForm>
            name="accept"
            layout="vertical"
            requiredMark={false}
            disabled={joining}
            initialValues={{ email: invitation.email ?? undefined }}
            onFinish={(values) => accept({ ...values, locale: currentLanguage(), time_zone: browserTimeZone() })}
          >
            <Form.Item
              label={t('invite.email')}
              name="email"
              rules={[
                { required: true, message: t('validation.required') },
                { type: 'email', message: t('validation.email') },
              ]}
            >
              <Input type="email" autoComplete="email" />
            </Form.Item>
            <Form.Item
              label={t('invite.displayName')}
              name="display_name"
              rules={nameRules(t)}
            >
              <Input autoComplete="name" />
            </Form.Item>
            <Form.Item
              label={t('invite.password')}
              name="password"
              extra={t('validation.passwordHint')}
              rules={[
                { required: true, message: t('validation.required') },
                { min: 8, message: t('validation.passwordHint') },
                { max: 128, message: t('validation.max', { max: 128 }) },
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={joining}>
              {t('invite.createAndJoin')}
            </Button>
          </Form>
          <p className="auth-note">
            {t('invite.haveAccount')}{' '}
            <Link to={`/login?next=${encodeURIComponent(`/invite/${token}`)}${invitation.email ? `&email=${encodeURIComponent(invitation.email)}` : ''}`}>
              {t('auth.signIn')}
            </Link>
          </p>
        </>
      )}
    </AuthLayout>
  );
}
