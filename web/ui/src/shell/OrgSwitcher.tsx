import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentOrg } from '../auth/OrgContext';

/** OrgSwitcher chooses which organisation the app and the console show. */
export function OrgSwitcher() {
  const { t } = useTranslation();
  const { orgs, org, setOrgID } = useCurrentOrg();
  if (!org) return null;
  return (
    <Select
      className="org-switcher"
      aria-label={t('nav.organisation')}
      value={org.id}
      onChange={setOrgID}
      popupMatchSelectWidth={false}
      options={orgs.map((o) => ({ value: o.id, label: o.name }))}
    />
  );
}
