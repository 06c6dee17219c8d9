import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Locale, type Organisation } from '../api/client';
import { keys, useOrg } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { LANGUAGES, LANGUAGE_NAMES } from '../i18n';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { nameRules } from '../lib/rules';

interface SettingsForm {
  name: string;
  default_locale: Locale;
}

/** SettingsPage edits the organisation's name and default language. */
export default function SettingsPage() {
  const { t } = useTranslation();
  const { org: membership } = useCurrentOrg();
  const org = useOrg(membership?.id);
  return (
    <>
      <PageHeader title={t('settings.title')} description={membership?.name} />
      {org.isPending ? (
        <PageLoading />
      ) : org.isError ? (
        <PageError error={org.error} onRetry={() => org.refetch()} />
      ) : (
        <SettingsCard org={org.data} key={org.data.id} />
      )}
    </>
  );
}

function SettingsCard({ org }: { org: Organisation }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const format = useFormat();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const onFinish = async (values: SettingsForm) => {
    setSaving(true);
    setError(undefined);
    try {
      const updated = await unwrap(
        api.PATCH('/api/v1/orgs/{orgID}', { params: { path: { orgID: org.id } }, body: { ...values, name: values.name.trim() } }),
      );
      queryClient.setQueryData(keys.org(org.id), updated);
      // The organisation's name also appears in the switcher, which comes from /me.
      void queryClient.invalidateQueries({ queryKey: keys.me });
      message.success(t('settings.saved'));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="card-stack">
      <Card title={<h2>{t('settings.general')}</h2>}>
        {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
        <Form<SettingsForm>
          name="org-settings"
          layout="vertical"
          requiredMark={false}
          disabled={saving}
          initialValues={{ name: org.name, default_locale: org.default_locale }}
          onFinish={onFinish}
          className="narrow-form"
        >
          <Form.Item
            label={t('org.name')}
            name="name"
            rules={nameRules(t)}
          >
            <Input />
          </Form.Item>
          <Form.Item label={t('org.defaultLanguage')} name="default_locale" extra={t('org.defaultLanguageHelp')}>
            <Select options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('common.save')}
          </Button>
        </Form>
      </Card>
      <Card title={<h2>{t('settings.about')}</h2>}>
        <Descriptions
          column={1}
          size="small"
          items={[
            { key: 'members', label: t('settings.memberCount'), children: org.member_count },
            { key: 'created', label: t('settings.created'), children: format.dateTime(org.created_at) },
            { key: 'id', label: t('settings.id'), children: <code>{org.id}</code> },
          ]}
        />
      </Card>
    </div>
  );
}
