import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Form, Input, Select } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Locale, type Me } from '../api/client';
import { keys, useMe } from '../api/queries';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { LANGUAGES, LANGUAGE_NAMES, applyLanguage } from '../i18n';
import { errorText } from '../lib/errors';
import { timeZones } from '../lib/format';
import { useFormat } from '../lib/hooks';
import { nameRules } from '../lib/rules';
import { PreferencesCard } from '../notifications/PreferencesCard';
import { TokensCard } from './TokensCard';

interface ProfileForm {
  display_name: string;
  locale: Locale;
  time_zone: string;
}

interface PasswordForm {
  current_password: string;
  new_password: string;
  confirm: string;
}

/** ProfilePage is the user's own settings: name, language, time zone, password and API tokens. */
export default function ProfilePage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <>
      <PageHeader title={t('profile.title')} />
      {me.isPending ? (
        <PageLoading />
      ) : me.isError || !me.data ? (
        <PageError error={me.error} onRetry={() => me.refetch()} />
      ) : (
        <div className="card-stack">
          <DetailsCard me={me.data} />
          {me.data.auth.method === 'session' && <PasswordCard />}
          <PreferencesCard />
          <TokensCard />
        </div>
      )}
    </>
  );
}

function DetailsCard({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const format = useFormat();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const zones = useMemo(() => {
    const all = timeZones();
    return (all.includes(me.user.time_zone) ? all : [me.user.time_zone, ...all]).map((z) => ({ value: z, label: z.replace(/_/g, ' ') }));
  }, [me.user.time_zone]);

  const onFinish = async (values: ProfileForm) => {
    setSaving(true);
    setError(undefined);
    try {
      const user = await unwrap(api.PATCH('/api/v1/me', { body: { ...values, display_name: values.display_name.trim() } }));
      queryClient.setQueryData<Me | null>(keys.me, (old) => (old ? { ...old, user } : old));
      await applyLanguage(user.locale);
      message.success(t('profile.saved'));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title={<h2>{t('profile.details')}</h2>}>
      <Descriptions
        column={1}
        size="small"
        className="profile-facts"
        items={[
          { key: 'email', label: t('profile.email'), children: me.user.email },
          { key: 'since', label: t('profile.memberSince'), children: format.date(me.user.created_at) },
        ]}
      />
      {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
      <Form<ProfileForm>
        name="profile"
        layout="vertical"
        requiredMark={false}
        disabled={saving}
        initialValues={{ display_name: me.user.display_name, locale: me.user.locale, time_zone: me.user.time_zone }}
        onFinish={onFinish}
        className="narrow-form"
      >
        <Form.Item
          label={t('profile.displayName')}
          name="display_name"
          rules={nameRules(t)}
        >
          <Input autoComplete="name" />
        </Form.Item>
        <Form.Item label={t('profile.language')} name="locale">
          <Select options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
        </Form.Item>
        <Form.Item label={t('profile.timeZone')} name="time_zone" extra={t('profile.timeZoneHelp')}>
          <Select showSearch options={zones} optionFilterProp="label" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}

function PasswordCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordForm>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const onFinish = async ({ current_password, new_password }: PasswordForm) => {
    setSaving(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/api/v1/me/password', { body: { current_password, new_password } }));
      form.resetFields();
      message.success(t('profile.passwordChanged'));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title={<h2>{t('profile.passwordTitle')}</h2>}>
      {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
      <Form<PasswordForm> form={form} name="password" layout="vertical" requiredMark={false} disabled={saving} onFinish={onFinish} className="narrow-form">
        <Form.Item label={t('profile.currentPassword')} name="current_password" rules={[{ required: true, message: t('validation.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <NewPasswordFields />
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('profile.changePassword')}
        </Button>
      </Form>
    </Card>
  );
}
