import { SettingOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Checkbox, Popover, Select, Space, Switch, Table, Tag, type TableColumnsType } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Role } from '../api/client';
import { keys } from '../api/queries';
import { PageError } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { roleLabel, statusLabel } from '../lib/labels';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { useMediaQuery } from '../lib/useMediaQuery';
import type { PeopleRow } from './MemberDialogs';
import { PeopleBulkActions, type PeopleFilter } from './PeopleBulkActions';
import { MemberCell } from './shared/MemberTable';

const PAGE_SIZE = 50;

/** The columns one may hide (the name always shows). */
export const PEOPLE_COLUMNS = ['employee_number', 'job_title', 'departments', 'manager', 'mobile', 'work_location', 'hire_date', 'role', 'status'] as const;
export type PeopleColumn = (typeof PEOPLE_COLUMNS)[number];
/** Where the hidden columns are remembered. */
export const HIDDEN_COLUMNS_KEY = 'canopy.people.hiddenColumns';

type SortKey = 'name' | 'employee_number' | 'hire_date';
type Sort = { key: SortKey; order: 'asc' | 'desc' };

function loadHidden(): PeopleColumn[] {
  try {
    const v: unknown = JSON.parse(window.localStorage.getItem(HIDDEN_COLUMNS_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((c): c is PeopleColumn => PEOPLE_COLUMNS.includes(c as PeopleColumn)) : [];
  } catch {
    return [];
  }
}

interface Props {
  orgID: string;
  /** The row's buttons, in the last column. */
  actions?: (m: PeopleRow) => ReactNode;
  /** What the name cell shows beside the name (you, activation pending). */
  tags?: (m: PeopleRow) => ReactNode;
  /** Offer the group and export actions on a selection. */
  bulk: boolean;
}

/**
 * PeopleTable is the console's people table (GET .../admin/orgs/{orgID}/people): filtered by
 * department (with or without its sub-departments), role, status, manager and a search, sorted
 * by name, employee number or hire date, paged by cursor, with columns one may hide and, on a
 * selection or the whole filter result, the bulk actions (PeopleBulkActions).
 */
export function PeopleTable({ orgID, actions, tags, bulk }: Props) {
  const { t } = useTranslation();
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const [department, setDepartment] = useState<string>();
  const [subtree, setSubtree] = useState(true);
  const [role, setRole] = useState<Role>();
  const [status, setStatus] = useState<'active' | 'deactivated'>();
  const [manager, setManager] = useState<PickedMember>();
  const [sort, setSort] = useState<Sort>({ key: 'name', order: 'asc' });
  // The cursors of the pages before the current one, and the current page's.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [allMatching, setAllMatching] = useState(false);
  const first = () => setCursors([undefined]);
  // A new filter or search is another set of people: select-all-matching ends with it.
  const refilter = () => {
    first();
    setAllMatching(false);
  };
  const { search, setSearch, q } = useDebouncedSearch(refilter);
  const [hidden, setHidden] = useState<PeopleColumn[]>(loadHidden);
  const [selected, setSelected] = useState<string[]>([]);
  const clearSelection = () => {
    setSelected([]);
    setAllMatching(false);
  };

  const cursor = cursors[cursors.length - 1];
  // What the table shows, and what "Select all N matching this filter" targets.
  const bulkFilter: PeopleFilter = {
    department_id: department,
    subtree: department ? subtree : undefined,
    role,
    status,
    manager_id: manager?.value,
    q: q || undefined,
  };
  const query = {
    ...bulkFilter,
    sort: sort.key,
    order: sort.order,
    limit: PAGE_SIZE,
    cursor,
  };
  const people = useQuery({
    queryKey: [...keys.members(orgID), 'people', query],
    queryFn: () => unwrap(api.GET('/api/v1/admin/orgs/{orgID}/people', { params: { path: { orgID }, query } })),
    placeholderData: keepPreviousData,
  });

  const filter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    refilter();
  };
  const toggleHidden = (c: PeopleColumn, show: boolean) => {
    const next = show ? hidden.filter((h) => h !== c) : [...hidden, c];
    setHidden(next);
    window.localStorage.setItem(HIDDEN_COLUMNS_KEY, JSON.stringify(next));
  };
  const label: Record<PeopleColumn, string> = {
    employee_number: t('people.employeeNumber'),
    job_title: t('people.jobTitle'),
    departments: t('people.departments'),
    manager: t('people.manager'),
    mobile: t('people.mobile'),
    work_location: t('people.location'),
    hire_date: t('people.hireDate'),
    role: t('members.role'),
    status: t('members.status'),
  };
  const sortOrder = (key: SortKey) => (sort.key === key ? (sort.order === 'asc' ? ('ascend' as const) : ('descend' as const)) : null);
  const sortable = (key: SortKey) => ({
    sorter: true,
    sortOrder: sortOrder(key),
    sortDirections: ['ascend' as const, 'descend' as const, 'ascend' as const],
  });

  const all: Record<PeopleColumn, TableColumnsType<PeopleRow>[number]> = {
    employee_number: { title: label.employee_number, key: 'employee_number', ...sortable('employee_number'), render: (_, m) => m.employee_number ?? '' },
    job_title: { title: label.job_title, key: 'job_title', render: (_, m) => m.job_title },
    departments: {
      title: label.departments,
      key: 'departments',
      render: (_, m) => (
        <span className="people-departments">
          {m.departments.map((d) => (
            <Tag key={d.id} title={d.path} color={d.primary ? 'blue' : undefined}>
              {d.name}
            </Tag>
          ))}
        </span>
      ),
    },
    manager: { title: label.manager, key: 'manager', render: (_, m) => m.manager?.name ?? '' },
    mobile: { title: label.mobile, key: 'mobile', render: (_, m) => m.mobile ?? '' },
    work_location: { title: label.work_location, key: 'work_location', render: (_, m) => m.work_location },
    hire_date: { title: label.hire_date, key: 'hire_date', ...sortable('hire_date'), render: (_, m) => m.hire_date ?? '' },
    role: { title: label.role, key: 'role', render: (_, m) => roleLabel(t, m.role) },
    status: { title: label.status, key: 'status', render: (_, m) => <Tag color={m.status === 'active' ? 'green' : undefined}>{statusLabel(t, m.status)}</Tag> },
  };
  const columns: TableColumnsType<PeopleRow> = [
    {
      title: t('members.name'),
      key: 'name',
      ...sortable('name'),
      render: (_, m) => (
        <MemberCell name={m.display_name} email={m.email} tags={tags?.(m)}>
          {mobile && (
            <span className="member-role-inline">
              {[m.job_title, m.departments[0]?.name, roleLabel(t, m.role), statusLabel(t, m.status)].filter(Boolean).join(' · ')}
            </span>
          )}
        </MemberCell>
      ),
    },
    // A phone shows the compact list: the name cell carries the essentials.
    ...(mobile ? [] : PEOPLE_COLUMNS.filter((c) => !hidden.includes(c)).map((c) => all[c])),
    ...(actions ? [{ title: <span className="visually-hidden">{t('common.actions')}</span>, key: 'actions', render: (_: unknown, m: PeopleRow) => actions(m) }] : []),
  ];

  const chooser = (
    <div className="people-columns" role="group" aria-label={t('people.columns')}>
      {PEOPLE_COLUMNS.map((c) => (
        <Checkbox key={c} checked={!hidden.includes(c)} onChange={(e) => toggleHidden(c, e.target.checked)}>
          {label[c]}
        </Checkbox>
      ))}
    </div>
  );
  const total = people.data?.total ?? 0;

  return (
    <>
      <div className="toolbar people-filters">
        <SearchInput label={t('people.search')} value={search} onChange={setSearch} />
        <DepartmentPicker
          allowClear
          aria-label={t('members.departmentFilter')}
          placeholder={t('members.departmentFilter')}
          value={department}
          onChange={filter(setDepartment)}
          className="toolbar-picker"
        />
        <label className="people-subtree">
          <Switch size="small" checked={subtree} onChange={filter(setSubtree)} disabled={!department} aria-label={t('people.subtree')} />
          <span>{t('people.subtree')}</span>
        </label>
        <Select
          allowClear
          aria-label={t('people.roleFilter')}
          placeholder={t('people.roleFilter')}
          className="people-select"
          value={role}
          onChange={filter(setRole)}
          options={(['owner', 'admin', 'member', 'guest'] as Role[]).map((r) => ({ value: r, label: roleLabel(t, r) }))}
        />
        <Select
          allowClear
          aria-label={t('people.statusFilter')}
          placeholder={t('people.statusFilter')}
          className="people-select"
          value={status}
          onChange={filter(setStatus)}
          options={[
            { value: 'active', label: t('status.active') },
            { value: 'deactivated', label: t('status.deactivated') },
          ]}
        />
        <MemberPicker allowClear aria-label={t('people.managerFilter')} placeholder={t('people.managerFilter')} value={manager} onChange={filter(setManager)} className="people-select" />
        {!mobile && (
          <Popover trigger="click" content={chooser} placement="bottomRight">
            <Button icon={<SettingOutlined aria-hidden />}>{t('people.columns')}</Button>
          </Popover>
        )}
      </div>
      {bulk && (
        <PeopleBulkActions
          orgID={orgID}
          selected={selected}
          allMatching={allMatching}
          filter={bulkFilter}
          // Unknown while a new filter's first page is on its way, so that the old count is not offered for it.
          total={people.isPlaceholderData || people.isPending ? undefined : total}
          onSelectAllMatching={() => setAllMatching(true)}
          onClear={clearSelection}
        />
      )}
      {people.isError ? (
        <PageError error={people.error} onRetry={() => people.refetch()} />
      ) : (
        <Table<PeopleRow>
          rowKey="user_id"
          size="middle"
          className="people-table"
          loading={people.isPending || (people.isFetching && { delay: 200 })}
          dataSource={people.data?.items ?? []}
          columns={columns}
          pagination={false}
          scroll={mobile ? undefined : { x: 'max-content' }}
          locale={{ emptyText: q ? t('members.noMatch') : t('members.empty') }}
          rowSelection={
            bulk
              ? {
                  // With the whole filter result chosen, every row shows as selected; unticking one goes back to a selection.
                  selectedRowKeys: allMatching ? (people.data?.items ?? []).map((p) => p.user_id) : selected,
                  preserveSelectedRowKeys: !allMatching,
                  onChange: (ids) => {
                    setAllMatching(false);
                    setSelected(ids.map(String));
                  },
                }
              : undefined
          }
          onChange={(_p, _f, sorter) => {
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            const key = (s?.columnKey as SortKey | undefined) ?? 'name';
            setSort({ key: s?.order ? key : 'name', order: s?.order === 'descend' ? 'desc' : 'asc' });
            first();
          }}
        />
      )}
      <div className="people-pager">
        <span>{t('people.total', { count: total })}</span>
        <Space>
          <Button disabled={cursors.length <= 1} onClick={() => setCursors((cs) => cs.slice(0, -1))}>
            {t('people.previous')}
          </Button>
          <Button
            disabled={!people.data?.next_cursor || people.isPlaceholderData}
            onClick={() => {
              const next = people.data?.next_cursor;
              if (next) setCursors((cs) => [...cs, next]);
            }}
          >
            {t('people.next')}
          </Button>
        </Space>
      </div>
    </>
  );
}
