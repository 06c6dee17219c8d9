import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Popover, Spin } from 'antd';
import { Suspense, lazy, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useUnreadCount } from './api';

// The list (antd's List and its pagination) loads when the bell is first opened, so that the
// header costs the initial page only a button and a badge.
const NotificationList = lazy(() => import('./NotificationList'));

export { useNotificationText } from './text';

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
      content={
        open ? (
          <Suspense fallback={<Spin />}>
            <NotificationList orgID={orgID} onNavigate={() => setOpen(false)} />
          </Suspense>
        ) : null
      }
    >
      <Button type="text" aria-label={t('notifications.bellCount', { count })} data-testid="notification-bell">
        <Badge count={count} size="small" data-testid="notification-count">
          <BellOutlined aria-hidden />
        </Badge>
      </Button>
    </Popover>
  );
}

