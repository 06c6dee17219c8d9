import { CheckOutlined, PushpinFilled } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageError } from '../components/PageState';
import { announcementKeys } from '../chat/live';
import { chatErrorText } from '../chat/errors';
import { useFormat } from '../lib/hooks';
import { announcementsApi, isPending, sortForMe, useMyAnnouncements, type Announcement } from './api';
import { ScopeTag } from './ScopeTag';

function Item({ orgID, a }: { orgID: string; a: Announcement }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const format = useFormat();
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const pending = isPending(a);
  const ack = async () => {
    setBusy(true);
    try {
      await announcementsApi.ack(orgID, a.id);
      client.setQueryData<{ items: Announcement[] }>(announcementKeys.mine(orgID), (d) =>
        d ? { ...d, items: d.items.map((x) => (x.id === a.id ? { ...x, acked_at: new Date().toISOString() } : x)) } : d,
      );
      void client.invalidateQueries({ queryKey: announcementKeys.all(orgID) });
      message.success(t('announcements.acked'));
    } catch (err) {
      message.error(chatErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <List.Item
      className={`announcement${pending ? ' announcement-pending' : ''}`}
      data-testid="announcement"
      data-id={a.id}
      data-pending={pending ? 'true' : 'false'}
      actions={
        pending
          ? [
              <Button key="ack" type="primary" icon={<CheckOutlined />} loading={busy} onClick={() => void ack()} data-testid="ack-button">
                {t('announcements.ack')}
              </Button>,
            ]
          : a.requires_ack && a.acked_at
            ? [
                <Typography.Text key="acked" type="success" data-testid="acked-mark">
                  {t('announcements.ackedAt', { when: format.dateTime(a.acked_at) })}
                </Typography.Text>,
              ]
            : []
      }
    >
      <List.Item.Meta
        title={
          <Space wrap>
            {pending && <PushpinFilled aria-label={t('announcements.pendingMark')} className="announcement-pin" />}
            <strong className="announcement-title">{a.title}</strong>
            {pending && <Tag color="orange">{t('announcements.needsAck')}</Tag>}
            <ScopeTag scope={a.scope} name={a.target_name} />
          </Space>
        }
        description={
          <>
            <Typography.Text type="secondary">{t('announcements.byline', { name: a.published_by_name, when: format.dateTime(a.published_at) })}</Typography.Text>
            {/* The server renders the Markdown and sanitises it (bluemonday). */}
            <div className="markdown announcement-body" dangerouslySetInnerHTML={{ __html: a.body_html }} />
          </>
        }
      />
    </List.Item>
  );
}

/** AnnouncementList is the announcements addressed to me, those waiting for my acknowledgement pinned first. */
export function AnnouncementList({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const list = useMyAnnouncements(orgID);
  if (list.isError) return <PageError error={list.error} onRetry={() => void list.refetch()} />;
  const items = sortForMe(list.data?.items ?? []);
  return (
    <List
      loading={list.isPending}
      dataSource={items}
      data-testid="announcement-list"
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('announcements.none')} /> }}
      renderItem={(a) => <Item key={a.id} orgID={orgID} a={a} />}
    />
  );
}
