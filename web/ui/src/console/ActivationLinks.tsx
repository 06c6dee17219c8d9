import { DownloadOutlined, LinkOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { Alert, Button, Modal, Space, Table } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, unwrap, type ActivationLink, type ActivationLinks } from '../api/client';
import { keys } from '../api/queries';
import { CopyButton, CopyField } from '../components/CopyField';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageLoading } from '../components/PageState';
import { activationCSV, activationQRPath, activationTSV, download } from '../lib/activation';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import type { Target } from './MemberDialogs';

/**
 * ActivationLinkDialog shows an activation link for one member, to copy or scan. Given no link,
 * it issues a new one as it opens, for a member whose account has no password yet; that ends
 * the member's previous link. Given one (a reset of the member's sign-in made it), it shows that.
 */
export function ActivationLinkDialog({
  orgID,
  target,
  reset,
  onClose,
}: {
  orgID: string;
  target: Target;
  /** The link a reset of the member's credentials answered with: shown as it is, and nothing issued. */
  reset?: ActivationLink;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const queryClient = useQueryClient();
  const issue = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/admin/orgs/{orgID}/users/{userID}/activation-link', { params: { path: { orgID, userID: target.userID } } })),
    onError: (err) => {
      // Activated meanwhile: the list's "pending" tag is out of date.
      if (err instanceof ApiError && err.code === 'already_activated') void queryClient.invalidateQueries({ queryKey: keys.members(orgID) });
    },
  });
  // Issue once per opening: a second link would end the first (React runs effects twice in development).
  const issued = useRef(!!reset);
  useEffect(() => {
    if (issued.current) return;
    issued.current = true;
    issue.mutate();
  }, [issue]);

  const link = reset ?? issue.data;
  return (
    <Modal
      open
      title={t('activation.dialogTitle', { name: target.name })}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose}>
          {t('common.done')}
        </Button>
      }
    >
      {!reset && (issue.isPending || issue.isIdle) ? (
        <PageLoading />
      ) : !reset && issue.isError ? (
        <>
          <ErrorAlert error={errorText(t, issue.error)} />
          {!(issue.error instanceof ApiError && issue.error.status < 500) && (
            <Button onClick={() => issue.mutate()}>{t('common.retry')}</Button>
          )}
        </>
      ) : (
        link && (
          <div className="invite-result">
            {reset && <p>{t('activation.resetDone', { name: target.name })}</p>}
            <p>{t('activation.dialogText', { name: target.name, email: link.email })}</p>
            <CopyField label={t('activation.link')} value={link.url} />
            <figure className="invite-qr">
              <img src={activationQRPath(link.url)} alt={t('activation.qrAlt', { name: target.name })} width={192} height={192} />
              <figcaption>{t('activation.validUntil', { date: format.dateTime(link.expires_at) })}</figcaption>
            </figure>
            <p className="field-help">{t('activation.replaces')}</p>
          </div>
        )
      )}
    </Modal>
  );
}

/**
 * ImportActivationLinks gives the people an import created their activation links, all at once:
 * a table to copy them one by one, every line to paste elsewhere, or a CSV file.
 */
export function ImportActivationLinks({ orgID, importID }: { orgID: string; importID: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const issue = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/admin/orgs/{orgID}/activation-links', { params: { path: { orgID } }, body: { import_id: importID } })),
  });
  const result: ActivationLinks | undefined = issue.data;

  return (
    <section className="activation-links" aria-labelledby={`activation-links-${importID}`}>
      <h3 className="section-title" id={`activation-links-${importID}`}>
        {t('activation.bulkTitle')}
      </h3>
      <p className="card-intro">{t('activation.bulkIntro')}</p>
      <ErrorAlert error={issue.isError ? errorText(t, issue.error) : undefined} />
      {!result && (
        <Button icon={<LinkOutlined aria-hidden />} onClick={() => issue.mutate()} loading={issue.isPending}>
          {t('activation.bulkAction')}
        </Button>
      )}
      {issue.isPending && <PageLoading />}
      {result && (
        <>
          {result.skipped.length > 0 && (
            <Alert
              type="info"
              showIcon
              className="form-alert"
              message={t('activation.skipped', { count: result.skipped.length })}
              description={
                <ul className="skipped-list">
                  {result.skipped.map((s) => (
                    <li key={s.user_id}>
                      {s.email ?? s.user_id}: {skipReason(t, s.code)}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          {result.items.length === 0 ? (
            <p className="muted">{t('activation.noneToIssue')}</p>
          ) : (
            <>
              <Space wrap className="toolbar">
                <CopyButton value={activationTSV(result.items)} text={t('activation.copyAll')} />
                <Button
                  icon={<DownloadOutlined aria-hidden />}
                  onClick={() => download(`activation-links-${importID.slice(0, 8)}.csv`, activationCSV(result.items), 'text/csv;charset=utf-8')}
                >
                  {t('activation.downloadCsv')}
                </Button>
              </Space>
              <p className="field-help">{t('activation.replacesAll', { date: format.dateTime(result.items[0].expires_at) })}</p>
              <Table
                rowKey="user_id"
                size="small"
                dataSource={result.items}
                scroll={{ x: 'max-content' }}
                pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
                columns={[
                  { title: t('activation.name'), key: 'name', render: (_, l) => l.display_name },
                  { title: t('activation.email'), key: 'email', render: (_, l) => l.email },
                  { title: t('activation.link'), key: 'url', render: (_, l) => <code className="activation-url">{l.url}</code> },
                  { title: t('activation.expires'), key: 'expires', render: (_, l) => format.dateTime(l.expires_at), responsive: ['md'] },
                  {
                    title: <span className="visually-hidden">{t('common.actions')}</span>,
                    key: 'copy',
                    render: (_, l) => <CopyButton size="small" value={l.url} label={t('activation.copyFor', { name: l.display_name, email: l.email })} />,
                  },
                ]}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}

/** skipReason says in words why someone got no link. */
function skipReason(t: TFunction, code: string): string {
  switch (code) {
    case 'already_activated':
      return t('activation.skipActivated');
    case 'account_not_managed':
      return t('activation.skipNotManaged');
    case 'not_found':
      return t('activation.skipNotFound');
    case 'owner_protected':
      return t('activation.skipOwner');
    case 'admin_protected':
      return t('activation.skipAdmin');
    case 'account_disabled':
      return t('activation.skipDisabled');
    default:
      return code;
  }
}
