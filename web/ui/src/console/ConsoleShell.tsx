import {
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  CheckSquareOutlined,
  CloudUploadOutlined,
  CommentOutlined,
  FilterOutlined,
  FolderOpenOutlined,
  IdcardOutlined,
  KeyOutlined,
  NotificationOutlined,
  RocketOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons';
import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { CONSOLE_PAGES, useConsoleAccess, type ConsolePage } from '../auth/access';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageLoading } from '../components/PageState';
import { NoOrganisation } from '../pages/NoOrganisation';
import { Shell } from '../shell/Shell';
import { useSetupGuide } from './SetupGuidePage';

/** ConsoleShell frames the admin console, showing each user the pages they may use. */
export default function ConsoleShell() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const access = useConsoleAccess();
  const navigate = useNavigate();
  const items: Record<ConsolePage, { icon: ReactNode; label: string }> = {
    setup: { icon: <RocketOutlined />, label: t('nav.setup') },
    members: { icon: <TeamOutlined />, label: t('nav.members') },
    departments: { icon: <ApartmentOutlined />, label: t('nav.departments') },
    groups: { icon: <UsergroupAddOutlined />, label: t('nav.groups') },
    roles: { icon: <SafetyCertificateOutlined />, label: t('nav.roles') },
    assignments: { icon: <IdcardOutlined />, label: t('nav.assignments') },
    audit: { icon: <AuditOutlined />, label: t('nav.audit') },
    import: { icon: <CloudUploadOutlined />, label: t('nav.import') },
    scim: { icon: <KeyOutlined />, label: t('nav.scim') },
    files: { icon: <FolderOpenOutlined />, label: t('files.console.nav') },
    tasks: { icon: <CheckSquareOutlined />, label: t('tasks.console.nav') },
    chats: { icon: <CommentOutlined />, label: t('nav.chats') },
    announcements: { icon: <NotificationOutlined />, label: t('nav.announcements') },
    'content-rules': { icon: <FilterOutlined />, label: t('nav.contentRules') },
    webhooks: { icon: <ApiOutlined />, label: t('webhooks.nav') },
    settings: { icon: <SettingOutlined />, label: t('nav.settings') },
  };
  let blocked;
  if (!org) {
    blocked = <NoOrganisation />;
  } else if (!access.ready) {
    blocked = <PageLoading />;
  } else if (org.role === 'guest' && access.pages.size === 0) {
    blocked = (
      <Result
        status="403"
        title={t('console.forbiddenTitle')}
        subTitle={t('console.forbiddenText', { org: org.name })}
        extra={
          <Button type="primary" onClick={() => navigate('/')}>
            {t('nav.app')}
          </Button>
        }
      />
    );
  } else if (access.pages.size === 0) {
    blocked = <NoPermission />;
  }
  return (
    <Shell
      area="console"
      nav={CONSOLE_PAGES.filter((p) => access.pages.has(p)).map((p) => ({ path: `/console/${p}`, ...items[p] }))}
    >
      {blocked}
    </Shell>
  );
}

/**
 * ConsoleHome opens the setup guide while the organisation's setup is unfinished and its admins
 * have not hidden it, else the first console page the user may use.
 */
export function ConsoleHome() {
  const access = useConsoleAccess();
  const { org } = useCurrentOrg();
  const mayGuide = access.pages.has('setup');
  const guide = useSetupGuide(org?.id, access.ready && mayGuide);
  if (!access.ready || (mayGuide && guide.isPending)) return <PageLoading />;
  const guiding = mayGuide && !!guide.data && !guide.data.dismissed && guide.data.done < guide.data.total;
  const first = guiding ? 'setup' : CONSOLE_PAGES.find((p) => p !== 'setup' && access.pages.has(p));
  return first ? <Navigate to={`/console/${first}`} replace /> : <NoPermission />;
}

/** NoPermission says honestly that the user may not use a console page. */
export function NoPermission() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title={<h1 className="result-title">{t('console.noPermissionTitle')}</h1>}
      subTitle={t('console.noPermissionText')}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('nav.app')}
        </Button>
      }
    />
  );
}

/** Gate shows a console page only to someone who may use it. */
export function Gate({ page, children }: { page: ConsolePage; children: ReactNode }) {
  const access = useConsoleAccess();
  if (!access.ready) return <PageLoading />;
  return access.pages.has(page) ? <>{children}</> : <NoPermission />;
}
