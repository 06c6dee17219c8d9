import { Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useGroups } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';

interface Props {
  value?: string;
  onChange?: (id: string | undefined) => void;
  placeholder?: string;
  id?: string;
  'aria-label'?: string;
  className?: string;
}

/** GroupPicker finds a sub-group of the organisation by name as the user types. */
export function GroupPicker({ value, onChange, placeholder, id, className, ...rest }: Props) {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = window.setTimeout(() => setQ(search.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  const groups = useGroups(org?.id, { q, limit: 20, offset: 0 });
  const options = (groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }));
  return (
    <Select
      id={id}
      aria-label={rest['aria-label']}
      className={className}
      showSearch
      filterOption={false}
      placeholder={placeholder ?? t('files.share.pickGroup')}
      value={value}
      onSearch={setSearch}
      onChange={(v: string | undefined) => onChange?.(v)}
      options={options}
      loading={groups.isFetching}
      notFoundContent={groups.isFetching ? t('common.loading') : t('files.share.noGroup')}
    />
  );
}
