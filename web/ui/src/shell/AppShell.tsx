import { CheckSquareOutlined, FolderOutlined, MessageOutlined, NotificationOutlined, TeamOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Shell } from './Shell';

/** AppShell frames the employee app: Messages, Announcements, Tasks, Files and the Directory. */
export default function AppShell() {
  const { t } = useTranslation();
  return (
    <Shell
      area="app"
      nav={[
        { path: '/messages', icon: <MessageOutlined />, label: t('nav.messages') },
        { path: '/announcements', icon: <NotificationOutlined />, label: t('nav.announcements') },
        { path: '/tasks', icon: <CheckSquareOutlined />, label: t('nav.tasks') },
        { path: '/files', icon: <FolderOutlined />, label: t('nav.files') },
        { path: '/directory', icon: <TeamOutlined />, label: t('nav.directory') },
      ]}
    />
  );
}
