import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, InputNumber, Modal, Progress, Select, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { ApiError } from '../api/client';
import { fileKeys, filesApi, useAdminSpaces, useFilesPolicy, useHolds, useSpacePolicy, type FilesPolicy, type Hold, type Space, type SpaceKind, type SpacePolicy } from '../files/api';
import { spaceLabel } from '../files/labels';
import { filesErrorText, formatBytes } from '../files/format';
import { useFormat } from '../lib/hooks';
import '../files/files.css';

const GIB = 1024 ** 3;

/** PolicyValues is the form's view of a policy: the quota in GiB, as people think of it. */
interface PolicyValues {
  min_retention_days: number;
  max_retention_days: number;
  quota_gib: number;
  links_allowed: boolean;
  max_link_expiry_days: number;
  link_password_required: boolean;
  trash_days?: number;
}

/** toForm and fromForm convert between the API's policy and the form's. */
export function toForm(p: SpacePolicy & { trash_days?: number }): PolicyValues {
  return {
    min_retention_days: p.min_retention_days,
    max_retention_days: p.max_retention_days,
    quota_gib: Math.round((p.quota_bytes / GIB) * 100) / 100,
    links_allowed: p.links_allowed,
    max_link_expiry_days: p.max_link_expiry_days,
    link_password_required: p.link_password_required,
    trash_days: p.trash_days,
  };
}

export function fromForm(v: PolicyValues): SpacePolicy {
  return {
    min_retention_days: v.min_retention_days ?? 0,
    max_retention_days: v.max_retention_days ?? 0,
    quota_bytes: Math.round((v.quota_gib ?? 0) * GIB),
    links_allowed: !!v.links_allowed,
    max_link_expiry_days: v.max_link_expiry_days ?? 0,
    link_password_required: !!v.link_password_required,
  };
}

/** PolicyFields are the fields of an organisation's or a space's files policy. */
function PolicyFields({ org }: { org: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <h3 className="form-section">{t('files.console.retention')}</h3>
      <Form.Item
        label={t('files.console.minRetention')}
        name="min_retention_days"
        extra={org ? t('files.console.minRetentionOrgHelp') : t('files.console.minRetentionSpaceHelp')}
      >
        <InputNumber min={0} max={36500} precision={0} className="full-width" addonAfter={t('files.console.days')} />
      </Form.Item>
      <Form.Item label={t('files.console.maxRetention')} name="max_retention_days" extra={t('files.console.maxRetentionHelp')}>
        <InputNumber min={0} max={36500} precision={0} className="full-width" addonAfter={t('files.console.days')} />
      </Form.Item>
      {org && (
        <Form.Item label={t('files.console.trashDays')} name="trash_days" extra={t('files.console.trashDaysHelp')}>
          <InputNumber min={0} max={3650} precision={0} className="full-width" addonAfter={t('files.console.days')} />
        </Form.Item>
      )}
      <h3 className="form-section">{t('files.console.quota')}</h3>
      <Form.Item label={t('files.console.quotaLabel')} name="quota_gib" extra={t('files.console.quotaHelp')}>
        <InputNumber min={0} max={1_000_000} step={1} className="full-width" addonAfter="GB" />
      </Form.Item>
      <h3 className="form-section">{t('files.console.sharing')}</h3>
      <Form.Item label={t('files.console.linksAllowed')} name="links_allowed" valuePropName="checked">
        <Switch />
      </Form.Item>
      <Form.Item label={t('files.console.maxLinkExpiry')} name="max_link_expiry_days" extra={t('files.console.maxLinkExpiryHelp')}>
        <InputNumber min={0} max={36500} precision={0} className="full-width" addonAfter={t('files.console.days')} />
      </Form.Item>
      <Form.Item label={t('files.console.linkPassword')} name="link_password_required" valuePropName="checked">
        <Switch />
      </Form.Item>
    </>
  );
}

function Usage({ used, quota }: { used: number; quota: number }) {
  const { t, i18n } = useTranslation();
  if (quota <= 0) return <span>{t('files.space.used', { used: formatBytes(used, i18n.language) })}</span>;
  return (
    <span className="usage">
      {t('files.space.usageOf', { used: formatBytes(used, i18n.language), quota: formatBytes(quota, i18n.language) })}
      <Progress percent={Math.min(100, Math.round((used / quota) * 100))} size="small" showInfo={false} className="usage-bar" aria-label={t('files.space.usage')} />
    </span>
  );
}

function OrgPolicyCard({ orgID, policy }: { orgID: string; policy: FilesPolicy }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const finish = async (v: PolicyValues) => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await filesApi.setFilesPolicy(orgID, { ...fromForm(v), trash_days: v.trash_days ?? 0 });
      queryClient.setQueryData(fileKeys.policy(orgID), saved);
      void queryClient.invalidateQueries({ queryKey: fileKeys.spaces(orgID) });
      message.success(t('files.console.saved'));
    } catch (err) {
      setError(filesErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={<h2>{t('files.console.orgPolicy')}</h2>}>
      <p className="usage-line">
        <Usage used={policy.used_bytes} quota={policy.quota_bytes} />
      </p>
      <ErrorAlert error={error} />
      <Form<PolicyValues> name="files-policy" layout="vertical" requiredMark={false} disabled={busy} initialValues={toForm(policy)} onFinish={finish} className="narrow-form">
        <PolicyFields org />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}

function SpacePolicyDialog({ orgID, space, name, onClose }: { orgID: string; space: Space; name: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const policy = useSpacePolicy(orgID, space.id);
  const [form] = Form.useForm<PolicyValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const finish = async (v: PolicyValues) => {
    setBusy(true);
    setError(undefined);
    try {
      await filesApi.setSpacePolicy(orgID, space.id, fromForm(v));
      await queryClient.invalidateQueries({ queryKey: fileKeys.all(orgID) });
      message.success(t('files.console.saved'));
      onClose();
    } catch (err) {
      setError(filesErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('files.console.spacePolicyTitle', { name })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      okButtonProps={{ disabled: !policy.data }}
      destroyOnHidden
    >
      {policy.isPending ? (
        <PageLoading />
      ) : policy.isError ? (
        <PageError error={policy.error} onRetry={() => policy.refetch()} />
      ) : (
        <>
          <ErrorAlert error={error} />
          <Form<PolicyValues> form={form} name="space-policy" layout="vertical" requiredMark={false} disabled={busy} initialValues={toForm(policy.data)} onFinish={finish}>
            <PolicyFields org={false} />
          </Form>
        </>
      )}
    </Modal>
  );
}

const SPACES_PAGE = 20;

function SpacesCard({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const [kind, setKind] = useState<SpaceKind | undefined>();
  const [page, setPage] = useState(1);
  const spaces = useAdminSpaces(orgID, { kind, limit: SPACES_PAGE, offset: (page - 1) * SPACES_PAGE });
  const [editing, setEditing] = useState<Space>();
  const kindLabel = (k: Space['kind']) =>
    ({ organisation: t('files.kinds.organisation'), department: t('files.kinds.department'), group: t('files.kinds.group'), personal: t('files.kinds.personal') })[k];
  if (spaces.isError && spaces.error instanceof ApiError && spaces.error.status === 403) return null;
  return (
    <Card title={<h2>{t('files.console.spaces')}</h2>}>
      <p className="muted">{t('files.console.spacesHelp')}</p>
      <div className="toolbar">
        <Select<SpaceKind | 'all'>
          className="toolbar-select"
          aria-label={t('files.console.kind')}
          value={kind ?? 'all'}
          onChange={(v) => {
            setKind(v === 'all' ? undefined : v);
            setPage(1);
          }}
          options={[
            { value: 'all', label: t('files.console.allKinds') },
            ...(['organisation', 'department', 'group', 'personal'] as const).map((k) => ({ value: k, label: kindLabel(k) })),
          ]}
        />
      </div>
      {spaces.isError ? (
        <PageError error={spaces.error} onRetry={() => spaces.refetch()} />
      ) : (
        <Table<Space>
          rowKey="id"
          size="small"
          aria-label={t('files.console.spaces')}
          loading={spaces.isPending}
          dataSource={spaces.data?.items ?? []}
          pagination={{ current: page, pageSize: SPACES_PAGE, total: spaces.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: true }}
          locale={{ emptyText: t('files.console.noSpaces') }}
          columns={[
            { key: 'name', title: t('files.columns.name'), render: (_, s) => spaceLabel(t, s, me.data?.user.id) },
            { key: 'kind', title: t('files.console.kind'), render: (_, s) => <Tag>{kindLabel(s.kind)}</Tag> },
            { key: 'min', title: t('files.console.minRetentionShort'), render: (_, s) => t('files.console.daysCount', { count: s.effective_min_retention_days }) },
            { key: 'usage', title: t('files.space.usage'), render: (_, s) => <Usage used={s.used_bytes} quota={s.quota_bytes} /> },
            {
              key: 'edit',
              title: <span className="visually-hidden">{t('common.actions')}</span>,
              align: 'right' as const,
              render: (_, s) => (
                <Button size="small" onClick={() => setEditing(s)} aria-label={t('files.console.editSpace', { name: spaceLabel(t, s, me.data?.user.id) })}>
                  {t('files.console.edit')}
                </Button>
              ),
            },
          ]}
        />
      )}
      {editing && <SpacePolicyDialog orgID={orgID} space={editing} name={spaceLabel(t, editing, me.data?.user.id)} onClose={() => setEditing(undefined)} />}
    </Card>
  );
}

function HoldsCard({ orgID, holds }: { orgID: string; holds: Hold[] }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const format = useFormat();
  const queryClient = useQueryClient();
  const typeLabel = (h: Hold) => ({ file: t('files.hold.file'), folder: t('files.hold.folder'), space: t('files.hold.space') })[h.target_type];
  const release = (h: Hold) =>
    modal.confirm({
      title: t('files.hold.releaseTitle', { name: h.name }),
      content: t('files.hold.releaseText'),
      okText: t('files.hold.release'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await filesApi.setHold(orgID, h.target_type, h.target_id, false);
          message.success(t('files.hold.released'));
          await queryClient.invalidateQueries({ queryKey: fileKeys.all(orgID) });
        } catch (err) {
          message.error(filesErrorText(t, err));
        }
      },
    });
  return (
    <Card title={<h2>{t('files.console.holds')}</h2>}>
      <p className="muted">{t('files.console.holdsHelp')}</p>
      <Table<Hold>
        rowKey={(h) => `${h.target_type}:${h.target_id}`}
        size="small"
        aria-label={t('files.console.holds')}
        dataSource={holds}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t('files.console.noHolds') }}
        columns={[
          { key: 'name', title: t('files.columns.name'), dataIndex: 'name' },
          { key: 'type', title: t('files.console.kind'), render: (_, h) => <Tag>{typeLabel(h)}</Tag> },
          { key: 'at', title: t('files.console.heldSince'), render: (_, h) => format.dateTime(h.set_at) },
          {
            key: 'release',
            title: <span className="visually-hidden">{t('common.actions')}</span>,
            align: 'right' as const,
            render: (_, h) => (
              <Button size="small" danger onClick={() => release(h)}>
                {t('files.hold.release')}
              </Button>
            ),
          },
        ]}
      />
    </Card>
  );
}

/**
 * FilesPolicyPage is the console's Files page: the organisation's retention floor, trash time,
 * quota and sharing policy with its usage; each department's and group's own policy; and the
 * legal holds in place.
 */
export default function FilesPolicyPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const policy = useFilesPolicy(org?.id);
  const holds = useHolds(org?.id);
  return (
    <>
      <PageHeader title={t('files.console.title')} description={org?.name} />
      <div className="card-stack">
        {policy.isPending ? (
          <PageLoading />
        ) : policy.isError ? (
          // A department admin manages their spaces but not the organisation's policy.
          policy.error instanceof ApiError && policy.error.status === 403 ? null : <PageError error={policy.error} onRetry={() => policy.refetch()} />
        ) : (
          <OrgPolicyCard orgID={org!.id} policy={policy.data} key={JSON.stringify(policy.data)} />
        )}
        {org && <SpacesCard orgID={org.id} />}
        {org && holds.data && <HoldsCard orgID={org.id} holds={holds.data.items} />}
      </div>
    </>
  );
}
