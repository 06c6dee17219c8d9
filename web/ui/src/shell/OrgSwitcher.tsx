import { CheckOutlined, DownOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCurrentOrg } from '../auth/OrgContext';

const CREATE = '__create__';

/** OrgSwitcher chooses which organisation the app and the console show, or creates one. */
export function OrgSwitcher() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { orgs, org, setOrgID } = useCurrentOrg();
  if (!org) return null;
  return (
    <Dropdown
      trigger={['click']}
      autoFocus
      menu={{
        selectable: true,
        selectedKeys: [org.id],
        items: [
          ...orgs.map((o) => ({
            key: o.id,
            label: o.name,
            icon: o.id === org.id ? <CheckOutlined /> : <span className="menu-icon-space" />,
          })),
          { type: 'divider' as const },
          { key: CREATE, label: t('nav.createOrg'), icon: <PlusOutlined /> },
        ],
        onClick: ({ key }) => (key === CREATE ? navigate('/orgs/new') : setOrgID(key)),
      }}
    >
      <Button className="switch-button org-switcher" aria-label={`${t('nav.organisation')}: ${org.name}`}>
        <span className="switch-button-text">{org.name}</span>
        <DownOutlined aria-hidden className="switch-caret" />
      </Button>
    </Dropdown>
  );
}
