import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Progress, Space, Table } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, type Group } from '../api/client';
import { keys, useDepartment, useGroups } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { usePermissions } from '../auth/access';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { pathName } from '../directory/tree';
import { useFormat } from '../lib/hooks';
import { useAction } from '../lib/useAction';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { useMediaQuery } from '../lib/useMediaQuery';
import { GroupDialog } from './GroupDialog';

const PAGE_SIZE = 20;

/** DepartmentName shows a department's path, or "whole organisation" for none. */
export function DepartmentName({ orgID, id }: { orgID: string; id: string | null }) {
  const { t } = useTranslation();
  const dept = useDepartment(orgID, id ?? undefined);
  if (!id) return <span className="muted">{t('groups.wholeOrganisation')}</span>;
  if (dept.isError) return <span className="muted">—</span>;
  return <span>{dept.data ? pathName(dept.data) : '…'}</span>;
}

/** GroupCount shows "n / cap" with a bar that turns red as the group fills. */
export function GroupCount({ group }: { group: Group }) {
  const { t } = useTranslation();
  const percent = Math.round((group.member_count / Math.max(group.member_cap, 1)) * 100);
  return (
    <div className="group-count-cell">
      <span>{t('groups.count', { count: group.member_count, cap: group.member_cap })}</span>
      <Progress
        percent={percent}
        size="small"
        showInfo={false}
        status={group.member_count >= group.member_cap ? 'exception' : 'normal'}
        aria-hidden
      />
    </div>
  );
}

/**
 * MayManageGroup shows its children to whoever holds groups.manage over the group: organisation-wide,
 * or over its department's subtree. Its owners may change it too, from its own page.
 */
function MayManageGroup({ orgID, group, children }: { orgID: string; group: Group; children: ReactNode }) {
  const perms = usePermissions();
  const orgWide = perms.can('groups.manage');
  const dept = useDepartment(orgID, !orgWide && group.department_id && perms.canAnywhere('groups.manage') ? group.department_id : undefined);
  const scope = dept.data ? [...dept.data.ancestors.map((a) => a.id), dept.data.id] : undefined;
  return orgWide || (scope && perms.can('groups.manage', scope)) ? <>{children}</> : null;
}

/** GroupsPage lists, creates, edits and deletes the organisation's groups. */
export default function GroupsPage() {
  const { t } = useTranslation();
  const { confirm } = useAction();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const format = useFormat();
  const { org } = useCurrentOrg();
  const perms = usePermissions();
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const [department, setDepartment] = useState<string>();
  const [page, setPage] = useState(1);
  const { search, setSearch, q } = useDebouncedSearch(() => setPage(1));
  const [editing, setEditing] = useState<Group | 'new'>();
  const groups = useGroups(org?.id, { q, department_id: department, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  if (!org) return null;
  const orgID = org.id;

  const remove = (g: Group) =>
    confirm({
      title: t('groups.deleteTitle', { name: g.name }),
      content: t('groups.deleteText'),
      okText: t('groups.delete'),
      run: () => unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/groups/{groupID}', { params: { path: { orgID, groupID: g.id } } })),
      success: t('groups.deleted', { name: g.name }),
      refresh: () => void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) }),
    });

  return (
    <>
      <PageHeader
        title={t('groups.title')}
        description={org.name}
        extra={
          perms.canAnywhere('groups.manage') && (
            <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing('new')}>
              {t('groups.create')}
            </Button>
          )
        }
      />
      {perms.ready && !perms.orgWide('groups.manage') && <p className="page-note">{t('groups.limitedNote')}</p>}
      <Card>
        <div className="toolbar">
          <SearchInput label={t('groups.search')} value={search} onChange={setSearch} />
          <DepartmentPicker
            allowClear
            aria-label={t('groups.departmentFilter')}
            placeholder={t('groups.departmentFilter')}
            value={department}
            onChange={(id) => {
              setDepartment(id);
              setPage(1);
            }}
            className="toolbar-picker"
          />
        </div>
        {groups.isError ? (
          <PageError error={groups.error} onRetry={() => groups.refetch()} />
        ) : (
          <Table<Group>
            rowKey="id"
            loading={groups.isPending}
            dataSource={groups.data?.items ?? []}
            scroll={mobile ? undefined : { x: 'max-content' }}
            locale={{ emptyText: q || department ? t('groups.noMatch') : t('groups.empty') }}
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: groups.data?.total ?? 0,
              onChange: setPage,
              hideOnSinglePage: true,
              showSizeChanger: false,
            }}
            columns={[
              {
                title: t('groups.name'),
                key: 'name',
                render: (_, g) => (
                  <div className="member-cell">
                    <Link to={`/console/groups/${g.id}`} className="member-name">
                      {g.name}
                    </Link>
                    {g.description && (
                      <span className="member-email group-list-description" title={g.description}>
                        {g.description}
                      </span>
                    )}
                  </div>
                ),
              },
              { title: t('groups.department'), key: 'department', render: (_, g) => <DepartmentName orgID={orgID} id={g.department_id} />, responsive: ['md'] },
              { title: t('groups.members'), key: 'members', render: (_, g) => <GroupCount group={g} /> },
              { title: t('groups.createdAt'), key: 'created', render: (_, g) => format.date(g.created_at), responsive: ['lg'] },
              {
                title: <span className="visually-hidden">{t('common.actions')}</span>,
                key: 'actions',
                // Kept in view at the right edge, whatever the other columns take.
                fixed: mobile ? undefined : 'right',
                render: (_, g) => (
                  <Space size={4} wrap={mobile}>
                    <Button size="small" onClick={() => navigate(`/console/groups/${g.id}`)} aria-label={t('groups.manageNamed', { name: g.name })}>
                      {t('groups.manage')}
                    </Button>
                    <MayManageGroup orgID={orgID} group={g}>
                      <Button size="small" onClick={() => setEditing(g)} aria-label={t('groups.editNamed', { name: g.name })}>
                        {t('groups.edit')}
                      </Button>
                      <Button size="small" danger onClick={() => remove(g)} aria-label={t('groups.deleteNamed', { name: g.name })}>
                        {t('groups.delete')}
                      </Button>
                    </MayManageGroup>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
      {editing && (
        <GroupDialog
          orgID={orgID}
          group={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(g) => editing === 'new' && navigate(`/console/groups/${g.id}`)}
        />
      )}
    </>
  );
}
