import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, Modal, Radio, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type PersonCard, type Role } from '../api/client';
import { keys, useMember, usePerson } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageError, PageLoading } from '../components/PageState';
import { DepartmentPicker } from '../directory/DepartmentPicker';
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
