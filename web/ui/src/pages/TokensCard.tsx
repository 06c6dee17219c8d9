import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type APIToken, type CreatedToken } from '../api/client';
import { keys, useTokens } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { CopyField } from '../components/CopyField';
import { PageError } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { nameRules } from '../lib/rules';
import { useAction } from '../lib/useAction';

interface TokenForm {
  name: string;
  expires_in_days: number;
}

function tokenState(token: APIToken, now: number): 'active' | 'revoked' | 'expired' {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && Date.parse(token.expires_at) <= now) return 'expired';
  return 'active';
}

/** TokensCard lists, creates and revokes the user's API tokens in the current organisation. */
export function TokensCard() {
  const { t } = useTranslation();
  const { confirm } = useAction();
  const queryClient = useQueryClient();
  const format = useFormat();
  const { org } = useCurrentOrg();
  const tokens = useTokens(org?.id);
  const [form] = Form.useForm<TokenForm>();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CreatedToken>();

  if (!org) {
    return (
      <Card title={<h2>{t('tokens.title')}</h2>}>
        <p>{t('tokens.noOrg')}</p>
      </Card>
    );
  }

  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.tokens(org.id) });

  const onCreate = async (values: TokenForm) => {
    setCreating(true);
    setError(undefined);
    try {
      const result = await unwrap(
        api.POST('/api/v1/orgs/{orgID}/tokens', { params: { path: { orgID: org.id } }, body: { ...values, name: values.name.trim() } }),
      );
      setCreated(result);
      form.resetFields();
      void refresh();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setCreating(false);
    }
  };

  const onRevoke = (token: APIToken) =>
    confirm({
      title: t('tokens.revokeTitle'),
      content: t('tokens.revokeConfirm', { name: token.name }),
      okText: t('tokens.revoke'),
      run: () => unwrap(api.DELETE('/api/v1/orgs/{orgID}/tokens/{tokenID}', { params: { path: { orgID: org.id, tokenID: token.id } } })),
      success: t('tokens.revoked'),
      refresh: () => void refresh(),
    });

  const now = Date.now();
  return (
    <Card title={<h2>{t('tokens.title')}</h2>}>
      <p>{t('tokens.intro', { org: org.name })}</p>
      {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
      <Form<TokenForm>
        form={form}
        name="token"
        layout="inline"
        requiredMark={false}
        disabled={creating}
        initialValues={{ expires_in_days: 90 }}
        onFinish={onCreate}
        className="token-form"
      >
        <Form.Item
          label={t('tokens.name')}
          name="name"
          rules={nameRules(t)}
        >
          <Input />
        </Form.Item>
        <Form.Item label={t('tokens.expiresInDays')} name="expires_in_days" rules={[{ required: true, message: t('validation.required') }]}>
          <InputNumber min={1} max={365} precision={0} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={creating}>
            {t('tokens.create')}
          </Button>
        </Form.Item>
      </Form>
      {tokens.isError ? (
        <PageError error={tokens.error} onRetry={() => tokens.refetch()} />
      ) : (
        <Table<APIToken>
          rowKey="id"
          size="small"
          loading={tokens.isPending}
          dataSource={tokens.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('tokens.empty') }}
          columns={[
            { title: t('tokens.name'), dataIndex: 'name', key: 'name' },
            { title: t('tokens.created'), key: 'created', render: (_, tk) => format.dateTime(tk.created_at), responsive: ['md'] },
            { title: t('tokens.expires'), key: 'expires', render: (_, tk) => (tk.expires_at ? format.dateTime(tk.expires_at) : t('tokens.never')) },
            {
              title: t('tokens.lastUsed'),
              key: 'last_used',
              render: (_, tk) => (tk.last_used_at ? format.dateTime(tk.last_used_at) : t('tokens.neverUsed')),
              responsive: ['md'],
            },
            {
              title: t('tokens.status'),
              key: 'status',
              render: (_, tk) => {
                const state = tokenState(tk, now);
                return state === 'active' ? (
                  <Tag color="green">{t('tokens.statusActive')}</Tag>
                ) : state === 'revoked' ? (
                  <Tag>{t('tokens.statusRevoked')}</Tag>
                ) : (
                  <Tag color="orange">{t('tokens.statusExpired')}</Tag>
                );
              },
            },
            {
              title: <span className="visually-hidden">{t('common.actions')}</span>,
              key: 'actions',
              render: (_, tk) =>
                tokenState(tk, now) === 'active' && (
                  <Button size="small" danger onClick={() => onRevoke(tk)} aria-label={t('tokens.revokeNamed', { name: tk.name })}>
                    {t('tokens.revoke')}
                  </Button>
                ),
            },
          ]}
        />
      )}
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
          <Space direction="vertical" className="full-width">
            <Alert type="warning" showIcon message={t('tokens.secretText')} />
            <CopyField label={t('tokens.secretLabel', { name: created.token.name })} value={created.secret} />
          </Space>
        )}
      </Modal>
    </Card>
  );
}
