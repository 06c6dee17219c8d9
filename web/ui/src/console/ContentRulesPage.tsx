import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input, Radio, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { call, orgBase, seg } from '../chat/http';
import { contentRuleKeys } from '../chat/live';
import '../chat/strings';
import { useFormat } from '../lib/hooks';
import { useAction } from '../lib/useAction';
import { FormDialog } from './shared/FormDialog';

type Schemas = components['schemas'];
export type RuleAction = Schemas['ContentRuleAction'];
export type ContentRule = Schemas['ContentRule'];
export type ContentFlag = Schemas['ContentFlag'];

export const rulesApi = {
  rules: (orgID: string) => call<{ items: ContentRule[]; total?: number }>('GET', `${orgBase(orgID)}/content-rules`, { query: { limit: 500 } }),
  add: (orgID: string, body: { phrase: string; action: RuleAction }) => call<ContentRule>('POST', `${orgBase(orgID)}/content-rules`, { body }),
  edit: (orgID: string, id: string, body: { phrase: string; action: RuleAction }) => call<ContentRule>('PATCH', `${orgBase(orgID)}/content-rules/${seg(id)}`, { body }),
  remove: (orgID: string, id: string) => call<unknown>('DELETE', `${orgBase(orgID)}/content-rules/${seg(id)}`),
  flags: (orgID: string, page: number) =>
    call<{ items: ContentFlag[]; total: number }>('GET', `${orgBase(orgID)}/content-flags`, { query: { reviewed: false, limit: 50, offset: (page - 1) * 50 } }),
  review: (orgID: string, id: string, decision: 'dismissed' | 'upheld') => call<unknown>('POST', `${orgBase(orgID)}/content-flags/${seg(id)}/review`, { body: { decision } }),
};

function RuleDialog({ orgID, rule, onClose, onSaved }: { orgID: string; rule?: ContentRule; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  return (
    <FormDialog<{ phrase: string; action: RuleAction }>
      name="content-rule"
      title={rule ? t('rules.editTitle') : t('rules.addTitle')}
      okText={t('common.save')}
      initialValues={rule ? { phrase: rule.phrase, action: rule.action } : { action: 'block' }}
      onClose={onClose}
      onSubmit={async (v) => {
        const body = { phrase: v.phrase.trim(), action: v.action };
        if (rule) await rulesApi.edit(orgID, rule.id, body);
        else await rulesApi.add(orgID, body);
        onSaved();
      }}
    >
      <Form.Item name="phrase" label={t('rules.phrase')} extra={t('rules.phraseHelp')} rules={[{ required: true, whitespace: true, message: t('rules.phraseRequired') }]}>
        <Input maxLength={200} data-testid="rule-phrase" />
      </Form.Item>
      <Form.Item name="action" label={t('rules.action')}>
        <Radio.Group data-testid="rule-action">
          <Radio value="block">{t('rules.block')}</Radio>
          <Radio value="flag">{t('rules.flag')}</Radio>
        </Radio.Group>
      </Form.Item>
    </FormDialog>
  );
}

function ActionTag({ action }: { action: RuleAction }) {
  const { t } = useTranslation();
  return action === 'block' ? <Tag color="red">{t('rules.block')}</Tag> : <Tag color="orange">{t('rules.flag')}</Tag>;
}

function Rules({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const { confirm } = useAction();
  const [editing, setEditing] = useState<ContentRule | 'new'>();
  const rules = useQuery({ queryKey: [...contentRuleKeys.all(orgID), 'rules'], queryFn: () => rulesApi.rules(orgID) });
  const refresh = () => client.invalidateQueries({ queryKey: contentRuleKeys.all(orgID) });
  if (rules.isError) return <PageError error={rules.error} onRetry={() => void rules.refetch()} />;
  return (
    <>
      <div className="toolbar">
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="add-rule">
          {t('rules.add')}
        </Button>
      </div>
      <Table<ContentRule>
        rowKey="id"
        data-testid="content-rules"
        loading={rules.isPending}
        dataSource={rules.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t('rules.none') }}
        columns={[
          { title: t('rules.phrase'), dataIndex: 'phrase', key: 'phrase', render: (p: string) => <span data-testid="rule-row-phrase">{p}</span> },
          { title: t('rules.action'), key: 'action', render: (_, r) => <ActionTag action={r.action} /> },
          { title: t('rules.created'), key: 'created', render: (_, r) => format.dateTime(r.created_at) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, r) => (
              <Space>
                <Button size="small" onClick={() => setEditing(r)} data-testid="edit-rule">
                  {t('rules.edit')}
                </Button>
                <Button
                  size="small"
                  danger
                  data-testid="delete-rule"
                  onClick={() =>
                    confirm({
                      title: t('rules.deleteTitle', { phrase: r.phrase }),
                      okText: t('rules.delete'),
                      success: t('rules.deleted'),
                      run: () => rulesApi.remove(orgID, r.id),
                      refresh,
                    })
                  }
                >
                  {t('rules.delete')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {editing && <RuleDialog orgID={orgID} rule={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} onSaved={() => void refresh()} />}
    </>
  );
}

function Review({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const { perform } = useAction();
  const [page, setPage] = useState(1);
  const flags = useQuery({ queryKey: [...contentRuleKeys.all(orgID), 'flags', page], queryFn: () => rulesApi.flags(orgID, page) });
  const refresh = () => client.invalidateQueries({ queryKey: contentRuleKeys.all(orgID) });
  if (flags.isError) return <PageError error={flags.error} onRetry={() => void flags.refetch()} />;
  return (
    <Table<ContentFlag>
      rowKey="id"
      data-testid="content-flags"
      loading={flags.isPending}
      dataSource={flags.data?.items ?? []}
      pagination={{ current: page, pageSize: 50, total: flags.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
      locale={{ emptyText: t('rules.noFlags') }}
      columns={[
        { title: t('rules.phrase'), dataIndex: 'phrase', key: 'phrase' },
        {
          title: t('rules.where'),
          key: 'where',
          render: (_, f) => (
            <Space direction="vertical" size={0}>
              <span>{f.kind === 'file_name' ? t('rules.kindFile') : t('rules.kindMessage')}</span>
              <Typography.Text type="secondary">{f.sender_name}</Typography.Text>
            </Space>
          ),
        },
        { title: t('rules.excerpt'), dataIndex: 'excerpt', key: 'excerpt' },
        { title: t('rules.when'), key: 'when', render: (_, f) => format.dateTime(f.created_at) },
        {
          title: t('common.actions'),
          key: 'actions',
          render: (_, f) => (
            <Space>
              <Button size="small" data-testid="dismiss-flag" onClick={() => void perform({ run: () => rulesApi.review(orgID, f.id, 'dismissed'), success: t('rules.dismissed'), refresh })}>
                {t('rules.dismiss')}
              </Button>
              <Button size="small" danger data-testid="uphold-flag" onClick={() => void perform({ run: () => rulesApi.review(orgID, f.id, 'upheld'), success: t('rules.upheld'), refresh })}>
                {t('rules.uphold')}
              </Button>
            </Space>
          ),
        },
      ]}
    />
  );
}

/** ContentRulesPage is the organisation's keyword rules (block or flag) and the review list of what was flagged. */
export default function ContentRulesPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  if (!org) return null;
  return (
    <>
      <PageHeader title={t('nav.contentRules')} description={t('rules.intro')} />
      <Tabs
        items={[
          { key: 'rules', label: t('rules.rulesTab'), children: <Rules orgID={org.id} /> },
          { key: 'review', label: <span data-testid="review-tab">{t('rules.reviewTab')}</span>, children: <Review orgID={org.id} /> },
        ]}
      />
    </>
  );
}
