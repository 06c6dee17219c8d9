import { LinkOutlined, MoreOutlined, UserAddOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Dropdown, Radio, Space, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type ActivationLink, type Role } from '../api/client';
import { keys, useDepartmentMembers, useMe, useMembers } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { usePermissions } from '../auth/access';
import { PageHeader } from '../components/PageHeader';
import { SearchInput } from '../components/SearchInput';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { useFormat } from '../lib/hooks';
import { roleLabel, statusLabel } from '../lib/labels';
import { useAction } from '../lib/useAction';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';
import { useMediaQuery } from '../lib/useMediaQuery';
import { ActivationLinkDialog } from './ActivationLinks';
import { InvitationsCard } from './InvitationsCard';
import { InviteDialog } from './InviteDialog';
import { DepartmentsDialog, PersonDialog, RoleDialog, type PeopleRow, type Target } from './MemberDialogs';
import { PeopleTable } from './PeopleTable';
import { MemberTable } from './shared/MemberTable';

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
  /** The account has no password yet: its person needs an activation link. */
  activation_pending?: boolean;
}

/** Dialog is the open dialog; an activation link that a reset answered with comes along to be shown. */
type Dialog = { kind: 'role' | 'departments' | 'activation'; target: Target; reset?: ActivationLink } | { kind: 'person'; row?: PeopleRow };

/**
 * MembersPage lists, searches, invites, deactivates and reactivates the organisation's members,
 * gives those who have not activated their account yet a link to do it, and resets the sign-in of
 * an account someone else may know the password of (docs/accounts.md, "Resetting credentials").
 * Whoever holds members.manage gets the people table (PeopleTable: employee details, filters,
 * selection and adding to a group) and adds or edits people (PersonDialog); the others read the
 * directory's list of members.
 */
export default function MembersPage() {
  const { t } = useTranslation();
  const { confirm, perform } = useAction();
  const queryClient = useQueryClient();
  const format = useFormat();
  const me = useMe();
  const { org } = useCurrentOrg();
  const perms = usePermissions();
  const [status, setStatus] = useState<StatusFilter>('all');
  const [page, setPage] = useState(1);
  const { search, setSearch, q } = useDebouncedSearch(() => setPage(1));
  const [inviting, setInviting] = useState(false);
  const [department, setDepartment] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const mobile = useMediaQuery('(max-width: 575.98px)');

  const orgID = org?.id;
  const peopleTable = perms.can('members.manage');
  // Whoever manages members gets the people table; the others the directory's list of members.
  const everyone = useMembers(department || peopleTable ? undefined : orgID, {
    q,
    status: status === 'all' ? undefined : status,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  const inDepartment = useDepartmentMembers(peopleTable ? undefined : orgID, department, { subtree: true, q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const members = department ? inDepartment : everyone;
  if (!org) return null;

  const change = (member: Row, action: 'deactivate' | 'reactivate') => {
    const path = action === 'deactivate' ? '/api/v1/orgs/{orgID}/members/{userID}/deactivate' : '/api/v1/orgs/{orgID}/members/{userID}/reactivate';
    const run = {
      run: () => unwrap(api.POST(path, { params: { path: { orgID: org.id, userID: member.user_id } } })),
      success:
        action === 'deactivate'
          ? t('members.deactivated', { name: member.display_name })
          : t('members.reactivated', { name: member.display_name }),
      refresh: () => {
        void queryClient.invalidateQueries({ queryKey: keys.members(org.id) });
        void queryClient.invalidateQueries({ queryKey: keys.org(org.id) });
      },
    };
    if (action === 'reactivate') return void perform(run);
    confirm({
      ...run,
      title: t('members.deactivateTitle', { name: member.display_name }),
      content: t('members.deactivateConfirm', { org: org.name }),
      okText: t('members.deactivate'),
    });
  };

  // Resetting ends every session and token of the person, everywhere, and removes their password;
  // the new activation link it answers with is shown in the dialog the "Activation link" action uses.
  const reset = (member: Row) =>
    confirm({
      title: t('members.resetTitle', { name: member.display_name }),
      content: t('members.resetConfirm', { name: member.display_name }),
      okText: t('members.reset'),
      success: t('members.resetDone', { name: member.display_name }),
      run: async () => {
        const link = await unwrap(
          api.POST('/api/v1/admin/orgs/{orgID}/users/{userID}/reset-credentials', { params: { path: { orgID: org.id, userID: member.user_id } } }),
        );
        setDialog({ kind: 'activation', target: { userID: member.user_id, name: member.display_name }, reset: link });
      },
      refresh: () => queryClient.invalidateQueries({ queryKey: keys.members(org.id) }),
    });

  const selfID = me.data?.user.id;
  // members.manage is organisation-wide; a member's departments may be set by whoever manages some of the tree.
  const manageMembers = perms.can('members.manage');
  const setDepartments = perms.canAnywhere('directory.manage');
  const mayChange = (m: Row) => manageMembers && m.user_id !== selfID && (m.role !== 'owner' || org.role === 'owner');
  const pending = (m: Row) => m.activation_pending === true && m.status === 'active';
  const open = (kind: 'role' | 'departments' | 'activation', m: Row) => setDialog({ kind, target: { userID: m.user_id, name: m.display_name } });
  // The people table's rows do not say whether an account awaits activation: its link is in the menu.
  const unknownPending = (m: Row) => !('activation_pending' in m);
  const mayEdit = (m: Row) => manageMembers && (m.role !== 'owner' || org.role === 'owner');

  const tags = (m: Row) => (
    <>
      {m.user_id === selfID && <Tag className="you-tag">{t('members.you')}</Tag>}
      {/* Beside the name rather than in the status column, so that phones show it too. */}
      {pending(m) && (
        <Tag color="gold" className="name-tag">
          {t('activation.pending')}
        </Tag>
      )}
    </>
  );
  const actions = (m: Row) => (
    <Space size={4} wrap>
      {manageMembers && pending(m) && (
        <Button size="small" icon={<LinkOutlined aria-hidden />} onClick={() => open('activation', m)} aria-label={t('activation.linkNamed', { name: m.display_name })}>
          {t('activation.linkAction')}
        </Button>
      )}
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
      {(mayChange(m) || setDepartments || mayEdit(m)) && (
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              ...(mayEdit(m) && unknownPending(m) ? [{ key: 'edit', label: t('people.edit') }] : []),
              ...(mayChange(m) ? [{ key: 'role', label: t('members.changeRole') }] : []),
              ...(setDepartments ? [{ key: 'departments', label: t('members.departments') }] : []),
              ...(manageMembers && unknownPending(m) && m.status === 'active' ? [{ key: 'activation', label: t('activation.linkAction') }] : []),
              // Someone who has not activated yet needs an activation link, not a reset.
              ...(mayChange(m) && m.status === 'active' && !pending(m) ? [{ key: 'reset', label: t('members.reset'), danger: true }] : []),
            ],
            onClick: ({ key }) => {
              if (key === 'reset') return reset(m);
              if (key === 'edit') return setDialog({ kind: 'person', row: m as PeopleRow });
              open(key === 'role' ? 'role' : key === 'activation' ? 'activation' : 'departments', m);
            },
          }}
        >
          <Button size="small" icon={<MoreOutlined aria-hidden />} aria-label={t('members.moreNamed', { name: m.display_name })} />
        </Dropdown>
      )}
    </Space>
  );

  return (
    <>
      <PageHeader
        title={t('members.title')}
        description={org.name}
        extra={
          manageMembers && (
            <Space wrap>
              <Button type="primary" icon={<UserAddOutlined aria-hidden />} onClick={() => setDialog({ kind: 'person' })}>
                {t('people.add')}
              </Button>
              <Button icon={<UserAddOutlined aria-hidden />} onClick={() => setInviting(true)}>
                {t('members.invite')}
              </Button>
            </Space>
          )
        }
      />
      {perms.ready && !manageMembers && !setDepartments && <Alert type="info" showIcon className="form-alert" message={t('console.readOnlyNote')} />}
      <div className="card-stack">
        {manageMembers ? (
          <Card>
            <PeopleTable orgID={org.id} tags={tags} actions={actions} bulk />
          </Card>
        ) : (
        <Card>
          <div className="toolbar">
            <SearchInput label={t('members.search')} value={search} onChange={setSearch} />
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
          <MemberTable<Row>
            query={members}
            page={page}
            pageSize={PAGE_SIZE}
            onPage={setPage}
            size="large"
            loading={members.isFetching && !members.data ? true : members.isFetching ? { delay: 200 } : false}
            title={department ? () => <span className="table-caption">{t('members.departmentNote')}</span> : undefined}
            // On a phone the columns fit the width (long emails wrap) rather than scroll sideways.
            scroll={mobile ? undefined : { x: 'max-content' }}
            empty={q ? t('members.noMatch') : t('members.empty')}
            showTotal={(total) => t('members.total', { total })}
            tags={tags}
            details={(m) =>
              mobile && (
                <span className="member-role-inline">
                  {m.role ? `${roleLabel(t, m.role)} · ` : ''}
                  {statusLabel(t, m.status)}
                </span>
              )
            }
            columns={[
              ...(department ? [] : [{ title: t('members.role'), key: 'role', render: (_: unknown, m: Row) => roleLabel(t, m.role ?? ''), responsive: ['sm' as const] }]),
              {
                title: t('members.status'),
                key: 'status',
                render: (_: unknown, m: Row) => <Tag color={m.status === 'active' ? 'green' : undefined}>{statusLabel(t, m.status)}</Tag>,
                responsive: ['sm' as const],
              },
              ...(department ? [] : [{ title: t('members.joined'), key: 'joined', render: (_: unknown, m: Row) => format.date(m.joined_at), responsive: ['md' as const] }]),
            ]}
            actions={!setDepartments ? undefined : actions}
          />
        </Card>
        )}
        {manageMembers && <InvitationsCard orgID={org.id} />}
      </div>
      <InviteDialog orgID={org.id} open={inviting} onClose={() => setInviting(false)} />
      {dialog?.kind === 'person' && <PersonDialog row={dialog.row} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'role' && <RoleDialog target={dialog.target} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'departments' && <DepartmentsDialog target={dialog.target} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'activation' && (
        <ActivationLinkDialog
          key={`${dialog.target.userID}${dialog.reset ? ':reset' : ''}`}
          orgID={org.id}
          target={dialog.target}
          reset={dialog.reset}
          onClose={() => setDialog(undefined)}
        />
      )}
    </>
  );
}
