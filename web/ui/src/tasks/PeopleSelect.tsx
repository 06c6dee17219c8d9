import { Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMembers } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PersonOption, type OptionPerson } from '../directory/PersonOption';
import type { PersonRef } from './api';

interface Props {
  value: PersonRef[];
  onChange: (people: PersonRef[]) => void;
  'aria-label': string;
  disabled?: boolean;
  placeholder?: string;
  'data-testid'?: string;
}

/**
 * PeopleSelect picks several members (assignees, followers), finding them by name, pinyin, email
 * or employee number as the user types, each offered with their department.
 */
export function PeopleSelect({ value, onChange, disabled, placeholder, ...rest }: Props) {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setQ(search.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  // Members are looked up only once the list is opened: a drawer has two of these.
  const members = useMembers(open ? org?.id : undefined, { q, status: 'active', limit: 20, offset: 0 });
  const known = new Map(value.map((p) => [p.id, p.name]));
  const found = new Map<string, OptionPerson>();
  for (const m of members.data?.items ?? []) {
    found.set(m.user_id, m);
    if (!known.has(m.user_id)) known.set(m.user_id, m.display_name);
  }
  // The label (the name) is what a picked person's tag shows; the list offers those found with
  // their department and email.
  const options = [...known].map(([id, name]) => ({ value: id, label: name, person: found.get(id) }));
  return (
    <Select
      mode="multiple"
      aria-label={rest['aria-label']}
      data-testid={rest['data-testid']}
      className="full-width"
      disabled={disabled}
      placeholder={placeholder ?? t('tasks.fields.pickPeople')}
      showSearch
      filterOption={false}
      labelInValue
      value={value.map((p) => ({ value: p.id, label: p.name }))}
      onSearch={setSearch}
      onOpenChange={setOpen}
      onChange={(picked: { value: string; label: React.ReactNode }[]) =>
        onChange(picked.map((p) => ({ id: p.value, name: known.get(p.value) ?? String(p.label) })))
      }
      options={options}
      optionRender={(o) => (o.data.person ? <PersonOption person={o.data.person} /> : o.label)}
      loading={members.isFetching}
      notFoundContent={members.isFetching ? t('common.loading') : t('members.noMatch')}
    />
  );
}
