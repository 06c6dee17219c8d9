import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, unwrap, type Locale } from '../api/client';
import { keys } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { LANGUAGES, LANGUAGE_NAMES, currentLanguage } from '../i18n';
import { errorText } from '../lib/errors';
import { nameRules } from '../lib/rules';

interface OrgForm {
  name: string;
  default_locale: Locale;
}

/** CreateOrgPage creates an organisation, makes the user its owner and opens its console. */
export default function CreateOrgPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { setOrgID } = useCurrentOrg();
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const onFinish = async (values: OrgForm) => {
    setSaving(true);
    setError(undefined);
    try {
      const org = await unwrap(api.POST('/api/v1/orgs', { body: { ...values, name: values.name.trim() } }));
      await queryClient.invalidateQueries({ queryKey: keys.me });
      setOrgID(org.id);
      message.success(t('org.created', { org: org.name }));
      navigate('/console/setup');
    } catch (err) {
      setError(errorText(t, err));
      setSaving(false);
    }
  };

  return (
    <>
      <PageHeader title={t('org.createTitle')} description={t('org.createText')} />
      <Card className="narrow-card">
        {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
        <Form<OrgForm>
          name="create-org"
          layout="vertical"
          requiredMark={false}
          disabled={saving}
          initialValues={{ default_locale: currentLanguage() }}
          onFinish={onFinish}
        >
          <Form.Item
            label={t('org.name')}
            name="name"
            rules={nameRules(t)}
          >
            <Input autoFocus />
          </Form.Item>
          <Form.Item label={t('org.defaultLanguage')} name="default_locale" extra={t('org.defaultLanguageHelp')}>
            <Select options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('org.create')}
          </Button>
        </Form>
      </Card>
    </>
  );
}
