import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Form, Input, InputNumber, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Group, type GroupRequest } from '../api/client';
import { keys } from '../api/queries';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { errorText } from '../lib/errors';

/** The most members a group may have. */
export const MAX_GROUP_MEMBERS = 1000;

interface GroupForm {
  name: string;
  description?: string;
  department_id?: string;
  member_cap: number;
}

/** GroupDialog creates a group, or edits one when given it. */
export function GroupDialog({ orgID, group, onClose, onSaved }: { orgID: string; group?: Group; onClose: () => void; onSaved?: (g: Group) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<GroupForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const onFinish = async (v: GroupForm) => {
    setBusy(true);
    setError(undefined);
    const body: GroupRequest = {
      name: v.name.trim(),
      description: v.description?.trim() ?? '',
      department_id: v.department_id ?? null,
      member_cap: v.member_cap,
      // The update replaces every field: keep the id an identity provider linked the group by.
      ...(group?.external_id ? { external_id: group.external_id } : {}),
    };
    try {
      const saved = group
        ? await unwrap(api.PATCH('/api/v1/admin/orgs/{orgID}/groups/{groupID}', { params: { path: { orgID, groupID: group.id } }, body }))
        : await unwrap(api.POST('/api/v1/admin/orgs/{orgID}/groups', { params: { path: { orgID } }, body }));
      message.success(group ? t('groups.saved', { name: saved.name }) : t('groups.created', { name: saved.name }));
      void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
      onSaved?.(saved);
      onClose();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={group ? t('groups.editTitle', { name: group.name }) : t('groups.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={group ? t('common.save') : t('groups.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
      <Form<GroupForm>
        form={form}
        name="group"
        layout="vertical"
        requiredMark={false}
        disabled={busy}
        onFinish={onFinish}
        initialValues={{
          name: group?.name ?? '',
          description: group?.description ?? '',
          department_id: group?.department_id ?? undefined,
          member_cap: group?.member_cap ?? MAX_GROUP_MEMBERS,
        }}
      >
        <Form.Item
          label={t('groups.name')}
          name="name"
          rules={[
            { required: true, whitespace: true, message: t('validation.required') },
            { max: 100, message: t('validation.max', { max: 100 }) },
          ]}
        >
          <Input autoFocus />
        </Form.Item>
        <Form.Item label={t('groups.description')} name="description" rules={[{ max: 2000, message: t('validation.max', { max: 2000 }) }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
        <Form.Item label={t('groups.department')} name="department_id" extra={t('groups.departmentHelp')}>
          <DepartmentPicker allowClear placeholder={t('groups.wholeOrganisation')} className="full-width" />
        </Form.Item>
        <Form.Item
          label={t('groups.cap')}
          name="member_cap"
          extra={t('groups.capHelp', { max: MAX_GROUP_MEMBERS })}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <InputNumber min={1} max={MAX_GROUP_MEMBERS} precision={0} className="full-width" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
