import { ArrowLeftOutlined, EditOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, api, unwrap, type GroupMember } from '../api/client';
import { keys, useGroup, useGroupMembers } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { pickedName, type PickedMember } from '../directory/MemberPicker';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { useAction } from '../lib/useAction';
import { useMediaQuery } from '../lib/useMediaQuery';
import { GroupBulkAdd } from './GroupBulkAdd';
import { GroupDialog } from './GroupDialog';
import { DepartmentName, GroupCount } from './GroupsPage';
import { AddMemberBar, MemberTable } from './shared/MemberTable';

const PAGE_SIZE = 20;
type GroupRole = 'owner' | 'member';

/** GroupDetailPage manages one group's members and their roles, within its cap. */
export default function GroupDetailPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { confirm, perform } = useAction();
  const queryClient = useQueryClient();
  const format = useFormat();
  const { org } = useCurrentOrg();
  const { groupID } = useParams();
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const [page, setPage] = useState(1);
  const [picked, setPicked] = useState<PickedMember>();
  const [role, setRole] = useState<GroupRole>('member');
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string>();
  const [editing, setEditing] = useState(false);
  const group = useGroup(org?.id, groupID);
  const members = useGroupMembers(org?.id, groupID, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  if (!org || !groupID) return null;
  const orgID = org.id;
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
  const memberPath = (userID: string) => ({ path: { orgID, groupID, userID } });

  const back = (
    <Link to="/console/groups" className="back-link">
      <ArrowLeftOutlined aria-hidden /> {t('groups.all')}
    </Link>
  );
  if (group.isPending) return <>{back}<PageLoading /></>;
  if (group.isError) return <>{back}<PageError error={group.error} onRetry={() => group.refetch()} /></>;
  const g = group.data;
  const full = g.member_count >= g.member_cap;

  const add = async () => {
    if (!picked) return;
    setAdding(true);
    setAddError(undefined);
    try {
      await unwrap(api.PUT('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/{userID}', { params: memberPath(picked.value), body: { role } }));
      message.success(t('groups.memberAdded', { name: pickedName(picked), group: g.name }));
      setPicked(undefined);
      setRole('member');
      await refresh();
    } catch (err) {
      setAddError(
        err instanceof ApiError && err.code === 'group_full'
          ? t('groups.fullText', { count: g.member_count, cap: g.member_cap })
          : errorText(t, err),
      );
      void refresh();
    } finally {
      setAdding(false);
    }
  };

  const changeRole = (m: GroupMember, next: GroupRole) =>
    perform({
      run: () => unwrap(api.PUT('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/{userID}', { params: memberPath(m.user_id), body: { role: next } })),
      success: t('groups.roleChanged', { name: m.display_name }),
      refresh,
    });

  const remove = (m: GroupMember) =>
    confirm({
      title: t('groups.removeTitle', { name: m.display_name, group: g.name }),
      okText: t('groups.remove'),
      run: () => unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/{userID}', { params: memberPath(m.user_id) })),
      success: t('groups.memberRemoved', { name: m.display_name }),
      refresh,
    });

  return (
    <>
      {back}
      <PageHeader
        title={g.name}
        description={g.description || undefined}
        extra={
          <Button icon={<EditOutlined aria-hidden />} onClick={() => setEditing(true)}>
            {t('groups.edit')}
          </Button>
        }
      />
      <div className="card-stack">
        <Card>
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2, md: 3 }}
            items={[
              { key: 'members', label: t('groups.members'), children: <GroupCount group={g} /> },
              { key: 'department', label: t('groups.department'), children: <DepartmentName orgID={orgID} id={g.department_id} /> },
              { key: 'created', label: t('groups.createdAt'), children: format.dateTime(g.created_at) },
            ]}
          />
        </Card>
        <Card title={<h2>{t('groups.membersTitle')}</h2>} extra={<GroupBulkAdd orgID={orgID} group={g} />}>
          {full && !addError && <Alert type="warning" showIcon className="form-alert" message={t('groups.fullText', { count: g.member_count, cap: g.member_cap })} />}
          {addError && <Alert type="error" showIcon className="form-alert" role="alert" message={addError} />}
          <AddMemberBar
            label={t('groups.addMemberPicker')}
            addText={t('groups.addMember')}
            value={picked}
            onChange={setPicked}
            onAdd={add}
            adding={adding}
            exclude={members.data?.items.map((m) => m.user_id)}
            primary
          >
            <GroupRoleSelect aria-label={t('groups.roleInGroup')} value={role} onChange={setRole} />
          </AddMemberBar>
          <MemberTable<GroupMember>
            query={members}
            page={page}
            pageSize={PAGE_SIZE}
            onPage={setPage}
            empty={t('groups.noMembers')}
            scroll={mobile ? undefined : { x: 'max-content' }}
            columns={[
              {
                title: t('groups.roleInGroup'),
                key: 'role',
                render: (_, m) => (
                  <GroupRoleSelect size="small" aria-label={t('groups.roleOf', { name: m.display_name })} value={m.role} onChange={(next) => changeRole(m, next)} />
                ),
              },
              { title: t('groups.added'), key: 'added', render: (_, m) => format.date(m.added_at), responsive: ['md'] },
            ]}
            actions={(m) => (
              <Button size="small" onClick={() => remove(m)} aria-label={t('groups.removeNamed', { name: m.display_name })}>
                {t('groups.remove')}
              </Button>
            )}
          />
        </Card>
      </div>
      {editing && <GroupDialog orgID={orgID} group={g} onClose={() => setEditing(false)} />}
    </>
  );
}

/** GroupRoleSelect chooses a role in a group: owner or member. */
function GroupRoleSelect(props: { value: GroupRole; onChange: (role: GroupRole) => void; size?: 'small'; 'aria-label': string }) {
  const { t } = useTranslation();
  return (
    <Select<GroupRole>
      {...props}
      options={[
        { value: 'member', label: t('groups.member') },
        { value: 'owner', label: t('groups.owner') },
      ]}
      className="role-select"
    />
  );
}
