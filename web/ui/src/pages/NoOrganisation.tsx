import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/** NoOrganisation is shown to a user who belongs to no organisation yet. */
export function NoOrganisation() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="info"
      title={t('org.noneTitle')}
      subTitle={t('org.noneText')}
      extra={
        <Button type="primary" onClick={() => navigate('/orgs/new')}>
          {t('nav.createOrg')}
        </Button>
      }
    />
  );
}
