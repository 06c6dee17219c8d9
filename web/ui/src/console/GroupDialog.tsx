import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, InputNumber } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Group, type GroupRequest } from '../api/client';
import { keys } from '../api/queries';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { nameRules } from '../lib/rules';
import { FormDialog } from './shared/FormDialog';

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
  const onSubmit = async (v: GroupForm) => {
    const body: GroupRequest = {
      name: v.name.trim(),
      description: v.description?.trim() ?? '',
      department_id: v.department_id ?? null,
      member_cap: v.member_cap,
      // The update replaces every field: keep the id an identity provider linked the group by.
      ...(group?.external_id ? { external_id: group.external_id } : {}),
    };
    const saved = group
      ? await unwrap(api.PATCH('/api/v1/admin/orgs/{orgID}/groups/{groupID}', { params: { path: { orgID, groupID: group.id } }, body }))
      : await unwrap(api.POST('/api/v1/admin/orgs/{orgID}/groups', { params: { path: { orgID } }, body }));
    message.success(group ? t('groups.saved', { name: saved.name }) : t('groups.created', { name: saved.name }));
    void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
    onSaved?.(saved);
  };

  return (
    <FormDialog<GroupForm>
      name="group"
      title={group ? t('groups.editTitle', { name: group.name }) : t('groups.createTitle')}
      okText={group ? t('common.save') : t('groups.create')}
      onClose={onClose}
      onSubmit={onSubmit}
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
        rules={nameRules(t)}
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
    </FormDialog>
  );
}
