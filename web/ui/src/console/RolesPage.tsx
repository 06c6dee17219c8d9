import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Form, Input, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Permission, type RoleDef } from '../api/client';
import { keys, useRoles } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { builtinRoleDescription, permissionDescription, permissionLabel, roleLabel } from '../lib/labels';
import { nameRules } from '../lib/rules';
import { useAction } from '../lib/useAction';
import { useMediaQuery } from '../lib/useMediaQuery';
import { FormDialog } from './shared/FormDialog';

/** roleName is a role's name in the UI language: built-in roles are translated. */
export function roleName(t: Parameters<typeof roleLabel>[0], role: RoleDef): string {
  return role.builtin ? roleLabel(t, role.builtin) : role.name;
}

type Catalogue = { permission: Permission; scoped: boolean }[];

function PermissionTags({ permissions }: { permissions: Permission[] }) {
  const { t } = useTranslation();
  return (
    <span className="tag-list">
      {permissions.map((p) => (
        <Tag key={p} title={p}>
          {permissionLabel(t, p)}
        </Tag>
      ))}
    </span>
  );
}

/** RolesPage shows the built-in roles, the custom ones, and the permission catalogue they draw on. */
export default function RolesPage() {
  const { t } = useTranslation();
  const { confirm } = useAction();
  const queryClient = useQueryClient();
  const { org } = useCurrentOrg();
  const roles = useRoles(org?.id);
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const [editing, setEditing] = useState<RoleDef | 'new'>();
  if (!org) return null;
  const orgID = org.id;

  const remove = (role: RoleDef) =>
    confirm({
      title: t('roles.deleteTitle', { name: role.name }),
      content: t('roles.deleteText'),
      okText: t('roles.delete'),
      run: () => unwrap(api.DELETE('/api/v1/admin/orgs/{orgID}/roles/{roleID}', { params: { path: { orgID, roleID: role.id } } })),
      success: t('roles.deleted', { name: role.name }),
      refresh: () => {
        void queryClient.invalidateQueries({ queryKey: keys.roles(orgID) });
        void queryClient.invalidateQueries({ queryKey: keys.assignments(orgID) });
      },
    });

  const header = (
    <PageHeader
      title={t('roles.title')}
      description={org.name}
      extra={
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing('new')} disabled={!roles.data}>
          {t('roles.create')}
        </Button>
      }
    />
  );
  if (roles.isPending) return <>{header}<PageLoading /></>;
  if (roles.isError) return <>{header}<PageError error={roles.error} onRetry={() => roles.refetch()} /></>;
  const builtin = roles.data.items.filter((r) => r.builtin);
  const custom = roles.data.items.filter((r) => !r.builtin);
  const catalogue = roles.data.catalogue;

  return (
    <>
      {header}
      <div className="card-stack">
        <Card title={<h2>{t('roles.custom')}</h2>}>
          <Table<RoleDef>
            rowKey="id"
            size="small"
            dataSource={custom}
            pagination={false}
            locale={{ emptyText: t('roles.noCustom') }}
            columns={[
              {
                title: t('roles.name'),
                key: 'name',
                render: (_, r) => (
                  <div className="member-cell">
                    <span className="member-name">{r.name}</span>
                    {r.description && <span className="member-email role-description">{r.description}</span>}
                    {mobile && <PermissionTags permissions={r.permissions} />}
                  </div>
                ),
              },
              ...(mobile ? [] : [{ title: t('roles.permissions'), key: 'permissions', render: (_: unknown, r: RoleDef) => <PermissionTags permissions={r.permissions} /> }]),
              {
                title: <span className="visually-hidden">{t('common.actions')}</span>,
                key: 'actions',
                render: (_, r) => (
                  <Space size={4} wrap>
                    <Button size="small" onClick={() => setEditing(r)} aria-label={t('roles.editNamed', { name: r.name })}>
                      {t('roles.edit')}
                    </Button>
                    <Button size="small" danger onClick={() => remove(r)} aria-label={t('roles.deleteNamed', { name: r.name })}>
                      {t('roles.delete')}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        </Card>
        <Card title={<h2>{t('roles.builtin')}</h2>}>
          <Table<RoleDef>
            rowKey="id"
            size="small"
            dataSource={builtin}
            pagination={false}
            columns={[
              {
                title: t('roles.name'),
                key: 'name',
                render: (_, r) => (
                  <div className="member-cell">
                    <span className="member-name">{roleName(t, r)}</span>
                    <span className="member-email role-description">{builtinRoleDescription(t, r.builtin ?? '')}</span>
                    {mobile && <PermissionTags permissions={r.permissions} />}
                  </div>
                ),
              },
              ...(mobile ? [] : [{ title: t('roles.permissions'), key: 'permissions', render: (_: unknown, r: RoleDef) => <PermissionTags permissions={r.permissions} /> }]),
            ]}
          />
        </Card>
        <Card title={<h2>{t('roles.catalogue')}</h2>}>
          <p className="card-intro">{t('roles.catalogueIntro')}</p>
          <Table<Catalogue[number]>
            rowKey="permission"
            size="small"
            dataSource={catalogue}
            pagination={false}
            columns={[
              {
                title: t('roles.permission'),
                key: 'permission',
                render: (_, c) => (
                  <div className="member-cell">
                    <span className="member-name">{permissionLabel(t, c.permission)}</span>
                    <code className="permission-code">{c.permission}</code>
                    {mobile && <span className="member-email">{permissionDescription(t, c.permission)}</span>}
                  </div>
                ),
              },
              ...(mobile ? [] : [{ title: t('roles.what'), key: 'what', render: (_: unknown, c: Catalogue[number]) => permissionDescription(t, c.permission) }]),
              {
                title: t('roles.scope'),
                key: 'scope',
                render: (_, c) =>
                  c.scoped ? <Tag color="green">{t('roles.scoped')}</Tag> : <Tag>{t('roles.orgWide')}</Tag>,
              },
            ]}
          />
        </Card>
      </div>
      {editing && <RoleDialog orgID={orgID} role={editing === 'new' ? undefined : editing} catalogue={catalogue} onClose={() => setEditing(undefined)} />}
    </>
  );
}

interface RoleForm {
  name: string;
  description?: string;
  permissions: Permission[];
}

function RoleDialog({ orgID, role, catalogue, onClose }: { orgID: string; role?: RoleDef; catalogue: Catalogue; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const onSubmit = async (v: RoleForm) => {
    const body = { name: v.name.trim(), description: v.description?.trim() ?? '', permissions: v.permissions };
    const saved = role
      ? await unwrap(api.PATCH('/api/v1/admin/orgs/{orgID}/roles/{roleID}', { params: { path: { orgID, roleID: role.id } }, body }))
      : await unwrap(api.POST('/api/v1/admin/orgs/{orgID}/roles', { params: { path: { orgID } }, body }));
    message.success(role ? t('roles.saved', { name: saved.name }) : t('roles.created', { name: saved.name }));
    void queryClient.invalidateQueries({ queryKey: keys.roles(orgID) });
  };

  return (
    <FormDialog<RoleForm>
      name="role"
      width={640}
      title={role ? t('roles.editTitle', { name: role.name }) : t('roles.createTitle')}
      okText={role ? t('common.save') : t('roles.create')}
      onClose={onClose}
      onSubmit={onSubmit}
      initialValues={{ name: role?.name ?? '', description: role?.description ?? '', permissions: role?.permissions ?? [] }}
    >
      <Form.Item
        label={t('roles.name')}
        name="name"
        rules={nameRules(t)}
      >
        <Input autoFocus />
      </Form.Item>
      <Form.Item label={t('roles.description')} name="description" rules={[{ max: 500, message: t('validation.max', { max: 500 }) }]}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} />
      </Form.Item>
      <Form.Item
        label={t('roles.permissions')}
        name="permissions"
        extra={t('roles.permissionsHelp')}
        rules={[{ required: true, type: 'array', min: 1, message: t('roles.permissionsRequired') }]}
      >
        <Checkbox.Group className="permission-checks">
          {catalogue.map((c) => (
            <Checkbox key={c.permission} value={c.permission} disabled={c.permission === 'ownership.transfer'}>
              <span className="permission-check">
                <span className="permission-check-name">
                  {permissionLabel(t, c.permission)}
                  {c.scoped && <Tag color="green" className="inline-tag">{t('roles.scoped')}</Tag>}
                </span>
                <span className="permission-check-text">
                  {c.permission === 'ownership.transfer' ? t('roles.ownershipNever') : permissionDescription(t, c.permission)}
                </span>
              </span>
            </Checkbox>
          ))}
        </Checkbox.Group>
      </Form.Item>
    </FormDialog>
  );
}
