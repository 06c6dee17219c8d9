import { BellOutlined, DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Drawer, Empty, List, Progress, Space, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { PageError } from '../components/PageState';
import { chatErrorText } from '../chat/errors';
import { announcementKeys } from '../chat/live';
import { tryAgainText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { ackProgress, announcementsApi, useAcks, usePublished, type PublishedAnnouncement } from './api';
import { ComposeDialog } from './ComposeDialog';
import { ScopeTag } from './ScopeTag';

/** AckProgress is "acked / total" with a bar. */
export function AckProgress({ a }: { a: PublishedAnnouncement }) {
  const { t } = useTranslation();
  const p = ackProgress(a);
  return (
    <div className="ack-progress" data-testid="announcement-progress" data-acked={p.acked} data-total={p.total}>
      <Progress percent={p.percent} size="small" showInfo={false} aria-label={t('announcements.progressLabel', { acked: p.acked, total: p.total })} />
      <span className="ack-progress-text">{t('announcements.progress', { acked: p.acked, total: p.total })}</span>
    </div>
  );
}

function AckList({ orgID, id, state }: { orgID: string; id: string; state: 'acked' | 'pending' }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [page, setPage] = useState(1);
  const acks = useAcks(orgID, id, state, page);
  if (acks.isError) return <PageError error={acks.error} onRetry={() => void acks.refetch()} />;
  return (
    <Table
      size="small"
      rowKey="user_id"
      data-testid={`acks-${state}`}
      loading={acks.isPending}
      dataSource={acks.data?.items ?? []}
      pagination={{ current: page, pageSize: 50, total: acks.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
      locale={{ emptyText: state === 'acked' ? t('announcements.noneAcked') : t('announcements.nonePending') }}
      columns={[
        { title: t('announcements.person'), dataIndex: 'name', key: 'name' },
        { title: t('announcements.department'), dataIndex: 'department', key: 'department' },
        ...(state === 'acked' ? [{ title: t('announcements.ackedWhen'), key: 'acked_at', render: (_: unknown, r: { acked_at?: string | null }) => format.dateTime(r.acked_at) }] : []),
      ]}
    />
  );
}

/** AckDetails is the publisher's drawer: progress, who acknowledged and who not, Remind and CSV. */
function AckDetails({ orgID, a, onClose }: { orgID: string; a: PublishedAnnouncement; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const p = ackProgress(a);
  const remind = async () => {
    setBusy(true);
    try {
      const r = await announcementsApi.remind(orgID, a.id);
      message.success(t('announcements.reminded', { count: r.reminded }));
    } catch (err) {
      message.error(err instanceof ApiError && err.status === 429 ? tryAgainText(t, err.retryAfter) : chatErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer open onClose={onClose} width={640} title={a.title} data-testid="ack-details">
      <AckProgress a={a} />
      {a.requires_ack && (
        <Space className="ack-actions" wrap>
          <Button icon={<BellOutlined />} loading={busy} onClick={() => void remind()} disabled={p.acked >= p.total} data-testid="remind-button">
            {t('announcements.remind')}
          </Button>
          <Button icon={<DownloadOutlined />} href={announcementsApi.csvUrl(orgID, a.id)} data-testid="acks-csv">
            {t('announcements.csv')}
          </Button>
        </Space>
      )}
      <Tabs
        items={[
          { key: 'pending', label: t('announcements.pendingTab', { count: Math.max(0, p.total - p.acked) }), children: <AckList orgID={orgID} id={a.id} state="pending" /> },
          { key: 'acked', label: t('announcements.ackedTab', { count: p.acked }), children: <AckList orgID={orgID} id={a.id} state="acked" /> },
        ]}
      />
    </Drawer>
  );
}

/**
 * PublisherView is what someone with announcements.publish sees: compose, and each published
 * announcement with its acknowledgement progress, which refreshes while shown.
 */
export function PublisherView({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const published = usePublished(orgID, true);
  const [composing, setComposing] = useState(false);
  const [openID, setOpenID] = useState<string>();
  if (published.isError) return <PageError error={published.error} onRetry={() => void published.refetch()} />;
  const items = published.data?.items ?? [];
  const open = items.find((a) => a.id === openID);
  return (
    <div className="publisher-view">
      <div className="toolbar">
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setComposing(true)} data-testid="announce-new">
          {t('announcements.compose')}
        </Button>
      </div>
      <List
        loading={published.isPending}
        dataSource={items}
        data-testid="published-list"
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('announcements.nonePublished')} /> }}
        renderItem={(a) => (
          <List.Item
            key={a.id}
            data-testid="published-announcement"
            data-id={a.id}
            actions={[
              <Button key="open" onClick={() => setOpenID(a.id)} data-testid="open-acks">
                {t('announcements.details')}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={
                <Space wrap>
                  <strong>{a.title}</strong>
                  <ScopeTag scope={a.scope} name={a.target_name} />
                </Space>
              }
              description={
                <>
                  <Typography.Text type="secondary">{t('announcements.byline', { name: a.published_by_name, when: format.dateTime(a.published_at) })}</Typography.Text>
                  {a.requires_ack ? <AckProgress a={a} /> : <div>{t('announcements.noAckNeeded')}</div>}
                </>
              }
            />
          </List.Item>
        )}
      />
      {open && <AckDetails orgID={orgID} a={open} onClose={() => setOpenID(undefined)} />}
      {composing && (
        <ComposeDialog
          orgID={orgID}
          onClose={() => setComposing(false)}
          onPublished={() => void client.invalidateQueries({ queryKey: announcementKeys.all(orgID) })}
        />
      )}
    </div>
  );
}
