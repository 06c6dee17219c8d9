import { Checkbox, Form, Input, Radio } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDialog } from '../console/shared/FormDialog';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { GroupPicker } from '../directory/GroupPicker';
import { announcementsApi, type Announcement, type Scope } from './api';

interface Values {
  scope: Scope;
  department_id?: string;
  group_id?: string;
  title: string;
  body: string;
  requires_ack: boolean;
}

/** TITLE_MAX and BODY_MAX are the server's limits (200 characters; 16 KiB of Markdown). */
const TITLE_MAX = 200;
const BODY_MAX = 16 * 1024;

/** ComposeDialog publishes an announcement to the organisation, a department subtree or a group. */
export function ComposeDialog({ orgID, onClose, onPublished }: { orgID: string; onClose: () => void; onPublished: (a: Announcement) => void }) {
  const { t } = useTranslation();
  const [scope, setScope] = useState<Scope>('org');
  return (
    <FormDialog<Values>
      name="announce"
      title={t('announcements.compose')}
      okText={t('announcements.publish')}
      width={640}
      initialValues={{ scope: 'org', requires_ack: true }}
      onClose={onClose}
      onSubmit={async (v) => {
        const target = v.scope === 'department' ? v.department_id : v.scope === 'group' ? v.group_id : undefined;
        onPublished(await announcementsApi.create(orgID, { scope: v.scope, target_id: target, title: v.title.trim(), body: v.body, requires_ack: v.requires_ack }));
      }}
    >
      <Form.Item name="scope" label={t('announcements.scope')}>
        <Radio.Group onChange={(e) => setScope(e.target.value as Scope)} data-testid="announce-scope">
          <Radio.Button value="org">{t('announcements.scopeOrg')}</Radio.Button>
          <Radio.Button value="department">{t('announcements.department')}</Radio.Button>
          <Radio.Button value="group">{t('announcements.group')}</Radio.Button>
        </Radio.Group>
      </Form.Item>
      {scope === 'department' && (
        <Form.Item name="department_id" label={t('announcements.department')} rules={[{ required: true, message: t('announcements.pickDepartment') }]}>
          <DepartmentPicker className="full-width" aria-label={t('announcements.department')} />
        </Form.Item>
      )}
      {scope === 'group' && (
        <Form.Item name="group_id" label={t('announcements.group')} rules={[{ required: true, message: t('announcements.pickGroup') }]}>
          <GroupPicker className="full-width" aria-label={t('announcements.group')} />
        </Form.Item>
      )}
      <Form.Item name="title" label={t('announcements.title')} rules={[{ required: true, whitespace: true, message: t('announcements.titleRequired') }]}>
        <Input maxLength={TITLE_MAX} showCount data-testid="announce-title" />
      </Form.Item>
      <Form.Item name="body" label={t('announcements.body')} extra={t('announcements.markdownHint')} rules={[{ required: true, whitespace: true, message: t('announcements.bodyRequired') }]}>
        <Input.TextArea autoSize={{ minRows: 5, maxRows: 16 }} maxLength={BODY_MAX} data-testid="announce-body" />
      </Form.Item>
      <Form.Item name="requires_ack" valuePropName="checked">
        <Checkbox data-testid="announce-requires-ack">{t('announcements.requiresAck')}</Checkbox>
      </Form.Item>
    </FormDialog>
  );
}
