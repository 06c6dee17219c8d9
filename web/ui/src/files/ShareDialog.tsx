import { ApartmentOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, List, Modal, Radio, Select, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageError } from '../components/PageState';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { MemberPicker, type PickedMember } from '../directory/MemberPicker';
import { fileKeys, filesApi, useShares, type Share, type Target } from './api';
import { filesErrorText } from './format';

type PrincipalType = Share['principal_type'];
type ShareRole = Share['role'];

interface ShareForm {
  principal_type: PrincipalType;
  user?: PickedMember;
  group?: string;
  department?: string;
  role: ShareRole;
}

function PrincipalIcon({ type }: { type: PrincipalType }) {
  if (type === 'group') return <TeamOutlined aria-hidden />;
  if (type === 'department') return <ApartmentOutlined aria-hidden />;
  return <UserOutlined aria-hidden />;
}

/**
 * ShareDialog shares a file or folder with a person, a group or a department (with its
 * sub-departments), as viewer or editor, and lists and revokes the shares it has.
 */
export function ShareDialog({ orgID, target, onClose }: { orgID: string; target: Target; onClose: () => void }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const shares = useShares(orgID, target);
  const [form] = Form.useForm<ShareForm>();
  const type = Form.useWatch('principal_type', form) ?? 'user';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const refresh = () => queryClient.invalidateQueries({ queryKey: fileKeys.all(orgID) });

  const roleLabel = (role: ShareRole) => (role === 'editor' ? t('files.share.editor') : t('files.share.viewer'));
  const typeLabel = (p: PrincipalType) =>
    p === 'group' ? t('files.share.group') : p === 'department' ? t('files.share.department') : t('files.share.person');

  const finish = async (values: ShareForm) => {
    const principal = values.principal_type === 'user' ? values.user?.value : values.principal_type === 'group' ? values.group : values.department;
    if (!principal) {
      setError(t('files.share.pickSomeone'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await filesApi.share(orgID, {
        target_type: target.type,
        target_id: target.id,
        principal_type: values.principal_type,
        principal_id: principal,
        role: values.role,
      });
      message.success(t('files.share.shared'));
      form.setFieldsValue({ user: undefined, group: undefined, department: undefined });
      await refresh();
    } catch (err) {
      setError(filesErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = (share: Share) =>
    modal.confirm({
      title: t('files.share.revokeTitle', { name: share.principal_name }),
      okText: t('files.share.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await filesApi.revokeShare(orgID, share.id);
          message.success(t('files.share.revoked'));
          await refresh();
        } catch (err) {
          message.error(filesErrorText(t, err));
        }
      },
    });

  return (
    <Modal
      open
      title={t('files.share.title', { name: target.name })}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('common.done')}</Button>}
      destroyOnHidden
      width={600}
    >
      <ErrorAlert error={error} />
      <Form<ShareForm> form={form} name="share" layout="vertical" requiredMark={false} disabled={busy} initialValues={{ principal_type: 'user', role: 'viewer' }} onFinish={finish}>
        <Form.Item label={t('files.share.with')} name="principal_type">
          <Radio.Group
            optionType="button"
            options={(['user', 'group', 'department'] as const).map((p) => ({ value: p, label: typeLabel(p) }))}
          />
        </Form.Item>
        {type === 'user' && (
          <Form.Item label={t('files.share.person')} name="user">
            <MemberPicker aria-label={t('files.share.person')} className="full-width" />
          </Form.Item>
        )}
        {type === 'group' && (
          <Form.Item label={t('files.share.group')} name="group">
            <GroupPicker aria-label={t('files.share.group')} className="full-width" />
          </Form.Item>
        )}
        {type === 'department' && (
          <Form.Item label={t('files.share.department')} name="department" extra={t('files.share.departmentHelp')}>
            <DepartmentPicker aria-label={t('files.share.department')} className="full-width" />
          </Form.Item>
        )}
        <Form.Item label={t('files.share.role')} name="role" extra={t('files.share.roleHelp')}>
          <Select
            aria-label={t('files.share.role')}
            options={[
              { value: 'viewer', label: t('files.share.viewer') },
              { value: 'editor', label: t('files.share.editor') },
            ]}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('files.share.submit')}
        </Button>
      </Form>
      <h3 className="dialog-section">{t('files.share.current')}</h3>
      {shares.isError ? (
        <PageError error={shares.error} onRetry={() => shares.refetch()} />
      ) : (
        <List
          loading={shares.isPending}
          aria-label={t('files.share.current')}
          locale={{ emptyText: t('files.share.none') }}
          dataSource={shares.data?.items ?? []}
          renderItem={(s) => (
            <List.Item
              actions={[
                <Button key="revoke" size="small" danger onClick={() => revoke(s)} aria-label={t('files.share.revokeFor', { name: s.principal_name })}>
                  {t('files.share.revoke')}
                </Button>,
              ]}
            >
              <List.Item.Meta
                avatar={<PrincipalIcon type={s.principal_type} />}
                title={s.principal_name}
                description={
                  <>
                    <Tag>{typeLabel(s.principal_type)}</Tag>
                    <Tag color={s.role === 'editor' ? 'green' : undefined}>{roleLabel(s.role)}</Tag>
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
