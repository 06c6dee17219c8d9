import { MoreOutlined, SearchOutlined, UserAddOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Dropdown, Input, Radio, Space, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Role } from '../api/client';
import { keys, useDepartmentMembers, useMe, useMembers } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { roleLabel, statusLabel } from '../lib/labels';
import { useMediaQuery } from '../lib/useMediaQuery';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { InvitationsCard } from './InvitationsCard';
import { InviteDialog } from './InviteDialog';
import { DepartmentsDialog, RoleDialog, type Target } from './MemberDialogs';

const PAGE_SIZE = 20;
type StatusFilter = 'all' | 'active' | 'deactivated';

/** A row of the list: a member, or (filtered by department) a person, whose role the API does not give. */
interface Row {
  user_id: string;
  display_name: string;
  email: string;
  status: 'active' | 'deactivated';
  role?: Role;
  joined_at?: string;
}

/** MembersPage lists, searches, invites, deactivates and reactivates the organisation's members. */
export default function MembersPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const format = useFormat();
  const me = useMe();
  const { org } = useCurrentOrg();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [page, setPage] = useState(1);
  const [inviting, setInviting] = useState(false);
  const [department, setDepartment] = useState<string>();
  const [dialog, setDialog] = useState<{ kind: 'role' | 'departments'; target: Target }>();
  const mobile = useMediaQuery('(max-width: 575.98px)');

  // Search as the admin types, once they pause.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQ(search.trim());
      setPage(1);
    }, 300);
    return () => window.clearTimeout(timer);
  }, [search]);

  const orgID = org?.id;
  const everyone = useMembers(department ? undefined : orgID, {
    q,
    status: status === 'all' ? undefined : status,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  const inDepartment = useDepartmentMembers(orgID, department, { subtree: true, q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const members = department ? inDepartment : everyone;
  const rows: Row[] = members.data?.items ?? [];
  if (!org) return null;

  const change = (member: Row, action: 'deactivate' | 'reactivate') => {
    const run = async () => {
      try {
        const path = action === 'deactivate' ? '/api/v1/orgs/{orgID}/members/{userID}/deactivate' : '/api/v1/orgs/{orgID}/members/{userID}/reactivate';
        await unwrap(api.POST(path, { params: { path: { orgID: org.id, userID: member.user_id } } }));
        message.success(
          action === 'deactivate'
            ? t('members.deactivated', { name: member.display_name })
            : t('members.reactivated', { name: member.display_name }),
        );
        void queryClient.invalidateQueries({ queryKey: keys.members(org.id) });
        void queryClient.invalidateQueries({ queryKey: keys.org(org.id) });
      } catch (err) {
        message.error(errorText(t, err));
      }
    };
    if (action === 'reactivate') return void run();
    modal.confirm({
      title: t('members.deactivateTitle', { name: member.display_name }),
      content: t('members.deactivateConfirm', { org: org.name }),
      okText: t('members.deactivate'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: run,
    });
  };

  const selfID = me.data?.user.id;
  const mayChange = (m: Row) => m.user_id !== selfID && (m.role !== 'owner' || org.role === 'owner');

  return (
    <>
      <PageHeader
        title={t('members.title')}
        description={org.name}
        extra={
          <Button type="primary" icon={<UserAddOutlined aria-hidden />} onClick={() => setInviting(true)}>
            {t('members.invite')}
          </Button>
        }
      />
      <div className="card-stack">
        <Card>
          <div className="toolbar">
            <Input
              allowClear
              prefix={<SearchOutlined aria-hidden />}
              placeholder={t('members.search')}
              aria-label={t('members.search')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              className="toolbar-search"
              type="search"
            />
            <DepartmentPicker
              allowClear
              aria-label={t('members.departmentFilter')}
              placeholder={t('members.departmentFilter')}
              value={department}
              onChange={(id) => {
                setDepartment(id);
                setPage(1);
              }}
              className="toolbar-picker"
            />
            <div role="group" aria-label={t('members.statusFilter')} hidden={!!department}>
              <Radio.Group
                optionType="button"
                value={status}
                onChange={(e) => {
                  setStatus(e.target.value);
                  setPage(1);
                }}
                options={[
                  { value: 'all', label: t('members.filterAll') },
                  { value: 'active', label: t('status.active') },
                  { value: 'deactivated', label: t('status.deactivated') },
                ]}
              />
            </div>
          </div>
          {members.isError ? (
            <PageError error={members.error} onRetry={() => members.refetch()} />
          ) : (
            <Table<Row>
              rowKey="user_id"
              loading={members.isFetching && !members.data ? true : members.isFetching ? { delay: 200 } : false}
              dataSource={rows}
              title={department ? () => <span className="table-caption">{t('members.departmentNote')}</span> : undefined}
              // On a phone the columns fit the width (long emails wrap) rather than scroll sideways.
              scroll={mobile ? undefined : { x: 'max-content' }}
              locale={{ emptyText: q ? t('members.noMatch') : t('members.empty') }}
              pagination={{
                current: page,
                pageSize: PAGE_SIZE,
                total: members.data?.total ?? 0,
                onChange: setPage,
                showSizeChanger: false,
                hideOnSinglePage: true,
                showTotal: (total) => t('members.total', { total }),
              }}
              columns={[
                {
                  title: t('members.name'),
                  key: 'name',
                  render: (_, m) => (
                    <div className="member-cell">
                      <span className="member-name">
                        {m.display_name}
                        {m.user_id === selfID && <Tag className="you-tag">{t('members.you')}</Tag>}
                      </span>
                      <span className="member-email">{m.email}</span>
                      {mobile && (
                        <span className="member-role-inline">
                          {m.role ? `${roleLabel(t, m.role)} · ` : ''}
                          {statusLabel(t, m.status)}
                        </span>
                      )}
                    </div>
                  ),
                },
                ...(department ? [] : [{ title: t('members.role'), key: 'role', render: (_: unknown, m: Row) => roleLabel(t, m.role ?? ''), responsive: ['sm' as const] }]),
                {
                  title: t('members.status'),
                  key: 'status',
                  render: (_, m) => <Tag color={m.status === 'active' ? 'green' : undefined}>{statusLabel(t, m.status)}</Tag>,
                  responsive: ['sm'],
                },
                ...(department ? [] : [{ title: t('members.joined'), key: 'joined', render: (_: unknown, m: Row) => format.date(m.joined_at), responsive: ['md' as const] }]),
                {
                  title: <span className="visually-hidden">{t('common.actions')}</span>,
                  key: 'actions',
                  render: (_, m) => (
                    <Space size={4} wrap>
                      {mayChange(m) &&
                    (m.status === 'active' ? (
                      <Button size="small" danger onClick={() => change(m, 'deactivate')} aria-label={t('members.deactivateNamed', { name: m.display_name })}>
                        {t('members.deactivate')}
                      </Button>
                    ) : (
                      <Button size="small" onClick={() => change(m, 'reactivate')} aria-label={t('members.reactivateNamed', { name: m.display_name })}>
                        {t('members.reactivate')}
                      </Button>
                    ))}
                      <Dropdown
                        trigger={['click']}
                        menu={{
                          items: [
                            ...(mayChange(m) ? [{ key: 'role', label: t('members.changeRole') }] : []),
                            { key: 'departments', label: t('members.departments') },
                          ],
                          onClick: ({ key }) =>
                            setDialog({ kind: key === 'role' ? 'role' : 'departments', target: { userID: m.user_id, name: m.display_name } }),
                        }}
                      >
                        <Button size="small" icon={<MoreOutlined aria-hidden />} aria-label={t('members.moreNamed', { name: m.display_name })} />
                      </Dropdown>
                    </Space>
                  ),
                },
              ]}
            />
          )}
        </Card>
        <InvitationsCard orgID={org.id} />
      </div>
      <InviteDialog orgID={org.id} open={inviting} onClose={() => setInviting(false)} />
      {dialog?.kind === 'role' && <RoleDialog target={dialog.target} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'departments' && <DepartmentsDialog target={dialog.target} onClose={() => setDialog(undefined)} />}
    </>
  );
}
