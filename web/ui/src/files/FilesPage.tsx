import {
  ApartmentOutlined,
  ArrowDownOutlined,
  BankOutlined,
  ArrowUpOutlined,
  CloudUploadOutlined,
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  EyeOutlined,
  FolderAddOutlined,
  InfoCircleOutlined,
  LinkOutlined,
  RestOutlined,
  SafetyOutlined,
  ShareAltOutlined,
  SwapOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Breadcrumb, Button, Card, Empty, Menu, Progress, Select, Space as AntSpace, Table, type MenuProps } from 'antd';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import type { OrgMembership } from '../api/client';
import { useMe } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { useFormat } from '../lib/hooks';
import { useIsMobile } from '../lib/useMediaQuery';
import { NoOrganisation } from '../pages/NoOrganisation';
import {
  contentUrl,
  fileKeys,
  filesApi,
  heldDirectly,
  targetOf,
  useEntries,
  useHolds,
  useSharedWithMe,
  useSpace,
  useSpaces,
  useTrash,
  type Entry,
  type FileItem,
  type SortField,
  type SortOrder,
  type Space,
  type Target,
} from './api';
import { AvailableUntil } from './Availability';
import { DetailsDrawer, HoldSwitch } from './DetailsDrawer';
import { MoveDialog, NameDialog } from './Dialogs';
import { EntryTable, entryName } from './EntryTable';
import { FileThumb } from './FileIcon';
import { deleteRefusal, filesErrorText, formatBytes } from './format';
import { spaceLabel } from './labels';
import { LinkDialog } from './LinkDialog';
import { PreviewModal } from './PreviewModal';
import { ShareDialog } from './ShareDialog';
import { UploadList } from './UploadList';
import { uploads, useUploads } from './uploads';
import './files.css';

export type FilesView = 'home' | 'space' | 'shared' | 'trash';

const PAGE_SIZE = 50;

const KIND_ORDER: Record<Space['kind'], number> = { personal: 0, organisation: 1, department: 2, group: 3 };

function sortSpaces(spaces: Space[]): Space[] {
  return [...spaces].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
}

/**
 * FilesPage is the Files module of the app: the spaces the user can see, each browsed by
 * folder with uploads, previews, sharing and links; what others shared with them; the trash.
 */
export default function FilesPage({ view = 'home' }: { view?: FilesView }) {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  if (!org) {
    return (
      <>
        <PageHeader title={t('nav.files')} />
        <NoOrganisation />
      </>
    );
  }
  return <Files key={org.id} org={org} view={view} />;
}

type Dialog =
  | { kind: 'newFolder' }
  | { kind: 'rename'; entry: Entry }
  | { kind: 'move'; entry: Entry }
  | { kind: 'share'; target: Target }
  | { kind: 'link'; target: Target }
  | { kind: 'details'; fileID: string }
  | { kind: 'preview'; file: FileItem };

function Files({ org, view }: { org: OrgMembership; view: FilesView }) {
  const { t } = useTranslation();
  const me = useMe();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { spaceID } = useParams();
  const spaces = useSpaces(org.id);
  // Uploads go on across pages; those of another organisation are not shown here.
  const rows = useUploads().filter((r) => r.orgID === org.id);

  // A finished upload changes the listing and the space's usage.
  useEffect(() => {
    const stop = uploads.onFinished(() => void queryClient.invalidateQueries({ queryKey: fileKeys.all(org.id) }));
    return () => {
      stop();
    };
  }, [org.id, queryClient]);

  const sorted = useMemo(() => sortSpaces(spaces.data?.items ?? []), [spaces.data]);
  const meID = me.data?.user.id;

  if (view === 'home') {
    // /files opens the first space (one's own), once the spaces are known.
    if (spaces.isSuccess) return <Navigate to={sorted[0] ? `/files/${sorted[0].id}` : '/files/shared'} replace />;
    return (
      <>
        <PageHeader title={t('nav.files')} description={org.name} />
        {spaces.isError ? <PageError error={spaces.error} onRetry={() => spaces.refetch()} /> : <PageLoading />}
      </>
    );
  }

  // A shared folder may sit in a space the user does not otherwise see: it came from "Shared with me".
  const listed = view === 'space' && sorted.some((sp) => sp.id === spaceID);
  const selected = view === 'space' ? (listed || spaces.isPending ? spaceID ?? '' : 'shared') : view;
  const navItems: MenuProps['items'] = [
    {
      type: 'group',
      key: 'spaces',
      label: t('files.spaces.title'),
      children: sorted.map((s) => ({
        key: s.id,
        icon: <SpaceIcon kind={s.kind} />,
        label: <Link to={`/files/${s.id}`}>{spaceLabel(t, s, meID)}</Link>,
      })),
    },
    { type: 'divider' },
    { key: 'shared', icon: <ShareAltOutlined aria-hidden />, label: <Link to="/files/shared">{t('files.shared.title')}</Link> },
    { key: 'trash', icon: <RestOutlined aria-hidden />, label: <Link to="/files/trash">{t('files.trash.title')}</Link> },
  ];

  return (
    <>
      <PageHeader title={t('nav.files')} description={org.name} />
      <div className={`files-layout${mobile ? ' files-mobile' : ''}`}>
        {!mobile && (
          <nav className="files-nav" aria-label={t('files.spaces.nav')}>
            {spaces.isError ? <PageError error={spaces.error} onRetry={() => spaces.refetch()} /> : <Menu mode="inline" selectedKeys={[selected]} items={navItems} />}
          </nav>
        )}
        <div className="files-main">
          {mobile && (
            <Select
              className="files-picker"
              aria-label={t('files.spaces.nav')}
              value={selected}
              onChange={(key: string) => navigate(`/files/${key}`)}
              options={[
                { label: t('files.spaces.title'), options: sorted.map((s) => ({ value: s.id, label: spaceLabel(t, s, meID) })) },
                {
                  label: t('files.spaces.more'),
                  options: [
                    { value: 'shared', label: t('files.shared.title') },
                    { value: 'trash', label: t('files.trash.title') },
                  ],
                },
              ]}
            />
          )}
          <UploadList
            rows={rows}
            onCancel={(id) => uploads.cancel(id)}
            onRetry={(id) => uploads.retry(id)}
            onClear={() => uploads.clearFinished()}
            onOpen={(row) => row.fileID && navigate(`/files/${row.spaceID}${row.folderID ? `?folder=${row.folderID}` : ''}`)}
          />
          {view === 'space' && spaceID && <SpaceBrowser key={spaceID} org={org} spaceID={spaceID} listed={sorted.find((s) => s.id === spaceID)} />}
          {view === 'shared' && <SharedView org={org} />}
          {view === 'trash' && <TrashView org={org} spaces={sorted} />}
        </div>
      </div>
    </>
  );
}

function SpaceIcon({ kind }: { kind: Space['kind'] }) {
  if (kind === 'group') return <TeamOutlined aria-hidden />;
  if (kind === 'department') return <ApartmentOutlined aria-hidden />;
  if (kind === 'organisation') return <BankOutlined aria-hidden />;
  return <UserOutlined aria-hidden />;
}

/** useEntryActions builds the menu of what can be done with an entry, and the dialogs it opens. */
function useEntryActions(org: OrgMembership, opts: { canWrite: boolean; onDialog: (d: Dialog) => void }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const format = useFormat();
  const queryClient = useQueryClient();
  const holds = useHolds(org.id);
  const canShare = org.role !== 'guest';

  const refresh = () => queryClient.invalidateQueries({ queryKey: fileKeys.all(org.id) });

  const remove = (entry: Entry) => {
    const name = entryName(entry);
    modal.confirm({
      title: t('files.delete.title', { name }),
      content: entry.type === 'folder' ? t('files.delete.folderText') : t('files.delete.fileText'),
      okText: t('files.delete.ok'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          if (entry.folder) await filesApi.deleteFolder(org.id, entry.folder.id);
          else if (entry.file) await filesApi.deleteFile(org.id, entry.file.id);
          message.success(t('files.delete.done', { name }));
          await refresh();
        } catch (err) {
          const refusal = deleteRefusal(t, err, format.dateTime, entry.file?.available_until);
          if (refusal) modal.warning({ title: t('files.delete.refusedTitle', { name }), content: refusal, okText: t('common.done') });
          else message.error(filesErrorText(t, err));
        }
      },
    });
  };

  const hold = async (entry: Entry, on: boolean) => {
    try {
      await filesApi.setHold(org.id, 'folder', entry.folder!.id, on);
      message.success(on ? t('files.hold.set') : t('files.hold.released'));
      await refresh();
    } catch (err) {
      message.error(filesErrorText(t, err));
    }
  };

  return (entry: Entry): MenuProps['items'] => {
    const target = targetOf(entry);
    if (!target) return [];
    const items: MenuProps['items'] = [];
    if (entry.file) {
      const f = entry.file;
      items.push(
        { key: 'open', icon: <EyeOutlined aria-hidden />, label: t('files.actions.open'), onClick: () => opts.onDialog({ kind: 'preview', file: f }) },
        { key: 'download', icon: <DownloadOutlined aria-hidden />, label: <a href={contentUrl(org.id, f.id, { download: true })}>{t('files.actions.download')}</a> },
        { key: 'details', icon: <InfoCircleOutlined aria-hidden />, label: t('files.actions.details'), onClick: () => opts.onDialog({ kind: 'details', fileID: f.id }) },
      );
    }
    if (opts.canWrite) {
      items.push(
        { key: 'rename', icon: <EditOutlined aria-hidden />, label: t('files.actions.rename'), onClick: () => opts.onDialog({ kind: 'rename', entry }) },
        { key: 'move', icon: <SwapOutlined aria-hidden />, label: t('files.actions.move'), onClick: () => opts.onDialog({ kind: 'move', entry }) },
      );
    }
    if (canShare) {
      items.push(
        { key: 'share', icon: <ShareAltOutlined aria-hidden />, label: t('files.actions.share'), onClick: () => opts.onDialog({ kind: 'share', target }) },
        { key: 'link', icon: <LinkOutlined aria-hidden />, label: t('files.actions.link'), onClick: () => opts.onDialog({ kind: 'link', target }) },
      );
    }
    if (entry.folder && holds.data) {
      const on = heldDirectly(holds.data.items, 'folder', entry.folder.id);
      items.push({
        key: 'hold',
        icon: <SafetyOutlined aria-hidden />,
        label: on ? t('files.hold.release') : t('files.hold.place'),
        onClick: () => void hold(entry, !on),
      });
    }
    if (opts.canWrite) {
      items.push({ type: 'divider' }, { key: 'delete', icon: <DeleteOutlined aria-hidden />, danger: true, label: t('files.actions.delete'), onClick: () => remove(entry) });
    }
    return items;
  };
}

/** Dialogs shows the one dialog the page has open. */
function Dialogs({
  org,
  dialog,
  close,
  open,
  space,
}: {
  org: OrgMembership;
  dialog: Dialog | undefined;
  close: () => void;
  open: (d: Dialog) => void;
  space?: { id: string; name: string; folderID?: string };
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: fileKeys.all(org.id) });
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'preview': {
      const f = dialog.file;
      return (
        <PreviewModal
          file={{ name: f.name, size: f.size, contentType: f.content_type, src: contentUrl(org.id, f.id), downloadSrc: contentUrl(org.id, f.id, { download: true }) }}
          onClose={close}
          onDetails={() => open({ kind: 'details', fileID: f.id })}
        />
      );
    }
    case 'details':
      return <DetailsDrawer orgID={org.id} fileID={dialog.fileID} onClose={close} />;
    case 'share':
      return <ShareDialog orgID={org.id} target={dialog.target} onClose={close} />;
    case 'link':
      return <LinkDialog orgID={org.id} target={dialog.target} onClose={close} />;
    case 'newFolder':
      return space ? (
        <NameDialog
          title={t('files.folder.new')}
          okText={t('files.folder.create')}
          onClose={close}
          onSubmit={async (name) => {
            await filesApi.createFolder(org.id, space.id, name, space.folderID);
            message.success(t('files.folder.created', { name }));
            await refresh();
          }}
        />
      ) : null;
    case 'rename': {
      const { entry } = dialog;
      return (
        <NameDialog
          title={t('files.rename.title', { name: entryName(entry) })}
          okText={t('files.rename.ok')}
          initial={entryName(entry)}
          onClose={close}
          onSubmit={async (name) => {
            if (entry.folder) await filesApi.updateFolder(org.id, entry.folder.id, { name });
            else if (entry.file) await filesApi.updateFile(org.id, entry.file.id, { name });
            message.success(t('files.rename.done'));
            await refresh();
          }}
        />
      );
    }
    case 'move': {
      const { entry } = dialog;
      const spaceID = entry.folder?.space_id ?? entry.file?.space_id ?? '';
      return (
        <MoveDialog
          orgID={org.id}
          spaceID={spaceID}
          spaceName={space?.name ?? ''}
          name={entryName(entry)}
          moving={entry.folder?.id}
          onClose={close}
          onSubmit={async (folderID) => {
            if (entry.folder) await filesApi.updateFolder(org.id, entry.folder.id, { parent_id: folderID });
            else if (entry.file) await filesApi.updateFile(org.id, entry.file.id, { folder_id: folderID });
            message.success(t('files.move.done'));
            await refresh();
          }}
        />
      );
    }
  }
}

/** hasFiles reports whether a drag carries files (not text or a link). */
function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** droppedFiles are the files of a drop, leaving out folders, which the browser cannot read as one file. */
export function droppedFiles(data: DataTransfer): { files: File[]; skipped: number } {
  const files: File[] = [];
  let skipped = 0;
  const items = Array.from(data.items ?? []);
  if (items.length > 0) {
    for (const item of items) {
      if (item.kind !== 'file') continue;
      const entry = item.webkitGetAsEntry?.();
      const file = item.getAsFile();
      if (entry?.isDirectory || !file) skipped++;
      else files.push(file);
    }
    return { files, skipped };
  }
  return { files: Array.from(data.files ?? []), skipped: 0 };
}

/** SpaceBrowser is one space: its breadcrumb, search, sort, folders and files, and uploads into it. */
function SpaceBrowser({ org, spaceID, listed }: { org: OrgMembership; spaceID: string; listed?: Space }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const mobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const spaceQuery = useSpace(org.id, spaceID);
  const space = spaceQuery.data ?? listed;
  const folderID = params.get('folder') ?? undefined;
  const q = params.get('q') ?? '';
  const sort = (['name', 'updated_at', 'size'].includes(params.get('sort') ?? '') ? params.get('sort') : 'name') as SortField;
  const order: SortOrder = params.get('order') === 'desc' ? 'desc' : 'asc';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const entries = useEntries(org.id, spaceID, { folderID, q, sort, order, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const [dialog, setDialog] = useState<Dialog>();
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  const [search, setSearch] = useState(q);

  const update = (change: Record<string, string | undefined>, replace = false) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace });
  };

  useEffect(() => {
    const timer = window.setTimeout(() => {
      const v = search.trim();
      if (v !== q) update({ q: v || undefined, page: undefined }, true);
    }, 300);
    return () => window.clearTimeout(timer);
    // Only the text typed starts a search; the URL's q follows it.
  }, [search]);

  // A shared folder may be writable (an editor's share) in a space the user cannot otherwise write to.
  const access = entries.data?.access;
  const canWrite = access ? access === 'write' || access === 'manage' : !!space?.can_write;
  const crumbs = entries.data?.breadcrumb ?? [];
  const rootName = space ? spaceLabel(t, space, me.data?.user.id) : (crumbs[0]?.name ?? '');
  // In a space the user only reaches through a share, the way back is "Shared with me".
  const viaShare = !listed && spaceQuery.isError;
  const actions = useEntryActions(org, { canWrite, onDialog: setDialog });

  const start = (files: File[]) => {
    if (!canWrite) return;
    if (files.length === 0) return;
    uploads.add(files, { orgID: org.id, spaceID, folderID: q ? undefined : folderID });
  };

  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth.current = 0;
    setDragging(false);
    const { files, skipped } = droppedFiles(e.dataTransfer);
    if (skipped > 0) message.warning(t('files.upload.foldersSkipped', { count: skipped }));
    start(files);
  };

  const folderHref = (id: string) => {
    const next = new URLSearchParams();
    next.set('folder', id);
    if (params.get('sort')) next.set('sort', sort);
    if (params.get('order')) next.set('order', order);
    return `/files/${spaceID}?${next.toString()}`;
  };

  const breadcrumbItems = [
    viaShare
      ? { key: 'root', title: <Link to="/files/shared">{t('files.shared.title')}</Link> }
      : {
          key: 'root',
          title: crumbs.length > 1 || q ? <Link to={`/files/${spaceID}`}>{rootName}</Link> : rootName,
        },
    ...(q
      ? [{ key: 'q', title: t('files.search.results', { q }) }]
      : crumbs.slice(1).map((c, i) => ({
          key: c.id,
          title: i === crumbs.length - 2 ? c.name : <Link to={folderHref(c.id)}>{c.name}</Link>,
        }))),
  ];

  const quota = space && space.quota_bytes > 0 ? space.quota_bytes : 0;

  return (
    <section
      className={`space-browser${dragging ? ' dragging' : ''}`}
      aria-label={rootName}
      onDragEnter={(e) => {
        if (!hasFiles(e) || !canWrite) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e) || !canWrite) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <Card>
        <div className="space-head">
          <Breadcrumb className="files-breadcrumb" items={breadcrumbItems} aria-label={t('files.breadcrumb')} />
          {canWrite && (
            <AntSpace wrap className="space-head-actions">
              <Button icon={<FolderAddOutlined aria-hidden />} onClick={() => setDialog({ kind: 'newFolder' })} disabled={!!q}>
                {t('files.folder.new')}
              </Button>
              <Button type="primary" icon={<CloudUploadOutlined aria-hidden />} onClick={() => input.current?.click()}>
                {t('files.upload.button')}
              </Button>
              <input
                ref={input}
                type="file"
                multiple
                hidden
                aria-label={t('files.upload.button')}
                data-testid="file-input"
                onChange={(e) => {
                  start(Array.from(e.target.files ?? []));
                  e.target.value = '';
                }}
              />
            </AntSpace>
          )}
        </div>
        {space && (
          <div className="space-info">
            <span>{t('files.space.retention', { count: space.effective_min_retention_days })}</span>
            <span className="space-usage">
              {quota > 0 ? (
                <>
                  {t('files.space.usageOf', { used: formatBytes(space.used_bytes, i18n.language), quota: formatBytes(quota, i18n.language) })}
                  <Progress percent={Math.min(100, Math.round((space.used_bytes / quota) * 100))} size="small" showInfo={false} className="usage-bar" aria-label={t('files.space.usage')} />
                </>
              ) : (
                t('files.space.used', { used: formatBytes(space.used_bytes, i18n.language) })
              )}
            </span>
            <HoldSwitch orgID={org.id} type="space" id={space.id} />
          </div>
        )}
        <div className="toolbar files-toolbar">
          {!viaShare && <SearchInput label={t('files.search.label')} value={search} onChange={setSearch} />}
          <AntSpace.Compact>
            <Select
              aria-label={t('files.sort.label')}
              value={sort}
              onChange={(v: SortField) => update({ sort: v, page: undefined })}
              options={[
                { value: 'name', label: t('files.sort.name') },
                { value: 'updated_at', label: t('files.sort.updated') },
                { value: 'size', label: t('files.sort.size') },
              ]}
              className="sort-select"
            />
            <Button
              icon={order === 'asc' ? <ArrowUpOutlined aria-hidden /> : <ArrowDownOutlined aria-hidden />}
              onClick={() => update({ order: order === 'asc' ? 'desc' : 'asc', page: undefined })}
              aria-label={order === 'asc' ? t('files.sort.ascending') : t('files.sort.descending')}
              title={order === 'asc' ? t('files.sort.ascending') : t('files.sort.descending')}
            />
          </AntSpace.Compact>
        </div>
        {entries.isError ? (
          <PageError error={entries.error} onRetry={() => entries.refetch()} />
        ) : (
          <EntryTable
            orgID={org.id}
            label={t('files.list', { name: rootName })}
            entries={entries.data?.items ?? []}
            loading={entries.isPending || (entries.isFetching && entries.isPlaceholderData)}
            folderHref={(id) => folderHref(id)}
            onOpenFile={(file) => setDialog({ kind: 'preview', file })}
            actions={actions}
            empty={
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={q ? t('files.search.none', { q }) : canWrite ? (mobile ? t('files.emptyWritableMobile') : t('files.emptyWritable')) : t('files.empty')}
              />
            }
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: entries.data?.total ?? 0,
              onChange: (p) => update({ page: p > 1 ? String(p) : undefined }),
              hideOnSinglePage: true,
              showSizeChanger: false,
            }}
          />
        )}
        {canWrite && !mobile && <p className="drop-hint muted">{t('files.upload.dropHint')}</p>}
      </Card>
      {dragging && (
        <div className="drop-overlay" aria-hidden>
          <CloudUploadOutlined />
          <span>{t('files.upload.dropHere', { name: crumbs[crumbs.length - 1]?.name ?? rootName })}</span>
        </div>
      )}
      <Dialogs
        org={org}
        dialog={dialog}
        close={() => setDialog(undefined)}
        open={setDialog}
        space={{ id: spaceID, name: rootName, folderID: q ? undefined : folderID }}
      />
    </section>
  );
}

/** SharedView lists what others shared with the user; a shared folder opens in its space. */
function SharedView({ org }: { org: OrgMembership }) {
  const { t } = useTranslation();
  const shared = useSharedWithMe(org.id);
  const [dialog, setDialog] = useState<Dialog>();
  const actions = useEntryActions(org, { canWrite: false, onDialog: setDialog });
  // ?preview=<file id>: a notification of a file shared with the user opens it here.
  const [params, setParams] = useSearchParams();
  const previewID = params.get('preview');
  useEffect(() => {
    if (!previewID || !shared.data) return;
    const file = shared.data.items.find((e) => e.file?.id === previewID)?.file;
    if (file) setDialog({ kind: 'preview', file });
    const next = new URLSearchParams(params);
    next.delete('preview');
    setParams(next, { replace: true });
  }, [previewID, shared.data, params, setParams]);
  return (
    <Card title={<h2>{t('files.shared.title')}</h2>}>
      {shared.isError ? (
        <PageError error={shared.error} onRetry={() => shared.refetch()} />
      ) : (
        <EntryTable
          orgID={org.id}
          label={t('files.shared.title')}
          entries={shared.data?.items ?? []}
          loading={shared.isPending}
          folderHref={(id, spaceID) => `/files/${spaceID}?folder=${id}`}
          onOpenFile={(file) => setDialog({ kind: 'preview', file })}
          actions={actions}
          pagination={false}
          empty={<Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('files.shared.empty')} />}
        />
      )}
      <Dialogs org={org} dialog={dialog} close={() => setDialog(undefined)} open={setDialog} />
    </Card>
  );
}

/** TrashView lists deleted files the user may restore, until the trash's time runs out. */
function TrashView({ org, spaces }: { org: OrgMembership; spaces: Space[] }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const format = useFormat();
  const me = useMe();
  const mobile = useIsMobile();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const trash = useTrash(org.id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const [busy, setBusy] = useState<string>();

  const restore = async (file: FileItem) => {
    setBusy(file.id);
    try {
      await filesApi.restore(org.id, file.id);
      message.success(t('files.trash.restored', { name: file.name }));
      await queryClient.invalidateQueries({ queryKey: fileKeys.all(org.id) });
    } catch (err) {
      message.error(filesErrorText(t, err));
    } finally {
      setBusy(undefined);
    }
  };
  const spaceName = (id: string) => {
    const s = spaces.find((x) => x.id === id);
    return s ? spaceLabel(t, s, me.data?.user.id) : '';
  };

  return (
    <Card title={<h2>{t('files.trash.title')}</h2>}>
      <p className="muted">{t('files.trash.help')}</p>
      {trash.isError ? (
        <PageError error={trash.error} onRetry={() => trash.refetch()} />
      ) : (
        <Table<FileItem>
          rowKey="id"
          aria-label={t('files.trash.title')}
          loading={trash.isPending}
          dataSource={trash.data?.items ?? []}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('files.trash.empty')} /> }}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: trash.data?.total ?? trash.data?.items.length ?? 0, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
          columns={[
            {
              key: 'name',
              title: t('files.columns.name'),
              render: (_, f) => (
                <span className="entry-cell">
                  <span className="entry-name">
                    <FileThumb orgID={org.id} file={f} />
                    <span className="entry-text">{f.name}</span>
                  </span>
                  <span className="entry-meta">
                    {spaceName(f.space_id)}
                    {mobile && ` · ${formatBytes(f.size, i18n.language)}`}
                  </span>
                </span>
              ),
            },
            ...(mobile
              ? []
              : [
                  { key: 'size', title: t('files.columns.size'), width: 110, render: (_: unknown, f: FileItem) => formatBytes(f.size, i18n.language) },
                  { key: 'deleted', title: t('files.trash.deletedAt'), width: 190, render: (_: unknown, f: FileItem) => format.dateTime(f.deleted_at) },
                  { key: 'until', title: t('files.columns.availableUntil'), width: 210, render: (_: unknown, f: FileItem) => <AvailableUntil iso={f.available_until} held={f.legal_hold} /> },
                ]),
            {
              key: 'restore',
              title: <span className="visually-hidden">{t('common.actions')}</span>,
              align: 'right' as const,
              render: (_, f) => (
                <Button size="small" loading={busy === f.id} onClick={() => restore(f)} aria-label={t('files.trash.restoreName', { name: f.name })}>
                  {t('files.trash.restore')}
                </Button>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
