import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Form, Input, Modal, Space, Table, Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useCurrentOrg } from '../auth/OrgContext';
import { CopyField } from '../components/CopyField';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { useAction } from '../lib/useAction';
import { useMediaQuery } from '../lib/useMediaQuery';

type Schemas = components['schemas'];
export type Webhook = Schemas['WebhookSubscription'];
export type WebhookDelivery = Schemas['WebhookDelivery'];

interface WebhookForm {
  url: string;
  event_types: string[];
}

const webhookKeys = {
  list: (orgID: string) => ['webhooks', orgID] as const,
  deliveries: (orgID: string, id: string) => ['webhooks', orgID, 'deliveries', id] as const,
};

/** eventTypeLabel names an event type, or shows it as it is when the console does not know it yet. */
export function eventTypeLabel(t: TFunction, type: string): string {
  switch (type) {
    case 'files.file_shared':
      return t('webhooks.types.files.file_shared');
    case 'files.file_uploaded':
      return t('webhooks.types.files.file_uploaded');
    case 'tasks.task_assigned':
      return t('webhooks.types.tasks.task_assigned');
    case 'tasks.task_completed':
      return t('webhooks.types.tasks.task_completed');
    case 'tasks.task_due_soon':
      return t('webhooks.types.tasks.task_due_soon');
    case 'tasks.task_overdue':
      return t('webhooks.types.tasks.task_overdue');
    case 'tasks.comment_added':
      return t('webhooks.types.tasks.comment_added');
    case 'tasks.mentioned':
      return t('webhooks.types.tasks.mentioned');
    case 'webhooks.ping':
      return t('webhooks.types.webhooks.ping');
    default:
      return type;
  }
}

function deliveryStatus(t: TFunction, status: WebhookDelivery['status']): string {
  switch (status) {
    case 'succeeded':
      return t('webhooks.statuses.succeeded');
    case 'failed':
      return t('webhooks.statuses.failed');
    default:
      return t('webhooks.statuses.pending');
  }
}

function statusTag(t: TFunction, w: Webhook) {
  if (w.active) return <Tag color="green">{t('webhooks.active')}</Tag>;
  if (w.paused_at) return <Tag color="red">{t('webhooks.paused', { count: w.failure_count })}</Tag>;
  return <Tag>{t('webhooks.off')}</Tag>;
}

function deliveryTag(t: TFunction, d: WebhookDelivery) {
  const color = d.status === 'succeeded' ? 'green' : d.status === 'failed' ? 'red' : 'gold';
  return <Tag color={color}>{deliveryStatus(t, d.status)}</Tag>;
}

/**
 * WebhooksPage lets the organisation's admins subscribe their systems to events: the
 * subscriptions, a new one with its secret shown once, and each one's deliveries with a
 * redeliver button.
 */
export default function WebhooksPage() {
  const { t } = useTranslation();
  const { perform, confirm } = useAction();
  const queryClient = useQueryClient();
  const format = useFormat();
  const { org } = useCurrentOrg();
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const [form] = Form.useForm<WebhookForm>();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string>();
  const [secret, setSecret] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const orgID = org?.id ?? '';
  const list = useQuery({
    queryKey: webhookKeys.list(orgID),
    queryFn: () => unwrap(api.GET('/api/v1/admin/orgs/{orgID}/webhooks', { params: { path: { orgID } } })),
    enabled: !!orgID,
  });
  const current = list.data?.items.find((w) => w.id === selected);
  const deliveries = useQuery({
    queryKey: webhookKeys.deliveries(orgID, selected ?? ''),
    queryFn: () =>
      unwrap(api.GET('/api/v1/admin/orgs/{orgID}/webhooks/{webhookID}/deliveries', { params: { path: { orgID, webhookID: selected! } } })),
    enabled: !!orgID && !!current,
    placeholderData: keepPreviousData,
  });
  if (!org) return null;
  const refresh = () => queryClient.invalidateQueries({ queryKey: webhookKeys.list(orgID) });
  const eventTypes = list.data?.event_types ?? [];

  const onCreate = async (v: WebhookForm) => {
    setCreating(true);
    setError(undefined);
    try {
      const created = await unwrap(
        api.POST('/api/v1/admin/orgs/{orgID}/webhooks', { params: { path: { orgID } }, body: { url: v.url.trim(), event_types: v.event_types } }),
      );
      setSecret(created.secret);
      setSelected(created.id);
      form.resetFields();
      void refresh();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setCreating(false);
    }
  };

  const setActive = (w: Webhook, active: boolean) =>
    perform({
      run: () => unwrap(api.PATCH('/api/v1/admin/orgs/{orgID}/webhooks/{webhookID}', { params: { path: { orgID, webhookID: w.id } }, body: { active } })),
      success: t('webhooks.updated'),
      refresh,
    });

  const ping = (w: Webhook) =>
    perform({
      run: () => unwrap(api.POST('/api/v1/admin/orgs/{orgID}/webhooks/{webhookID}/ping', { params: { path: { orgID, webhookID: w.id } } })),
      success: t('webhooks.pinged'),
      refresh: () => queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(orgID, w.id) }),
    });

  const remove = (w: Webhook) =>
    confirm({
      title: t('webhooks.deleteTitle', { url: w.url }),
      content: t('webhooks.deleteText'),
      okText: t('webhooks.delete'),
      run: () => unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/webhooks/{webhookID}', { params: { path: { orgID, webhookID: w.id } } })),
      success: t('webhooks.deleted'),
      refresh: () => {
        if (selected === w.id) setSelected(undefined);
        void refresh();
      },
    });

  const redeliver = (d: WebhookDelivery) =>
    perform({
      run: () =>
        unwrap(
          api.POST('/api/v1/admin/orgs/{orgID}/webhooks/{webhookID}/deliveries/{deliveryID}/redeliver', {
            params: { path: { orgID, webhookID: d.subscription_id, deliveryID: d.id } },
          }),
        ),
      success: t('webhooks.redelivered'),
      refresh: () => queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(orgID, d.subscription_id) }),
    });

  return (
    <>
      <PageHeader title={t('webhooks.title')} description={org.name} />
      <div className="card-stack">
        <Card title={<h2>{t('webhooks.subscriptions')}</h2>}>
          <p className="card-intro">{t('webhooks.intro')}</p>
          {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
          <Form<WebhookForm>
            form={form}
            name="webhook"
            layout="vertical"
            requiredMark={false}
            disabled={creating}
            initialValues={{ url: '', event_types: [] }}
            onFinish={onCreate}
          >
            <Form.Item label={t('webhooks.url')} name="url" extra={t('webhooks.urlHelp')} rules={[{ required: true, whitespace: true, message: t('webhooks.urlRequired') }]}>
              <Input type="url" inputMode="url" placeholder="https://" maxLength={2048} />
            </Form.Item>
            <Form.Item label={t('webhooks.eventTypes')} name="event_types" rules={[{ required: true, type: 'array', min: 1, message: t('webhooks.eventTypesRequired') }]}>
              <Checkbox.Group options={eventTypes.map((type) => ({ value: type, label: eventTypeLabel(t, type) }))} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={creating}>
                {t('webhooks.create')}
              </Button>
            </Form.Item>
          </Form>
          {list.isError ? (
            <PageError error={list.error} onRetry={() => list.refetch()} />
          ) : (
            <Table<Webhook>
              rowKey="id"
              size="small"
              loading={list.isPending}
              dataSource={list.data?.items ?? []}
              scroll={mobile ? undefined : { x: 'max-content' }}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              locale={{ emptyText: t('webhooks.none') }}
              columns={[
                {
                  title: t('webhooks.url'),
                  key: 'url',
                  render: (_, w) => (
                    <Button type="link" className="link-button" onClick={() => setSelected(w.id)} aria-label={t('webhooks.showDeliveries', { url: w.url })}>
                      {w.url}
                    </Button>
                  ),
                },
                {
                  title: t('webhooks.eventTypes'),
                  key: 'types',
                  render: (_, w) => w.event_types.map((type) => <Tag key={type}>{eventTypeLabel(t, type)}</Tag>),
                  responsive: ['md'],
                },
                { title: t('webhooks.status'), key: 'status', render: (_, w) => statusTag(t, w) },
                {
                  title: <span className="visually-hidden">{t('common.actions')}</span>,
                  key: 'actions',
                  render: (_, w) => (
                    <Space wrap>
                      <Button size="small" onClick={() => setActive(w, !w.active)}>
                        {w.active ? t('webhooks.disable') : t('webhooks.enable')}
                      </Button>
                      <Button size="small" onClick={() => ping(w)}>
                        {t('webhooks.ping')}
                      </Button>
                      <Button size="small" danger onClick={() => remove(w)} aria-label={t('webhooks.deleteNamed', { url: w.url })}>
                        {t('webhooks.delete')}
                      </Button>
                    </Space>
                  ),
                },
              ]}
            />
          )}
        </Card>
        <Card title={<h2>{current ? t('webhooks.deliveriesOf', { url: current.url }) : t('webhooks.deliveries')}</h2>}>
          {!current ? (
            <p className="card-intro">{t('webhooks.pickOne')}</p>
          ) : deliveries.isError ? (
            <PageError error={deliveries.error} onRetry={() => deliveries.refetch()} />
          ) : (
            <Table<WebhookDelivery>
              rowKey="id"
              size="small"
              loading={deliveries.isPending}
              dataSource={deliveries.data?.items ?? []}
              scroll={mobile ? undefined : { x: 'max-content' }}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              locale={{ emptyText: t('webhooks.noDeliveries') }}
              columns={[
                { title: t('webhooks.event'), key: 'event', render: (_, d) => eventTypeLabel(t, d.event_type) },
                { title: t('webhooks.status'), key: 'status', render: (_, d) => deliveryTag(t, d) },
                { title: t('webhooks.attempts'), key: 'attempts', dataIndex: 'attempts', responsive: ['sm'] },
                {
                  title: t('webhooks.result'),
                  key: 'result',
                  render: (_, d) =>
                    d.attempts === 0 ? '—' : (
                      <Tooltip title={d.last_error || undefined}>
                        <span>{d.last_status ? `HTTP ${d.last_status}` : t('webhooks.noAnswer')}</span>
                      </Tooltip>
                    ),
                  responsive: ['md'],
                },
                { title: t('webhooks.created'), key: 'created', render: (_, d) => format.dateTime(d.created_at), responsive: ['lg'] },
                {
                  title: <span className="visually-hidden">{t('common.actions')}</span>,
                  key: 'actions',
                  render: (_, d) =>
                    d.status !== 'pending' && (
                      <Button size="small" onClick={() => redeliver(d)}>
                        {t('webhooks.redeliver')}
                      </Button>
                    ),
                },
              ]}
            />
          )}
        </Card>
      </div>
      <Modal
        open={!!secret}
        title={t('webhooks.secretTitle')}
        onCancel={() => setSecret(undefined)}
        footer={
          <Button type="primary" onClick={() => setSecret(undefined)}>
            {t('common.done')}
          </Button>
        }
        destroyOnHidden
      >
        {secret && (
          <>
            <p>{t('webhooks.secretText')}</p>
            <CopyField label={t('webhooks.secretLabel')} value={secret} />
          </>
        )}
      </Modal>
    </>
  );
}
