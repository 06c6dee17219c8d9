import { MoreOutlined } from '@ant-design/icons';
import { Button, Dropdown, Table, type MenuProps, type TablePaginationConfig } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useFormat } from '../lib/hooks';
import { useIsMobile } from '../lib/useMediaQuery';
import type { Entry, FileItem } from './api';
import { AvailableUntil } from './Availability';
import { FileThumb, FolderIcon } from './FileIcon';
import { formatBytes } from './format';

export const entryKey = (e: Entry) => `${e.type}:${e.folder?.id ?? e.file?.id ?? ''}`;
export const entryName = (e: Entry) => e.folder?.name ?? e.file?.name ?? '';

interface Props {
  orgID: string;
  entries: Entry[];
  loading?: boolean;
  /** Where a folder opens. */
  folderHref: (folderID: string, spaceID: string) => string;
  onOpenFile: (file: FileItem) => void;
  actions: (entry: Entry) => MenuProps['items'];
  pagination?: false | TablePaginationConfig;
  empty?: ReactNode;
  label: string;
}

/**
 * EntryTable lists folders and files: the name with its icon or thumbnail, the size, when it
 * last changed, and until when it is kept; on a phone those fold under the name.
 */
export function EntryTable({ orgID, entries, loading, folderHref, onOpenFile, actions, pagination, empty, label }: Props) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const mobile = useIsMobile();

  const name = (e: Entry) => {
    if (e.type === 'folder' && e.folder) {
      return (
        <Link to={folderHref(e.folder.id, e.folder.space_id)} className="entry-name">
          <FolderIcon />
          <span className="entry-text">{e.folder.name}</span>
        </Link>
      );
    }
    const f = e.file!;
    return (
      <span className="entry-cell">
        <button type="button" className="entry-name entry-file" onClick={() => onOpenFile(f)}>
          <FileThumb orgID={orgID} file={f} />
          <span className="entry-text">{f.name}</span>
        </button>
        {mobile && (
          <span className="entry-meta">
            {formatBytes(f.size, i18n.language)} · {format.date(f.updated_at)}
            {' · '}
            <AvailableUntil iso={f.available_until} held={f.legal_hold} long />
          </span>
        )}
      </span>
    );
  };

  return (
    <Table<Entry>
      className="entry-table"
      aria-label={label}
      rowKey={entryKey}
      dataSource={entries}
      loading={loading}
      pagination={pagination}
      size="middle"
      locale={{ emptyText: empty }}
      columns={[
        { key: 'name', title: t('files.columns.name'), render: (_, e) => name(e) },
        ...(mobile
          ? []
          : [
              {
                key: 'size',
                title: t('files.columns.size'),
                width: 110,
                render: (_: unknown, e: Entry) => (e.file ? formatBytes(e.file.size, i18n.language) : '—'),
              },
              {
                key: 'updated',
                title: t('files.columns.updated'),
                width: 190,
                render: (_: unknown, e: Entry) => format.dateTime(e.file?.updated_at ?? e.folder?.updated_at),
              },
              {
                key: 'until',
                title: t('files.columns.availableUntil'),
                width: 210,
                render: (_: unknown, e: Entry) => (e.file ? <AvailableUntil iso={e.file.available_until} held={e.file.legal_hold} /> : null),
              },
            ]),
        {
          key: 'actions',
          title: <span className="visually-hidden">{t('common.actions')}</span>,
          width: 56,
          align: 'right' as const,
          render: (_, e) => (
            <Dropdown menu={{ items: actions(e) }} trigger={['click']} placement="bottomRight">
              <Button type="text" icon={<MoreOutlined aria-hidden />} aria-label={t('files.actions.for', { name: entryName(e) })} />
            </Dropdown>
          ),
        },
      ]}
    />
  );
}
