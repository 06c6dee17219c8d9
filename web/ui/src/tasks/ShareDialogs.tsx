import { ApartmentOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { App, Button, Form, List, Modal, Radio, Select, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageError } from '../components/PageState';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { tasksApi, useListShares, useTaskShares, type ListShare } from './api';
import { shareRoleLabel, tasksErrorText, useTasksRefresh } from './shared';

type PrincipalType = ListShare['principal_type'];
type Role = ListShare['role'];

interface ShareForm {
  principal_type: PrincipalType;
  user?: PickedMember;
  group?: string;
  department?: string;
  role: Role;
}

function PrincipalIcon({ type }: { type: PrincipalType }) {
  if (type === 'group') return <TeamOutlined aria-hidden />;
  if (type === 'department') return <ApartmentOutlined aria-hidden />;
  return <UserOutlined aria-hidden />;
}

interface Share {
  principal_type: PrincipalType;
  principal_id: string;
  name: string;
  role: Role;
}

interface Props {
  title: string;
  /** Who it may be shared with: a list also with departments. */
  types: PrincipalType[];
  roles: Role[];
  shares: { data?: { items: Share[] }; isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  share: (type: PrincipalType, id: string, role: Role) => Promise<unknown>;
  unshare: (s: Share) => Promise<unknown>;
  onClose: () => void;
  help?: string;
}

/** ShareDialog shares a list or a task with people, groups (and for a list departments), by role, and revokes shares. */
function ShareDialog({ title, types, roles, shares, share, unshare, onClose, help }: Props) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<ShareForm>();
  const type = Form.useWatch('principal_type', form) ?? 'user';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const typeLabel = (p: PrincipalType) => (p === 'group' ? t('tasks.share.group') : p === 'department' ? t('tasks.share.department') : t('tasks.share.person'));

  const finish = async (v: ShareForm) => {
    const id = v.principal_type === 'user' ? v.user?.value : v.principal_type === 'group' ? v.group : v.department;
    if (!id) {
      setError(t('tasks.share.pickSomeone'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await share(v.principal_type, id, v.role);
      message.success(t('tasks.share.shared'));
      form.setFieldsValue({ user: undefined, group: undefined, department: undefined });
    } catch (err) {
      setError(tasksErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const revoke = (s: Share) =>
    modal.confirm({
      title: t('tasks.share.revokeTitle', { name: s.name }),
      okText: t('tasks.share.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await unshare(s);
          message.success(t('tasks.share.revoked'));
        } catch (err) {
          message.error(tasksErrorText(t, err));
        }
      },
    });

  return (
    <Modal open title={title} onCancel={onClose} footer={<Button onClick={onClose}>{t('common.done')}</Button>} destroyOnHidden width={600}>
      {help && <p>{help}</p>}
      <ErrorAlert error={error} />
      <Form<ShareForm> form={form} name="task-share" layout="vertical" requiredMark={false} disabled={busy} initialValues={{ principal_type: 'user', role: roles[0] }} onFinish={finish}>
        <Form.Item label={t('tasks.share.with')} name="principal_type">
          <Radio.Group optionType="button" options={types.map((p) => ({ value: p, label: typeLabel(p) }))} />
        </Form.Item>
        {type === 'user' && (
          <Form.Item label={t('tasks.share.person')} name="user">
            <MemberPicker aria-label={t('tasks.share.person')} className="full-width" />
          </Form.Item>
        )}
        {type === 'group' && (
          <Form.Item label={t('tasks.share.group')} name="group">
            <GroupPicker aria-label={t('tasks.share.group')} className="full-width" />
          </Form.Item>
        )}
        {type === 'department' && (
          <Form.Item label={t('tasks.share.department')} name="department" extra={t('tasks.share.departmentHelp')}>
            <DepartmentPicker aria-label={t('tasks.share.department')} className="full-width" />
          </Form.Item>
        )}
        <Form.Item label={t('tasks.share.role')} name="role">
          <Select aria-label={t('tasks.share.role')} options={roles.map((r) => ({ value: r, label: shareRoleLabel(t, r) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="share-submit">
          {t('tasks.share.submit')}
        </Button>
      </Form>
      <h3 className="tasks-dialog-section">{t('tasks.share.current')}</h3>
      {shares.isError ? (
        <PageError error={shares.error} onRetry={() => shares.refetch()} />
      ) : (
        <List
          loading={shares.isPending}
          aria-label={t('tasks.share.current')}
          locale={{ emptyText: t('tasks.share.none') }}
          dataSource={shares.data?.items ?? []}
          renderItem={(s) => (
            <List.Item
              actions={[
                <Button key="revoke" size="small" danger onClick={() => revoke(s)} aria-label={t('tasks.share.revokeFor', { name: s.name })}>
                  {t('tasks.share.revoke')}
                </Button>,
              ]}
            >
              <List.Item.Meta
                avatar={<PrincipalIcon type={s.principal_type} />}
                title={s.name}
                description={
                  <>
                    <Tag>{typeLabel(s.principal_type)}</Tag>
                    <Tag color={s.role === 'viewer' ? undefined : 'green'}>{shareRoleLabel(t, s.role)}</Tag>
                  </>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Modal>
  );
}

/** ListShareDialog shares a list with people, groups or departments as viewer, editor or manager. */
export function ListShareDialog({ orgID, listID, name, onClose }: { orgID: string; listID: string; name: string; onClose: () => void }) {
  const { t } = useTranslation();
  const shares = useListShares(orgID, listID);
  const refresh = useTasksRefresh(orgID);
  return (
    <ShareDialog
      title={t('tasks.share.listTitle', { name })}
      types={['user', 'group', 'department']}
      roles={['viewer', 'editor', 'manager']}
      shares={shares}
      share={async (type, id, role) => {
        await tasksApi.shareList(orgID, listID, { principal_type: type, principal_id: id, role });
        await refresh();
      }}
      unshare={async (s) => {
        await tasksApi.unshareList(orgID, listID, s.principal_type, s.principal_id);
        await refresh();
      }}
      onClose={onClose}
    />
  );
}

/** TaskShareDialog shares one task (not its list) with a person or a group, as viewer or editor. */
export function TaskShareDialog({ orgID, taskID, title, onClose }: { orgID: string; taskID: string; title: string; onClose: () => void }) {
  const { t } = useTranslation();
  const shares = useTaskShares(orgID, taskID);
  const refresh = useTasksRefresh(orgID);
  return (
    <ShareDialog
      title={t('tasks.share.taskTitle', { name: title })}
      help={t('tasks.share.taskHelp')}
      types={['user', 'group']}
      roles={['viewer', 'editor']}
      shares={shares}
      share={async (type, id, role) => {
        await tasksApi.shareTask(orgID, taskID, { principal_type: type as 'user' | 'group', principal_id: id, role: role as 'viewer' | 'editor' });
        await refresh();
      }}
      unshare={async (s) => {
        await tasksApi.unshareTask(orgID, taskID, s.principal_type as 'user' | 'group', s.principal_id);
        await refresh();
      }}
      onClose={onClose}
    />
  );
}
