import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, Form, Input, Modal, Radio, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type PersonCard, type Role } from '../api/client';
import type { components } from '../api/schema';
import { keys, useMember, usePerson } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageError, PageLoading } from '../components/PageState';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { roleLabel } from '../lib/labels';
import { useSubmit } from '../lib/useSubmit';

/** The most departments a member may belong to (the default organisation limit). */
export const MAX_DEPARTMENTS = 50;

export interface Target {
  userID: string;
  name: string;
}

/** RoleDialog changes a member's base role: owner (by an owner only), admin, member or guest. */
export function RoleDialog({ target, onClose }: { target: Target; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { org } = useCurrentOrg();
  const member = useMember(org?.id, target.userID);
  const [role, setRole] = useState<Role>();
  const { busy, error, submit } = useSubmit();
  if (!org) return null;
  const current = member.data?.role;
  const chosen = role ?? current;
  const roles: Role[] = org.role === 'owner' ? ['owner', 'admin', 'member', 'guest'] : ['admin', 'member', 'guest'];

  const onOk = async () => {
    if (!chosen || chosen === current) return onClose();
    const saved = await submit(async () => {
      await unwrap(
        api.PUT('/api/v1/admin/orgs/{orgID}/users/{userID}/role', { params: { path: { orgID: org.id, userID: target.userID } }, body: { role: chosen } }),
      );
      message.success(t('members.roleChanged', { name: target.name, role: roleLabel(t, chosen) }));
      void queryClient.invalidateQueries({ queryKey: keys.members(org.id) });
      void queryClient.invalidateQueries({ queryKey: keys.directory(org.id) });
    });
    if (saved) onClose();
  };


  return (
    <Modal
      open
      title={t('members.roleTitle', { name: target.name })}
      onCancel={onClose}
      onOk={onOk}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      okButtonProps={{ disabled: !chosen || chosen === current }}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      {member.isPending ? (
        <PageLoading />
      ) : member.isError ? (
        <PageError error={member.error} onRetry={() => member.refetch()} />
      ) : (
        <>
          <label className="field-label" htmlFor="member-role">
            {t('members.role')}
          </label>
          <Select
            id="member-role"
            className="full-width"
            value={chosen}
            onChange={setRole}
            options={roles.map((r) => ({ value: r, label: roleLabel(t, r) }))}
            disabled={current === 'owner' && org.role !== 'owner'}
          />
          <p className="field-help">{t('members.roleHelp')}</p>
        </>
      )}
    </Modal>
  );
}

interface Row {
  key: number;
  department_id?: string;
  leader: boolean;
}

/** DepartmentsDialog sets exactly which departments a member belongs to, which is primary, and where they lead. */
export function DepartmentsDialog({ target, onClose }: { target: Target; onClose: () => void }) {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const person = usePerson(org?.id, target.userID);
  return (
    <Modal open title={t('members.departmentsTitle', { name: target.name })} onCancel={onClose} footer={null} width={640} destroyOnHidden>
      {person.isPending ? (
        <PageLoading />
      ) : person.isError ? (
        <PageError error={person.error} onRetry={() => person.refetch()} />
      ) : (
        <DepartmentsForm person={person.data} target={target} onClose={onClose} />
      )}
    </Modal>
  );
}

function DepartmentsForm({ person, target, onClose }: { person: PersonCard; target: Target; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { org } = useCurrentOrg();
  const [rows, setRows] = useState<Row[]>(() => person.departments.map((d, i) => ({ key: i, department_id: d.id, leader: d.leader })));
  const [primary, setPrimary] = useState<number | undefined>(() => {
    const i = person.departments.findIndex((d) => d.primary);
    return i >= 0 ? i : person.departments.length ? 0 : undefined;
  });
  const [nextKey, setNextKey] = useState(person.departments.length);
  const { busy, error, submit } = useSubmit();
  if (!org) return null;

  const update = (key: number, change: Partial<Row>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const add = () => {
    setRows((rs) => [...rs, { key: nextKey, leader: false }]);
    if (primary === undefined) setPrimary(nextKey);
    setNextKey((k) => k + 1);
  };
  const remove = (key: number) => {
    const rest = rows.filter((r) => r.key !== key);
    setRows(rest);
    if (primary === key) setPrimary(rest[0]?.key);
  };
  const chosen = rows.filter((r) => r.department_id);
  const ids = chosen.map((r) => r.department_id);
  const duplicate = new Set(ids).size !== ids.length;

  const save = async () => {
    const saved = await submit(async () => {
      await unwrap(
        api.PUT('/api/v1/admin/orgs/{orgID}/users/{userID}/departments', {
          params: { path: { orgID: org.id, userID: target.userID } },
          body: {
            departments: chosen.map((r) => ({ department_id: r.department_id!, primary: r.key === primary, leader: r.leader })),
          },
        }),
      );
      message.success(t('members.departmentsSaved', { name: target.name }));
      void queryClient.invalidateQueries({ queryKey: keys.directory(org.id) });
    });
    if (saved) onClose();
  };


  return (
    <div>
      <p>{t('members.departmentsText', { max: MAX_DEPARTMENTS })}</p>
      <ErrorAlert error={error} />
      {duplicate && <Alert type="warning" showIcon message={t('errors.duplicateDepartment')} className="form-alert" />}
      {rows.length === 0 ? (
        <p className="muted">{t('members.noDepartments')}</p>
      ) : (
        <ul className="assignment-rows">
          {rows.map((r, i) => (
            <li key={r.key} className="assignment-row">
              <DepartmentPicker
                aria-label={t('members.departmentN', { n: i + 1 })}
                value={r.department_id}
                onChange={(id) => update(r.key, { department_id: id })}
                className="assignment-picker"
              />
              <Radio checked={primary === r.key} onChange={() => setPrimary(r.key)}>
                {t('directory.primary')}
              </Radio>
              <Checkbox checked={r.leader} onChange={(e) => update(r.key, { leader: e.target.checked })}>
                {t('directory.leader')}
              </Checkbox>
              <Button
                type="text"
                icon={<DeleteOutlined aria-hidden />}
                onClick={() => remove(r.key)}
                aria-label={t('members.removeDepartmentN', { n: i + 1 })}
              />
            </li>
          ))}
        </ul>
      )}
      <Button icon={<PlusOutlined aria-hidden />} onClick={add} disabled={rows.length >= MAX_DEPARTMENTS}>
        {t('members.addDepartment')}
      </Button>
      {rows.length >= MAX_DEPARTMENTS && <p className="field-help">{t('members.departmentsFull', { max: MAX_DEPARTMENTS })}</p>}
      <div className="dialog-footer">
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="primary" onClick={save} loading={busy} disabled={duplicate || chosen.length !== rows.length}>
          {t('common.save')}
        </Button>
      </div>
    </div>
  );
}

/** A row of the people table, whose profile the edit dialog starts from. */
export type PeopleRow = components['schemas']['PeopleRow'];

/** mobileOK mirrors the API: spaces, dashes, dots and parentheses aside, E.164 ("+8613800138000"). */
export function mobileOK(v: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(v.replace(/[\s\-.()]/g, ''));
}

/** dateOK accepts a calendar date written YYYY-MM-DD. */
export function dateOK(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

interface ProfileValues {
  email: string;
  display_name: string;
  employee_number?: string;
  job_title?: string;
  mobile?: string;
  work_location?: string;
  manager?: PickedMember;
  hire_date?: string;
}

/**
 * PersonDialog adds a person (POST .../users) or, given their row, edits their name, email and
 * employee details (PATCH .../users/{userID}); the checks match the API's.
 */
export function PersonDialog({ row, onClose }: { row?: PeopleRow; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { org } = useCurrentOrg();
  const [form] = Form.useForm<ProfileValues>();
  const { busy, error, submit } = useSubmit();
  if (!org) return null;
  const initial: Partial<ProfileValues> = row
    ? {
        email: row.email,
        display_name: row.display_name,
        employee_number: row.employee_number ?? '',
        job_title: row.job_title,
        mobile: row.mobile ?? '',
        work_location: row.work_location,
        manager: row.manager ? { value: row.manager.id, label: row.manager.name } : undefined,
        hire_date: row.hire_date ?? '',
      }
    : {};

  const save = async (v: ProfileValues) => {
    const profile = {
      employee_number: (v.employee_number ?? '').trim(),
      job_title: (v.job_title ?? '').trim(),
      mobile: (v.mobile ?? '').trim(),
      work_location: (v.work_location ?? '').trim(),
      manager_id: v.manager?.value ?? '',
      hire_date: (v.hire_date ?? '').trim(),
    };
    const saved = await submit(async () => {
      if (row) {
        // Only what changed is sent; "" clears a field.
        const before = {
          employee_number: row.employee_number ?? '',
          job_title: row.job_title,
          mobile: row.mobile ?? '',
          work_location: row.work_location,
          manager_id: row.manager?.id ?? '',
          hire_date: row.hire_date ?? '',
        };
        const body: Record<string, string> = {};
        for (const [k, val] of Object.entries(profile)) if (val !== before[k as keyof typeof before]) body[k] = val;
        if (v.email.trim() !== row.email) body.email = v.email.trim();
        if (v.display_name.trim() !== row.display_name) body.display_name = v.display_name.trim();
        await unwrap(api.PATCH('/api/v1/admin/orgs/{orgID}/users/{userID}', { params: { path: { orgID: org.id, userID: row.user_id } }, body }));
        message.success(t('people.saved', { name: v.display_name.trim() }));
      } else {
        // Empty fields are left out rather than sent as "".
        const filled = Object.fromEntries(Object.entries(profile).filter(([, val]) => val !== ''));
        const res = await api.POST('/api/v1/admin/orgs/{orgID}/users', {
          params: { path: { orgID: org.id } },
          body: { email: v.email.trim(), display_name: v.display_name.trim(), ...filled },
        });
        await unwrap(Promise.resolve(res));
        message.success(res.response.status === 202 ? t('people.invited', { email: v.email.trim() }) : t('people.added', { name: v.display_name.trim() }));
        void queryClient.invalidateQueries({ queryKey: keys.invitations(org.id) });
      }
      void queryClient.invalidateQueries({ queryKey: keys.members(org.id) });
      void queryClient.invalidateQueries({ queryKey: keys.directory(org.id) });
    });
    if (saved) onClose();
  };

  const max = (n: number) => ({ max: n, message: t('people.tooLong', { max: n }) });
  return (
    <Modal
      open
      title={row ? t('people.editTitle', { name: row.display_name }) : t('people.addTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={row ? t('common.save') : t('people.add')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      <Form<ProfileValues> form={form} layout="vertical" initialValues={initial} onFinish={save}>
        <Form.Item name="email" label={t('people.email')} rules={[{ required: true, type: 'email', message: t('people.emailInvalid') }]}>
          <Input type="email" autoComplete="off" />
        </Form.Item>
        <Form.Item name="display_name" label={t('people.name')} rules={[{ required: true, whitespace: true, message: t('people.nameRequired') }, max(100)]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="employee_number" label={t('people.employeeNumber')} rules={[max(64)]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="job_title" label={t('people.jobTitle')} rules={[max(128)]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="mobile"
          label={t('people.mobile')}
          extra={t('people.mobileHint')}
          rules={[{ validator: (_, v?: string) => (!v || !v.trim() || mobileOK(v) ? Promise.resolve() : Promise.reject(new Error(t('people.mobileInvalid')))) }]}
        >
          <Input type="tel" autoComplete="off" placeholder="+8613800138000" />
        </Form.Item>
        <Form.Item name="work_location" label={t('people.location')} rules={[max(128)]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="manager" label={t('people.manager')}>
          <MemberPicker allowClear aria-label={t('people.manager')} exclude={row ? [row.user_id] : undefined} />
        </Form.Item>
        <Form.Item
          name="hire_date"
          label={t('people.hireDate')}
          rules={[{ validator: (_, v?: string) => (!v || dateOK(v) ? Promise.resolve() : Promise.reject(new Error(t('people.dateInvalid')))) }]}
        >
          <Input type="date" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
