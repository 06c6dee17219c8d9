import { App, Form, Input, Modal, Radio, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isAdmin } from '../auth/access';
import { useCurrentOrg } from '../auth/OrgContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { tasksApi, type OwnerKind } from './api';
import { ownerKindLabel, tasksErrorText, useTasksRefresh } from './shared';

interface CreateForm {
  name: string;
  description?: string;
  owner_kind: OwnerKind;
  group?: string;
  department?: string;
  sections: string[];
}

/**
 * CreateListDialog makes a list for me, a group I am in, a department or the organisation (the
 * server refuses what the user may not: a department's or the organisation's list needs
 * tasks.manage there). It starts with a few sections the user may rename.
 */
export function CreateListDialog({ orgID, onClose }: { orgID: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { org } = useCurrentOrg();
  const navigate = useNavigate();
  const refresh = useTasksRefresh(orgID);
  const [form] = Form.useForm<CreateForm>();
  const kind = Form.useWatch('owner_kind', form) ?? 'person';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const kinds: OwnerKind[] = org?.role === 'guest' ? ['person'] : ['person', 'group', 'department', 'organisation'];

  const finish = async (v: CreateForm) => {
    const ownerID = v.owner_kind === 'group' ? v.group : v.owner_kind === 'department' ? v.department : undefined;
    if ((v.owner_kind === 'group' || v.owner_kind === 'department') && !ownerID) {
      setError(v.owner_kind === 'group' ? t('tasks.create.pickGroup') : t('tasks.create.pickDepartment'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const list = await tasksApi.createList(orgID, {
        name: v.name.trim(),
        description: v.description?.trim() || undefined,
        owner_kind: v.owner_kind,
        owner_id: ownerID,
        sections: v.sections.map((s) => s.trim()).filter(Boolean),
      });
      message.success(t('tasks.create.created', { name: list.name }));
      await refresh();
      onClose();
      navigate(`/tasks/lists/${list.id}`);
    } catch (err) {
      setError(tasksErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('tasks.create.title')}
      okText={t('tasks.create.submit')}
      cancelText={t('common.cancel')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy, 'data-testid': 'create-list-submit' }}
      destroyOnHidden
      data-testid="create-list-dialog"
    >
      <ErrorAlert error={error} />
      <Form<CreateForm>
        form={form}
        name="create-list"
        layout="vertical"
        requiredMark={false}
        disabled={busy}
        onFinish={finish}
        initialValues={{ owner_kind: 'person', sections: [t('tasks.create.sectionTodo'), t('tasks.create.sectionDoing'), t('tasks.create.sectionDone')] }}
      >
        <Form.Item name="name" label={t('tasks.lists.name')} rules={[{ required: true, whitespace: true, message: t('tasks.lists.nameRequired') }]}>
          <Input maxLength={200} autoFocus data-testid="list-name" />
        </Form.Item>
        <Form.Item name="owner_kind" label={t('tasks.create.owner')} extra={isAdmin(org) ? undefined : t('tasks.create.ownerHelp')}>
          <Radio.Group data-testid="list-owner-kind" optionType="button" options={kinds.map((k) => ({ value: k, label: ownerKindLabel(t, k) }))} />
        </Form.Item>
        {kind === 'group' && (
          <Form.Item name="group" label={t('tasks.owner.group')}>
            <GroupPicker aria-label={t('tasks.owner.group')} className="full-width" />
          </Form.Item>
        )}
        {kind === 'department' && (
          <Form.Item name="department" label={t('tasks.owner.department')}>
            <DepartmentPicker aria-label={t('tasks.owner.department')} className="full-width" />
          </Form.Item>
        )}
        <Form.Item name="sections" label={t('tasks.create.sections')} extra={t('tasks.create.sectionsHelp')}>
          <Select mode="tags" aria-label={t('tasks.create.sections')} data-testid="list-sections" open={false} suffixIcon={null} tokenSeparators={[',', '，']} maxCount={50} />
        </Form.Item>
        <Form.Item name="description" label={t('tasks.lists.description')}>
          <Input.TextArea maxLength={10000} autoSize={{ minRows: 2, maxRows: 5 }} data-testid="list-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
