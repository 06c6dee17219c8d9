import { ArrowLeftOutlined, EditOutlined, UserAddOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Select, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, api, unwrap, type GroupMember } from '../api/client';
import { keys, useGroup, useGroupMembers } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { useMediaQuery } from '../lib/useMediaQuery';
import { GroupDialog } from './GroupDialog';
import { DepartmentName, GroupCount } from './GroupsPage';

const PAGE_SIZE = 20;
type GroupRole = 'owner' | 'member';

/** GroupDetailPage manages one group's members and their roles, within its cap. */
export default function GroupDetailPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
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
      message.success(t('groups.memberAdded', { name: picked.label.replace(/ <.*>$/, ''), group: g.name }));
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

  const changeRole = async (m: GroupMember, next: GroupRole) => {
    try {
      await unwrap(api.PUT('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/{userID}', { params: memberPath(m.user_id), body: { role: next } }));
      message.success(t('groups.roleChanged', { name: m.display_name }));
      await refresh();
    } catch (err) {
      message.error(errorText(t, err));
    }
  };

  const remove = (m: GroupMember) =>
    modal.confirm({
      title: t('groups.removeTitle', { name: m.display_name, group: g.name }),
      okText: t('groups.remove'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/{userID}', { params: memberPath(m.user_id) }));
          message.success(t('groups.memberRemoved', { name: m.display_name }));
          await refresh();
        } catch (err) {
          message.error(errorText(t, err));
        }
      },
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
        <Card title={<h2>{t('groups.membersTitle')}</h2>}>
          {full && !addError && <Alert type="warning" showIcon className="form-alert" message={t('groups.fullText', { count: g.member_count, cap: g.member_cap })} />}
          {addError && <Alert type="error" showIcon className="form-alert" role="alert" message={addError} />}
          <div className="toolbar add-member-bar">
            <MemberPicker
              aria-label={t('groups.addMemberPicker')}
              placeholder={t('groups.addMemberPicker')}
              value={picked}
              onChange={setPicked}
              className="member-picker"
              exclude={members.data?.items.map((m) => m.user_id)}
            />
            <Select<GroupRole>
              aria-label={t('groups.roleInGroup')}
              value={role}
              onChange={setRole}
              options={[
                { value: 'member', label: t('groups.member') },
                { value: 'owner', label: t('groups.owner') },
              ]}
              className="role-select"
            />
            <Button type="primary" icon={<UserAddOutlined aria-hidden />} onClick={add} loading={adding} disabled={!picked}>
              {t('groups.addMember')}
            </Button>
          </div>
          {members.isError ? (
            <PageError error={members.error} onRetry={() => members.refetch()} />
          ) : (
            <Table<GroupMember>
              rowKey="user_id"
              size="small"
              loading={members.isPending}
              dataSource={members.data?.items ?? []}
              scroll={mobile ? undefined : { x: 'max-content' }}
              locale={{ emptyText: t('groups.noMembers') }}
              pagination={{
                current: page,
                pageSize: PAGE_SIZE,
                total: members.data?.total ?? 0,
                onChange: setPage,
                hideOnSinglePage: true,
                showSizeChanger: false,
              }}
              columns={[
                {
                  title: t('members.name'),
                  key: 'name',
                  render: (_, m) => (
                    <div className="member-cell">
                      <span className="member-name">{m.display_name}</span>
                      <span className="member-email">{m.email}</span>
                    </div>
                  ),
                },
                {
                  title: t('groups.roleInGroup'),
                  key: 'role',
                  render: (_, m) => (
                    <Select<GroupRole>
                      size="small"
                      value={m.role}
                      onChange={(next) => changeRole(m, next)}
                      aria-label={t('groups.roleOf', { name: m.display_name })}
                      options={[
                        { value: 'member', label: t('groups.member') },
                        { value: 'owner', label: t('groups.owner') },
                      ]}
                      className="role-select"
                    />
                  ),
                },
                { title: t('groups.added'), key: 'added', render: (_, m) => format.date(m.added_at), responsive: ['md'] },
                {
                  title: <span className="visually-hidden">{t('common.actions')}</span>,
                  key: 'actions',
                  render: (_, m) => (
                    <Button size="small" onClick={() => remove(m)} aria-label={t('groups.removeNamed', { name: m.display_name })}>
                      {t('groups.remove')}
                    </Button>
                  ),
                },
              ]}
            />
          )}
        </Card>
      </div>
      {editing && <GroupDialog orgID={orgID} group={g} onClose={() => setEditing(false)} />}
    </>
  );
}
