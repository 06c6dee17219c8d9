import { SettingOutlined, TeamOutlined } from '@ant-design/icons';
import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { canAdminister, useCurrentOrg } from '../auth/OrgContext';
import { NoOrganisation } from '../pages/NoOrganisation';
import { Shell } from '../shell/Shell';

/** ConsoleShell frames the admin console, which only owners and admins may use. */
export default function ConsoleShell() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const navigate = useNavigate();
  let blocked;
  if (!org) {
    blocked = <NoOrganisation />;
  } else if (!canAdminister(org)) {
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
  }
  return (
    <Shell
      area="console"
      nav={[
        { path: '/console/members', icon: <TeamOutlined />, label: t('nav.members') },
        { path: '/console/settings', icon: <SettingOutlined />, label: t('nav.settings') },
      ]}
    >
      {blocked}
    </Shell>
  );
}
