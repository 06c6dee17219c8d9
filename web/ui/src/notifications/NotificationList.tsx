import { Button, Empty, List, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useFormat } from '../lib/hooks';
import { openHref, useMarkAllRead, useMarkRead, useNotifications, type Notification } from './api';
import { useNotificationText } from './text';

/** NotificationList is the bell's list, loaded when the bell is first opened. */
export default function NotificationList({ orgID, onNavigate }: { orgID: string; onNavigate: () => void }) {
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
