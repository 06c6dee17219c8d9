import { useTranslation } from 'react-i18next';
import { PublisherView } from '../announcements/PublisherView';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import '../chat/strings';
import '../chat/chat.css';

/** AnnouncementsPage is the console's publisher view: compose, and acknowledgement progress with Remind and CSV. */
export default function AnnouncementsPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  if (!org) return null;
  return (
    <>
      <PageHeader title={t('nav.announcements')} description={t('msgConsole.announcementsIntro')} />
      <PublisherView orgID={org.id} />
    </>
  );
}
