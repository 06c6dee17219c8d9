import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Empty, Radio, Select, Table, Tabs, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, unwrap, type RoleAssignment, type RoleDef } from '../api/client';
import { keys, useAssignments, useMember, usePerson, useRoles } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeader } from '../components/PageHeader';
import { PageError } from '../components/PageState';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { MemberPicker, pickedName, type PickedMember } from '../directory/MemberPicker';
import { useFormat } from '../lib/hooks';
import { roleLabel } from '../lib/labels';
import { useAction } from '../lib/useAction';
import { useMediaQuery } from '../lib/useMediaQuery';
import { useSubmit } from '../lib/useSubmit';
import { DepartmentName } from './GroupsPage';
import { RoleDialog } from './MemberDialogs';
import { roleName } from './RolesPage';

function PersonName({ orgID, userID }: { orgID: string; userID: string }) {
  const person = usePerson(orgID, userID);
  if (person.isError) return <code>{userID.slice(0, 8)}</code>;
  return (
    <div className="member-cell">
      <span className="member-name">{person.data?.display_name ?? '…'}</span>
      {person.data && <span className="member-email">{person.data.email}</span>}
    </div>
  );
}

/**
 * AssignmentTable lists role assignments seen by person (with where each applies) or by
 * department (with whom each is for): the role, when it was granted, and a button to revoke it.
 */
function AssignmentTable({ orgID, list, by }: { orgID: string; list: ReturnType<typeof useAssignments>; by: 'person' | 'department' }) {
  const { t } = useTranslation();
  const format = useFormat();
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const roles = useRoles(orgID);
  const revoke = useRevoke(orgID);
  const byID = new Map((roles.data?.items ?? []).map((r) => [r.id, r]));
  const role = (a: RoleAssignment) => (byID.get(a.role_id) ? roleName(t, byID.get(a.role_id)!) : '');
  if (list.isError) return <PageError error={list.error} onRetry={() => list.refetch()} />;
  const roleColumn: TableColumnsType<RoleAssignment>[number] = { title: t('assignments.role'), key: 'role', render: (_, a) => role(a) || '…' };
  return (
    <Table<RoleAssignment>
      rowKey="id"
      size="small"
      loading={list.isPending}
      dataSource={list.data?.items ?? []}
      pagination={false}
      scroll={mobile ? undefined : { x: 'max-content' }}
      locale={{ emptyText: by === 'person' ? t('assignments.noneForPerson') : t('assignments.noneForDepartment') }}
      columns={[
        ...(by === 'person'
          ? [
              roleColumn,
              {
                title: t('assignments.scope'),
                key: 'scope',
                render: (_: unknown, a: RoleAssignment) => (a.department_id ? <DepartmentName orgID={orgID} id={a.department_id} /> : t('assignments.wholeOrg')),
              },
            ]
          : [{ title: t('assignments.person'), key: 'person', render: (_: unknown, a: RoleAssignment) => <PersonName orgID={orgID} userID={a.user_id} /> }, roleColumn]),
        { title: t('assignments.granted'), key: 'granted', render: (_, a) => format.date(a.created_at), responsive: ['md'] },
        {
          title: <span className="visually-hidden">{t('common.actions')}</span>,
          key: 'actions',
          render: (_, a) => (
            <Button size="small" danger onClick={() => revoke(a, role(a))} aria-label={t('assignments.revokeNamed', { role: role(a) })}>
              {t('assignments.revoke')}
            </Button>
          ),
        },
      ]}
    />
  );
}

/** Roles that can be assigned: the custom ones and the department admin role. */
function assignable(roles: RoleDef[] | undefined): RoleDef[] {
  return (roles ?? []).filter((r) => !r.builtin || r.builtin === 'department_admin');
}

/** AssignmentsPage grants and revokes roles, seen by person or by department. */
export default function AssignmentsPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const [params, setParams] = useSearchParams();
  const tab = params.get('by') === 'department' ? 'department' : 'person';
  if (!org) return null;
  return (
    <>
      <PageHeader title={t('assignments.title')} description={org.name} />
      <p className="page-note">{t('assignments.intro')}</p>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'department' ? { by: 'department' } : {}, { replace: true })}
        items={[
          { key: 'person', label: t('assignments.byPerson'), children: <ByPerson orgID={org.id} /> },
          { key: 'department', label: t('assignments.byDepartment'), children: <ByDepartment orgID={org.id} /> },
        ]}
      />
    </>
  );
}

function useRevoke(orgID: string) {
  const { t } = useTranslation();
  const { confirm } = useAction();
  const queryClient = useQueryClient();
  return (a: RoleAssignment, role: string) =>
    confirm({
      title: t('assignments.revokeTitle', { role }),
      content: t('assignments.revokeText'),
      okText: t('assignments.revoke'),
      run: () => unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/assignments/{assignmentID}', { params: { path: { orgID, assignmentID: a.id } } })),
      success: t('assignments.revoked', { role }),
      refresh: () => void queryClient.invalidateQueries({ queryKey: keys.assignments(orgID) }),
    });
}

function useGrant(orgID: string) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { busy, error, submit } = useSubmit();
  const grant = (body: { user_id: string; role_id: string; department_id: string | null }, role: string, who: string) =>
    submit(async () => {
      await unwrap(api.POST('/api/v1/admin/orgs/{orgID}/assignments', { params: { path: { orgID } }, body }));
      message.success(t('assignments.grantedTo', { role, name: who }));
      void queryClient.invalidateQueries({ queryKey: keys.assignments(orgID) });
    });
  return { grant, busy, error };
}

function ByPerson({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const [person, setPerson] = useState<PickedMember>();
  const [roleID, setRoleID] = useState<string>();
  const [scope, setScope] = useState<'org' | 'department'>('department');
  const [department, setDepartment] = useState<string>();
  const [changingRole, setChangingRole] = useState(false);
  const roles = useRoles(orgID);
  const member = useMember(orgID, person?.value);
  const list = useAssignments(orgID, { user_id: person?.value }, !!person);
  const { grant, busy, error } = useGrant(orgID);
  const byID = new Map((roles.data?.items ?? []).map((r) => [r.id, r]));
  const chosenRole = roleID ? byID.get(roleID) : undefined;
  const needsDepartment = chosenRole?.builtin === 'department_admin' || scope === 'department';
  const name = person ? pickedName(person) : '';

  return (
    <div className="card-stack">
      <Card>
        <label className="field-label" htmlFor="assign-person">
          {t('assignments.person')}
        </label>
        <MemberPicker id="assign-person" value={person} onChange={setPerson} className="wide-picker" />
      </Card>
      {person && (
        <>
          <Card title={<h2>{t('assignments.rolesOf', { name })}</h2>}>
            {member.data && (
              <Descriptions
                size="small"
                column={1}
                className="form-alert"
                items={[
                  {
                    key: 'base',
                    label: t('assignments.baseRole'),
                    children: (
                      <span>
                        {roleLabel(t, member.data.role)}{' '}
                        <Button type="link" size="small" className="inline-link" onClick={() => setChangingRole(true)}>
                          {t('members.changeRole')}
                        </Button>
                      </span>
                    ),
                  },
                ]}
              />
            )}
            <AssignmentTable orgID={orgID} list={list} by="person" />
          </Card>
          <Card title={<h2>{t('assignments.grantTo', { name })}</h2>}>
            <ErrorAlert error={error} />
            <div className="grant-form">
              <div className="dialog-field">
                <label className="field-label" htmlFor="grant-role">
                  {t('assignments.role')}
                </label>
                <Select
                  id="grant-role"
                  className="full-width"
                  value={roleID}
                  onChange={setRoleID}
                  placeholder={t('assignments.chooseRole')}
                  loading={roles.isPending}
                  options={assignable(roles.data?.items).map((r) => ({ value: r.id, label: roleName(t, r) }))}
                  notFoundContent={<Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('roles.noCustom')} />}
                />
              </div>
              {chosenRole?.builtin !== 'department_admin' && (
                <div className="dialog-field" role="radiogroup" aria-label={t('assignments.scope')}>
                  <span className="field-label">{t('assignments.scope')}</span>
                  <Radio.Group value={scope} onChange={(e) => setScope(e.target.value)}>
                    <Radio value="department">{t('assignments.oneDepartment')}</Radio>
                    <Radio value="org">{t('assignments.wholeOrg')}</Radio>
                  </Radio.Group>
                </div>
              )}
              {needsDepartment && (
                <div className="dialog-field">
                  <label className="field-label" htmlFor="grant-department">
                    {t('assignments.department')}
                  </label>
                  <DepartmentPicker id="grant-department" value={department} onChange={setDepartment} className="full-width" />
                  <p className="field-help">{t('assignments.departmentHelp')}</p>
                </div>
              )}
              <Button
                type="primary"
                loading={busy}
                disabled={!roleID || (needsDepartment && !department)}
                onClick={async () => {
                  if (!roleID || !chosenRole) return;
                  const ok = await grant(
                    { user_id: person.value, role_id: roleID, department_id: needsDepartment ? department! : null },
                    roleName(t, chosenRole),
                    name,
                  );
                  if (ok) setRoleID(undefined);
                }}
              >
                {t('assignments.grant')}
              </Button>
            </div>
          </Card>
        </>
      )}
      {changingRole && person && <RoleDialog target={{ userID: person.value, name }} onClose={() => setChangingRole(false)} />}
    </div>
  );
}

function ByDepartment({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const [department, setDepartment] = useState<string>();
  const [person, setPerson] = useState<PickedMember>();
  const [roleID, setRoleID] = useState<string>();
  const roles = useRoles(orgID);
  const list = useAssignments(orgID, { department_id: department }, !!department);
  const { grant, busy, error } = useGrant(orgID);
  const byID = new Map((roles.data?.items ?? []).map((r) => [r.id, r]));

  return (
    <div className="card-stack">
      <Card>
        <label className="field-label" htmlFor="assign-department">
          {t('assignments.department')}
        </label>
        <DepartmentPicker id="assign-department" value={department} onChange={setDepartment} className="wide-picker" />
      </Card>
      {department && (
        <>
          <Card title={<h2>{t('assignments.inDepartment')}</h2>}>
            <AssignmentTable orgID={orgID} list={list} by="department" />
          </Card>
          <Card title={<h2>{t('assignments.grantHere')}</h2>}>
            <ErrorAlert error={error} />
            <div className="grant-form">
              <div className="dialog-field">
                <label className="field-label" htmlFor="grant-person">
                  {t('assignments.person')}
                </label>
                <MemberPicker id="grant-person" value={person} onChange={setPerson} className="full-width" />
              </div>
              <div className="dialog-field">
                <label className="field-label" htmlFor="grant-dept-role">
                  {t('assignments.role')}
                </label>
                <Select
                  id="grant-dept-role"
                  className="full-width"
                  value={roleID}
                  onChange={setRoleID}
                  placeholder={t('assignments.chooseRole')}
                  loading={roles.isPending}
                  options={assignable(roles.data?.items).map((r) => ({ value: r.id, label: roleName(t, r) }))}
                />
              </div>
              <Button
                type="primary"
                loading={busy}
                disabled={!roleID || !person}
                onClick={async () => {
                  const role = roleID ? byID.get(roleID) : undefined;
                  if (!role || !person) return;
                  const ok = await grant(
                    { user_id: person.value, role_id: role.id, department_id: department },
                    roleName(t, role),
                    pickedName(person),
                  );
                  if (ok) {
                    setPerson(undefined);
                    setRoleID(undefined);
                  }
                }}
              >
                {t('assignments.grant')}
              </Button>
            </div>
          </Card>
        </>
      )}
    </div>
  );
}
