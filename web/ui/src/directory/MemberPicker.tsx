import { Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMembers } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PersonOption } from './PersonOption';

export interface PickedMember {
  value: string;
  label: string;
}

/** pickedName is the name of a picked member, without the email the picker shows beside it. */
export function pickedName(m: PickedMember): string {
  return m.label.replace(/ <.*>$/, '');
}

interface Props {
  value?: PickedMember;
  onChange?: (m: PickedMember | undefined) => void;
  placeholder?: string;
  id?: string;
  'aria-label'?: string;
  className?: string;
  allowClear?: boolean;
  /** Members not to offer, e.g. those already in the group. */
  exclude?: string[];
}

/**
 * MemberPicker finds an active member of the organisation as the user types: by name, its pinyin
 * or initials, email or employee number. Each is offered with their department (PersonOption);
 * the picked one's label is "name <email>".
 */
export function MemberPicker({ value, onChange, placeholder, id, className, allowClear, exclude, ...rest }: Props) {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = window.setTimeout(() => setQ(search.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  const members = useMembers(org?.id, { q, status: 'active', limit: 20, offset: 0 });
  const options = (members.data?.items ?? [])
    .filter((m) => !exclude?.includes(m.user_id))
    .map((m) => ({ value: m.user_id, label: `${m.display_name} <${m.email}>`, person: m }));
  return (
    <Select
      id={id}
      aria-label={rest['aria-label']}
      className={className}
      showSearch
      allowClear={allowClear}
      labelInValue
      filterOption={false}
      placeholder={placeholder ?? t('members.search')}
      value={value}
      onSearch={setSearch}
      onChange={(v: PickedMember | undefined) => onChange?.(v)}
      options={options}
      optionRender={(o) => (o.data.person ? <PersonOption person={o.data.person} /> : o.label)}
      loading={members.isFetching}
      notFoundContent={members.isFetching ? t('common.loading') : t('members.noMatch')}
    />
  );
}
