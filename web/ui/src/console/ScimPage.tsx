import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type SCIMToken } from '../api/client';
import { keys, useSCIMTokens } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { CopyField } from '../components/CopyField';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { nameRules } from '../lib/rules';
import { useAction } from '../lib/useAction';
import { useMediaQuery } from '../lib/useMediaQuery';

interface TokenForm {
  name: string;
  expires_in_days: number;
}

interface Created {
  name: string;
  secret: string;
  url: string;
}

function tokenState(token: SCIMToken, now: number): 'active' | 'revoked' | 'expired' {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && Date.parse(token.expires_at) <= now) return 'expired';
  return 'active';
}

/** ScimPage gives the identity provider its SCIM URL and manages the tokens it signs in with. */
export default function ScimPage() {
  const { t } = useTranslation();
  const { confirm } = useAction();
  const queryClient = useQueryClient();
  const format = useFormat();
  const { org } = useCurrentOrg();
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const tokens = useSCIMTokens(org?.id);
  const [form] = Form.useForm<TokenForm>();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<Created>();
  if (!org) return null;
  const orgID = org.id;
  const scimURL = tokens.data?.scim_url || `${window.location.origin}/scim/v2`;
  const now = Date.now();
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.scimTokens(orgID) });

  const onCreate = async (v: TokenForm) => {
    setCreating(true);
    setError(undefined);
    try {
      const result = await unwrap(
        api.POST('/api/v1/admin/orgs/{orgID}/scim-tokens', { params: { path: { orgID } }, body: { name: v.name.trim(), expires_in_days: v.expires_in_days } }),
      );
      setCreated({ name: result.token.name, secret: result.secret, url: result.scim_url || scimURL });
      form.resetFields();
      void refresh();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setCreating(false);
    }
  };

  const revoke = (token: SCIMToken) =>
    confirm({
      title: t('scim.revokeTitle', { name: token.name }),
      content: t('scim.revokeText'),
      okText: t('scim.revoke'),
      run: () => unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/scim-tokens/{scimTokenID}', { params: { path: { orgID, scimTokenID: token.id } } })),
      success: t('scim.revoked', { name: token.name }),
      refresh: () => void refresh(),
    });

  const state = (s: ReturnType<typeof tokenState>) =>
    s === 'active' ? <Tag color="green">{t('tokens.statusActive')}</Tag> : s === 'revoked' ? <Tag>{t('tokens.statusRevoked')}</Tag> : <Tag color="orange">{t('tokens.statusExpired')}</Tag>;

  return (
    <>
      <PageHeader title={t('scim.title')} description={org.name} />
      <div className="card-stack">
        <Card title={<h2>{t('scim.endpoint')}</h2>}>
          <p className="card-intro">{t('scim.intro')}</p>
          <CopyField label={t('scim.baseURL')} value={scimURL} />
        </Card>
        <Card title={<h2>{t('scim.tokens')}</h2>}>
          <p className="card-intro">{t('scim.tokensIntro')}</p>
          {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
          <Form<TokenForm>
            form={form}
            name="scim-token"
            layout="inline"
            className="token-form"
            requiredMark={false}
            disabled={creating}
            initialValues={{ name: '', expires_in_days: 365 }}
            onFinish={onCreate}
          >
            <Form.Item
              label={t('scim.name')}
              name="name"
              rules={nameRules(t)}
            >
              <Input placeholder={t('scim.namePlaceholder')} />
            </Form.Item>
            <Form.Item label={t('scim.validDays')} name="expires_in_days" extra={t('scim.validDaysHelp')}>
              <InputNumber min={0} max={3650} precision={0} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={creating}>
                {t('scim.create')}
              </Button>
            </Form.Item>
          </Form>
          {tokens.isError ? (
            <PageError error={tokens.error} onRetry={() => tokens.refetch()} />
          ) : (
            <Table<SCIMToken>
              rowKey="id"
              size="small"
              loading={tokens.isPending}
              dataSource={tokens.data?.items ?? []}
              scroll={mobile ? undefined : { x: 'max-content' }}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              locale={{ emptyText: t('scim.none') }}
              columns={[
                { title: t('scim.name'), key: 'name', render: (_, tk) => <span className="member-name">{tk.name}</span> },
                {
                  title: t('scim.actsAs'),
                  key: 'by',
                  render: (_, tk) => (
                    <div className="member-cell">
                      <span>{tk.created_by.display_name}</span>
                      <span className="member-email">{tk.created_by.email}</span>
                    </div>
                  ),
                  responsive: ['md'],
                },
                { title: t('tokens.created'), key: 'created', render: (_, tk) => format.date(tk.created_at), responsive: ['lg'] },
                { title: t('tokens.expires'), key: 'expires', render: (_, tk) => (tk.expires_at ? format.date(tk.expires_at) : t('tokens.never')), responsive: ['sm'] },
                { title: t('tokens.lastUsed'), key: 'used', render: (_, tk) => (tk.last_used_at ? format.dateTime(tk.last_used_at) : t('tokens.neverUsed')), responsive: ['md'] },
                { title: t('tokens.status'), key: 'status', render: (_, tk) => state(tokenState(tk, now)) },
                {
                  title: <span className="visually-hidden">{t('common.actions')}</span>,
                  key: 'actions',
                  render: (_, tk) =>
                    tokenState(tk, now) === 'active' && (
                      <Button size="small" danger onClick={() => revoke(tk)} aria-label={t('scim.revokeNamed', { name: tk.name })}>
                        {t('scim.revoke')}
                      </Button>
                    ),
                },
              ]}
            />
          )}
        </Card>
      </div>
      <Modal
        open={!!created}
        title={t('tokens.secretTitle')}
        onCancel={() => setCreated(undefined)}
        footer={
          <Button type="primary" onClick={() => setCreated(undefined)}>
            {t('common.done')}
          </Button>
        }
        destroyOnHidden
      >
        {created && (
          <>
            <p>{t('scim.secretText')}</p>
            <CopyField label={t('tokens.secretLabel', { name: created.name })} value={created.secret} />
            <div className="dialog-field">
              <CopyField label={t('scim.baseURL')} value={created.url} />
            </div>
          </>
        )}
      </Modal>
    </>
  );
}
