import { DownloadOutlined, SettingOutlined, TeamOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Modal, Popover, Select, Space, Switch, Table, Tag, type TableColumnsType } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Role } from '../api/client';
import { keys } from '../api/queries';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageError } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { roleLabel, statusLabel } from '../lib/labels';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { useMediaQuery } from '../lib/useMediaQuery';
import { useSubmit } from '../lib/useSubmit';
import type { PeopleRow } from './MemberDialogs';
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
 * selection, adding the selected people to a group.
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
  const first = () => setCursors([undefined]);
  const { search, setSearch, q } = useDebouncedSearch(first);
  const [hidden, setHidden] = useState<PeopleColumn[]>(loadHidden);
  const [selected, setSelected] = useState<string[]>([]);
  const [grouping, setGrouping] = useState(false);

  const cursor = cursors[cursors.length - 1];
  const query = {
    department_id: department,
    subtree: department ? subtree : undefined,
    role,
    status,
    manager_id: manager?.value,
    q: q || undefined,
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
    first();
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
  const exportBase = `/api/v1/admin/orgs/${orgID}/people/export`;

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
      {bulk && selected.length > 0 && (
        <div className="toolbar people-bulk" role="region" aria-label={t('people.selection')}>
          <span>{t('people.selected', { count: selected.length })}</span>
          <Button icon={<TeamOutlined aria-hidden />} onClick={() => setGrouping(true)}>
            {t('people.addToGroup')}
          </Button>
          <Button icon={<DownloadOutlined aria-hidden />} href={`${exportBase}?format=xlsx`} download>
            {t('people.exportXlsx')}
          </Button>
          <Button icon={<DownloadOutlined aria-hidden />} href={`${exportBase}?format=csv`} download>
            {t('people.exportCsv')}
          </Button>
          <Button type="link" onClick={() => setSelected([])}>
            {t('people.clearSelection')}
          </Button>
        </div>
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
          rowSelection={bulk ? { selectedRowKeys: selected, preserveSelectedRowKeys: true, onChange: (ids) => setSelected(ids.map(String)) } : undefined}
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
      {grouping && <AddToGroupDialog orgID={orgID} userIDs={selected} onClose={() => setGrouping(false)} onDone={() => setSelected([])} />}
    </>
  );
}

/** AddToGroupDialog adds the selected people to a group, all or nothing (POST .../groups/{groupID}/members/bulk). */
function AddToGroupDialog({ orgID, userIDs, onClose, onDone }: { orgID: string; userIDs: string[]; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [group, setGroup] = useState<string>();
  const { busy, error, submit } = useSubmit();
  const add = async () => {
    if (!group) return;
    const ok = await submit(async () => {
      const r = await unwrap(
        api.POST('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/bulk', { params: { path: { orgID, groupID: group } }, body: { user_ids: userIDs } }),
      );
      message.success(
        t('people.groupAdded', {
          added: r.added,
          already: r.already_in_group,
          skipped: r.skipped_deactivated + r.skipped_guests,
        }),
      );
    });
    if (ok) {
      void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
      onDone();
      onClose();
    }
  };
  return (
    <Modal
      open
      title={t('people.addToGroupTitle', { count: userIDs.length })}
      onCancel={onClose}
      onOk={add}
      okText={t('people.addToGroupOk')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !group }}
      confirmLoading={busy}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <GroupPicker aria-label={t('people.group')} placeholder={t('people.group')} value={group} onChange={setGroup} className="full-width" />
    </Modal>
  );
}
