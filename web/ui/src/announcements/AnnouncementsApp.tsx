import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { NoOrganisation } from '../pages/NoOrganisation';
import '../chat/strings';
import '../chat/chat.css';
import { usePublished } from './api';
import { AnnouncementList } from './AnnouncementList';
import { PublisherView } from './PublisherView';

/**
 * AnnouncementsApp is /announcements: the announcements addressed to me, and, for a publisher,
 * what they have published with its acknowledgement progress.
 */
export default function AnnouncementsApp() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const published = usePublished(org?.id ?? '', false);
  if (!org) {
    return (
      <>
        <PageHeader title={t('nav.announcements')} />
        <NoOrganisation />
      </>
    );
  }
  const publisher = !!published.data;
  return (
    <div className="announcements-app">
      <PageHeader title={t('nav.announcements')} />
      {publisher ? (
        <Tabs
          items={[
            { key: 'mine', label: t('announcements.forMe'), children: <AnnouncementList orgID={org.id} /> },
            { key: 'published', label: <span data-testid="published-tab">{t('announcements.published')}</span>, children: <PublisherView orgID={org.id} /> },
          ]}
        />
      ) : (
        <AnnouncementList orgID={org.id} />
      )}
    </div>
  );
}
