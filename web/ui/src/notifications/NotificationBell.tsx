import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useFormat } from '../lib/hooks';
import { openHref, useMarkAllRead, useMarkRead, useNotifications, useUnreadCount, type Notification } from './api';

/** notificationText is a notification in the user's language: "Li Lei shared 报告.pdf with you". */
export function useNotificationText() {
  const { t } = useTranslation();
  return (n: Notification) => {
    const p = n.payload as Record<string, unknown>;
    const actor = typeof p.shared_by_name === 'string' && p.shared_by_name ? p.shared_by_name : t('notifications.someone');
    const name = typeof p.name === 'string' ? p.name : '';
    if (n.type === 'files.file_shared') return t('notifications.kinds.fileShared', { actor, name, interpolation: { escapeValue: false } });
    return n.type;
  };
}

/** NotificationBell is the header's bell: the unread count, and the latest notifications on click. */
export function NotificationBell({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const unread = useUnreadCount(orgID);
  const count = unread.data?.unread ?? 0;
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      placement="bottomRight"
      title={t('notifications.title')}
      content={open ? <NotificationList orgID={orgID} onNavigate={() => setOpen(false)} /> : null}
    >
      <Button type="text" aria-label={t('notifications.bellCount', { count })} data-testid="notification-bell">
        <Badge count={count} size="small" data-testid="notification-count">
          <BellOutlined aria-hidden />
        </Badge>
      </Button>
    </Popover>
  );
}

function NotificationList({ orgID, onNavigate }: { orgID: string; onNavigate: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const list = useNotifications(orgID);
  const markRead = useMarkRead(orgID);
  const markAll = useMarkAllRead(orgID);
  const text = useNotificationText();
  if (list.isPending) return <Spin />;
  const items = list.data?.items ?? [];
  const open = (n: Notification) => {
    if (!n.read_at) markRead.mutate(n.id);
    const href = openHref(n);
    onNavigate();
    if (href) navigate(href);
  };
  return (
    <div className="notification-list" style={{ width: 340, maxWidth: '80vw' }}>
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(n) => (
            <List.Item
              actions={
                n.read_at
                  ? []
                  : [
                      <Button key="read" size="small" type="link" onClick={() => markRead.mutate(n.id)}>
                        {t('notifications.markRead')}
                      </Button>,
                    ]
              }
            >
              <a
                href={openHref(n) ?? '#'}
                onClick={(e) => {
                  e.preventDefault();
                  open(n);
                }}
                style={{ fontWeight: n.read_at ? 'normal' : 600 }}
              >
                {text(n)}
                <br />
                <Typography.Text type="secondary">{format.dateTime(n.created_at)}</Typography.Text>
              </a>
            </List.Item>
          )}
        />
      )}
      {(list.data?.unread ?? 0) > 0 && (
        <Button block size="small" onClick={() => markAll.mutate()} loading={markAll.isPending}>
          {t('notifications.markAllRead')}
        </Button>
      )}
    </div>
  );
}
