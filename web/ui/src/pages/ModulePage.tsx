import { CheckSquareOutlined, FolderOutlined, MessageOutlined } from '@ant-design/icons';
import { Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { NoOrganisation } from './NoOrganisation';

export type ModuleName = 'messages' | 'tasks' | 'files';

/**
 * ModulePage stands in for a module that has not landed yet, and says so plainly rather than
 * showing a mock.
 */
export default function ModulePage({ module }: { module: ModuleName }) {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const page = {
    messages: { title: t('nav.messages'), text: t('modules.messages'), icon: <MessageOutlined /> },
    tasks: { title: t('nav.tasks'), text: t('modules.tasks'), icon: <CheckSquareOutlined /> },
    files: { title: t('nav.files'), text: t('modules.files'), icon: <FolderOutlined /> },
  }[module];
  if (!org) {
    return (
      <>
        <PageHeader title={page.title} />
        <NoOrganisation />
      </>
    );
  }
  return (
    <>
      <PageHeader title={page.title} description={org.name} />
      <div className="module-empty">
        <Empty
          image={<span className="module-empty-icon">{page.icon}</span>}
          description={
            <>
              <strong className="module-empty-title">{t('modules.emptyTitle')}</strong>
              <span className="module-empty-text">{page.text}</span>
            </>
          }
        />
      </div>
    </>
  );
}
