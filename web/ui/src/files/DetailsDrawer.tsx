import { DownloadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Drawer, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../api/queries';
import { PageError, PageLoading } from '../components/PageState';
import { useFormat } from '../lib/hooks';
import { useIsMobile } from '../lib/useMediaQuery';
import { contentUrl, fileKeys, filesApi, heldDirectly, useFileDetail, useHolds, type FileVersion } from './api';
import { AvailableUntil } from './Availability';
import { filesErrorText, formatBytes } from './format';

/**
 * HoldSwitch puts a file, folder or space under legal hold or releases it. Only someone who may
 * (files.legal_hold) sees it; a hold inherited from above is said, not offered to release here.
 */
export function HoldSwitch({ orgID, type, id, inherited }: { orgID: string; type: 'file' | 'folder' | 'space'; id: string; inherited?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const holds = useHolds(orgID);
  const [busy, setBusy] = useState(false);
  if (!holds.data) return null;
  const on = heldDirectly(holds.data.items, type, id);
  const toggle = async (next: boolean) => {
    setBusy(true);
    try {
      await filesApi.setHold(orgID, type, id, next);
      message.success(next ? t('files.hold.set') : t('files.hold.released'));
      await queryClient.invalidateQueries({ queryKey: fileKeys.all(orgID) });
    } catch (err) {
      message.error(filesErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="hold-switch">
      <Switch checked={on} loading={busy} onChange={toggle} aria-label={t('files.hold.toggle')} />{' '}
      <span>{t('files.hold.toggle')}</span>
      {!on && inherited && <span className="muted"> · {t('files.hold.inherited')}</span>}
    </span>
  );
}

/** DetailsDrawer shows a file: where it is, its type and checksum, its retention, and every version. */
export function DetailsDrawer({ orgID, fileID, onClose }: { orgID: string; fileID: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const me = useMe();
  const mobile = useIsMobile();
  const file = useFileDetail(orgID, fileID);
  const f = file.data;
  return (
    <Drawer open onClose={onClose} title={f?.name ?? t('files.details.title')} width={mobile ? '100%' : 640} destroyOnHidden>
      {file.isPending ? (
        <PageLoading />
      ) : file.isError ? (
        <PageError error={file.error} onRetry={() => file.refetch()} />
      ) : (
        f && (
          <>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'path', label: t('files.details.location'), children: f.breadcrumb.map((c) => c.name).join(' / ') || '—' },
                { key: 'size', label: t('files.columns.size'), children: formatBytes(f.size, i18n.language) },
                { key: 'type', label: t('files.details.type'), children: f.content_type },
                { key: 'updated', label: t('files.columns.updated'), children: format.dateTime(f.updated_at) },
                { key: 'until', label: t('files.columns.availableUntil'), children: <AvailableUntil iso={f.available_until} long /> },
                ...(f.legal_hold ? [{ key: 'hold', label: t('files.hold.tag'), children: <Tag color="purple">{t('files.hold.active')}</Tag> }] : []),
                { key: 'sha', label: 'SHA-256', children: <code className="sha">{f.sha256}</code> },
              ]}
            />
            <div className="details-hold">
              <HoldSwitch orgID={orgID} type="file" id={f.id} inherited={f.legal_hold} />
            </div>
            <h3 className="dialog-section">{t('files.details.versions', { count: f.versions.length })}</h3>
            <Table<FileVersion>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={f.versions}
              scroll={{ x: true }}
              columns={[
                { key: 'n', title: t('files.details.version'), render: (_, v) => `v${v.number}` },
                {
                  key: 'uploaded',
                  title: t('files.details.uploaded'),
                  render: (_, v) => (
                    <>
                      {format.dateTime(v.uploaded_at)}
                      {v.uploaded_by === me.data?.user.id && <span className="muted"> · {t('files.details.byYou')}</span>}
                    </>
                  ),
                },
                { key: 'size', title: t('files.columns.size'), render: (_, v) => formatBytes(v.size, i18n.language) },
                { key: 'until', title: t('files.columns.availableUntil'), render: (_, v) => <AvailableUntil iso={v.available_until} held={v.legal_hold} /> },
                {
                  key: 'dl',
                  title: <span className="visually-hidden">{t('common.actions')}</span>,
                  render: (_, v) => (
                    <Button
                      size="small"
                      icon={<DownloadOutlined aria-hidden />}
                      href={contentUrl(orgID, f.id, { version: v.number, download: true })}
                      aria-label={t('files.details.downloadVersion', { number: v.number })}
                    />
                  ),
                },
              ]}
            />
          </>
        )
      )}
    </Drawer>
  );
}
