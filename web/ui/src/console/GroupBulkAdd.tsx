import { DownOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Dropdown, Form, Input, Modal, Space, Switch, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, unwrap, type Group } from '../api/client';
import { keys, useDepartmentMembers } from '../api/queries';
import { ErrorAlert } from '../components/ErrorAlert';
import { DepartmentPicker } from '../directory/DepartmentPicker';
import { errorText } from '../lib/errors';

/** The most emails one paste may hold: a group never has more members. */
const MAX_EMAILS = 1000;

type BulkBody = { department_id: string; include_subtree: boolean } | { emails: string[] };

interface BulkResult {
  added: number;
  already_in_group: number;
  skipped_deactivated: number;
  skipped_guests: number;
  member_count: number;
}

/** parseEmails splits pasted text into emails: one a line, or between commas, semicolons or spaces (full-width ones too). */
export function parseEmails(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of text.split(/[\s,;，；、]+/)) {
    if (e && !seen.has(e.toLowerCase())) {
      seen.add(e.toLowerCase());
      out.push(e);
    }
  }
  return out;
}

/** unknownEmails reads the emails the server names in an unknown_emails error, among those sent. */
function unknownEmails(err: ApiError, sent: string[]): string[] {
  const listed = new Set(
    err.message
      .slice(err.message.indexOf('): ') + 3)
      .split(', ')
      .map((s) => s.toLowerCase()),
  );
  return sent.filter((e) => listed.has(e.toLowerCase()));
}

/**
 * GroupBulkAdd is the "Add members" menu of a group's page: a whole department (with its
 * sub-departments or not) or a list of pasted emails, added in one step, all or nothing.
 */
export function GroupBulkAdd({ orgID, group }: { orgID: string; group: Group }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<'department' | 'emails'>();
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'department', label: t('groups.bulk.department') },
            { key: 'emails', label: t('groups.bulk.emails') },
          ],
          onClick: ({ key }) => setOpen(key as 'department' | 'emails'),
        }}
      >
        <Button icon={<UsergroupAddOutlined aria-hidden />}>
          <Space>
            {t('groups.bulk.menu')}
            <DownOutlined aria-hidden />
          </Space>
        </Button>
      </Dropdown>
      {open === 'department' && <DepartmentDialog orgID={orgID} group={group} onClose={() => setOpen(undefined)} />}
      {open === 'emails' && <EmailsDialog orgID={orgID} group={group} onClose={() => setOpen(undefined)} />}
    </>
  );
}

/** useBulkAdd posts an addition, says what it did, and turns its refusals into words. */
function useBulkAdd(orgID: string, group: Group) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (body: BulkBody): Promise<BulkResult | ApiError | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      const res = (await unwrap(
        api.POST('/api/v1/admin/orgs/{orgID}/groups/{groupID}/members/bulk', { params: { path: { orgID, groupID: group.id } }, body }),
      )) as BulkResult;
      const notes = [
        res.already_in_group ? t('groups.bulk.alreadyIn', { count: res.already_in_group }) : '',
        res.skipped_deactivated ? t('groups.bulk.skippedDeactivated', { count: res.skipped_deactivated }) : '',
        res.skipped_guests ? t('groups.bulk.skippedGuests', { count: res.skipped_guests }) : '',
      ].filter(Boolean);
      message.success([t('groups.bulk.added', { count: res.added, group: group.name }), ...notes].join(' '));
      void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
      return res;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'group_full') {
        setError(t('groups.bulk.wouldPass', { count: group.member_count, cap: group.member_cap, free: Math.max(group.member_cap - group.member_count, 0) }));
      } else if (!(err instanceof ApiError && err.code === 'unknown_emails')) {
        setError(errorText(t, err));
      }
      void queryClient.invalidateQueries({ queryKey: keys.group(orgID, group.id) });
      return err instanceof ApiError ? err : undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function BulkDialog(props: { title: string; okText: string; busy: boolean; okDisabled: boolean; onOk: () => void; onClose: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Modal
      open
      title={props.title}
      okText={props.okText}
      cancelText={t('common.cancel')}
      onOk={props.onOk}
      onCancel={props.onClose}
      confirmLoading={props.busy}
      okButtonProps={{ disabled: props.okDisabled }}
      destroyOnHidden
    >
      {props.children}
    </Modal>
  );
}

function DepartmentDialog({ orgID, group, onClose }: { orgID: string; group: Group; onClose: () => void }) {
  const { t } = useTranslation();
  const [department, setDepartment] = useState<string>();
  const [subtree, setSubtree] = useState(true);
  const { busy, error, run } = useBulkAdd(orgID, group);
  // How many people the choice holds: the API adds the active ones not in the group yet.
  const people = useDepartmentMembers(orgID, department, { limit: 1, offset: 0, subtree });
  const submit = async () => {
    if (!department) return;
    const res = await run({ department_id: department, include_subtree: subtree });
    if (res && !(res instanceof ApiError)) onClose();
  };
  return (
    <BulkDialog title={t('groups.bulk.departmentTitle', { group: group.name })} okText={t('groups.bulk.add')} busy={busy} okDisabled={!department} onOk={submit} onClose={onClose}>
      <ErrorAlert error={error} />
      <Form layout="vertical" disabled={busy}>
        <Form.Item label={t('groups.bulk.departmentLabel')} htmlFor="bulk-department">
          <DepartmentPicker id="bulk-department" aria-label={t('groups.bulk.departmentLabel')} value={department} onChange={setDepartment} className="full-width" />
        </Form.Item>
        <Form.Item>
          <Space>
            <Switch id="bulk-subtree" checked={subtree} onChange={setSubtree} aria-label={t('groups.bulk.subtree')} />
            <label htmlFor="bulk-subtree">{t('groups.bulk.subtree')}</label>
          </Space>
        </Form.Item>
      </Form>
      {department && people.data && (
        <Typography.Paragraph type="secondary" data-testid="bulk-count">
          {t('groups.bulk.departmentCount', { count: people.data.total })}
        </Typography.Paragraph>
      )}
      <Typography.Paragraph type="secondary">{t('groups.bulk.rule', { count: group.member_count, cap: group.member_cap })}</Typography.Paragraph>
    </BulkDialog>
  );
}

function EmailsDialog({ orgID, group, onClose }: { orgID: string; group: Group; onClose: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [unknown, setUnknown] = useState<string[]>([]);
  const { busy, error, run } = useBulkAdd(orgID, group);
  const emails = parseEmails(text);
  const tooMany = emails.length > MAX_EMAILS;
  const submit = async () => {
    setUnknown([]);
    const res = await run({ emails });
    if (res instanceof ApiError) {
      if (res.code === 'unknown_emails') setUnknown(unknownEmails(res, emails));
      return;
    }
    if (res) onClose();
  };
  const dropUnknown = () => {
    const gone = new Set(unknown.map((e) => e.toLowerCase()));
    setText(emails.filter((e) => !gone.has(e.toLowerCase())).join('\n'));
    setUnknown([]);
  };
  return (
    <BulkDialog
      title={t('groups.bulk.emailsTitle', { group: group.name })}
      okText={t('groups.bulk.add')}
      busy={busy}
      okDisabled={emails.length === 0 || tooMany}
      onOk={submit}
      onClose={onClose}
    >
      <ErrorAlert error={error} />
      {unknown.length > 0 && (
        <Alert
          type="error"
          showIcon
          role="alert"
          className="form-alert"
          message={t('groups.bulk.unknown', { count: unknown.length })}
          description={
            <>
              <ul className="bulk-unknown" aria-label={t('groups.bulk.unknownList')}>
                {unknown.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
              <Button size="small" onClick={dropUnknown}>
                {t('groups.bulk.dropUnknown')}
              </Button>
            </>
          }
        />
      )}
      <Form layout="vertical" disabled={busy}>
        <Form.Item
          label={t('groups.bulk.emailsLabel')}
          htmlFor="bulk-emails"
          extra={tooMany ? undefined : t('groups.bulk.emailsCount', { count: emails.length })}
          validateStatus={tooMany ? 'error' : undefined}
          help={tooMany ? t('groups.bulk.tooMany', { max: MAX_EMAILS }) : undefined}
        >
          <Input.TextArea
            id="bulk-emails"
            autoFocus
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setUnknown([]);
            }}
            autoSize={{ minRows: 5, maxRows: 12 }}
            placeholder={'lin@example.com\nwei.zhang@example.com'}
          />
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary">{t('groups.bulk.rule', { count: group.member_count, cap: group.member_cap })}</Typography.Paragraph>
    </BulkDialog>
  );
}
