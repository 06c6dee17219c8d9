import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { ORG, orgPath } from '../test/directoryData';
import { apiError, fakeApi, json, me } from '../test/fakeApi';
import { location, renderAt } from '../test/render';
import type { Entry, FileItem, Folder, Space } from './api';
import { uploads } from './uploads';

const ME = '00000000-0000-4000-8000-000000000001';

const space = (over: Partial<Space> = {}): Space => ({
  id: 'sp-me',
  kind: 'personal',
  owner_id: ME,
  name: 'Li Na',
  min_retention_days: 0,
  max_retention_days: 0,
  quota_bytes: 0,
  used_bytes: 3 * 1024 * 1024,
  effective_min_retention_days: 3,
  legal_hold: false,
  access: 'manage',
  can_write: true,
  can_manage: true,
  ...over,
});

const folder = (id: string, name: string): Folder => ({
  id,
  space_id: 'sp-me',
  parent_id: null,
  name,
  created_by: ME,
  created_at: '2030-05-01T00:00:00Z',
  updated_at: '2030-05-01T00:00:00Z',
});

const file = (id: string, name: string, over: Partial<FileItem> = {}): FileItem => {
  const version = {
    id: `${id}-v1`,
    number: 1,
    size: 2048,
    sha256: 'a'.repeat(64),
    content_type: 'image/png',
    uploaded_by: ME,
    uploaded_at: '2030-05-29T08:00:00Z',
    available_until: '2030-06-01T08:00:00Z',
    legal_hold: false,
  };
  return {
    id,
    space_id: 'sp-me',
    folder_id: null,
    name,
    size: 2048,
    content_type: 'image/png',
    sha256: version.sha256,
    version_count: 1,
    current_version: version,
    available_until: version.available_until,
    legal_hold: false,
    created_by: ME,
    created_at: version.uploaded_at,
    updated_at: version.uploaded_at,
    has_thumbnail: false,
    deleted_at: null,
    ...over,
  };
};

const entries = (items: Entry[], breadcrumb = [{ id: 'sp-me', name: 'Li Na' }]) => ({ items, total: items.length, breadcrumb, access: 'manage' });

function routes(extra: Record<string, Parameters<typeof fakeApi>[0][string]> = {}) {
  return fakeApi({
    'GET /api/v1/me': () => json(200, me({ role: 'member' })),
    [`GET ${orgPath}/spaces`]: () => json(200, { items: [space(), space({ id: 'sp-org', kind: 'organisation', owner_id: ORG, name: 'Acme', can_manage: false })] }),
    [`GET ${orgPath}/spaces/sp-me`]: () => json(200, space()),
    [`GET ${orgPath}/holds`]: () => apiError(403, 'forbidden', 'no'),
    ...extra,
  });
}

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
  act(() => {
    uploads.clearFinished();
    for (const r of uploads.getSnapshot()) uploads.cancel(r.id);
  });
});

describe('the Files page', () => {
  it('opens the first space and lists its folders and files, “available until” in the user’s time zone', async () => {
    const { calls } = routes({
      [`GET ${orgPath}/spaces/sp-me/entries`]: () =>
        json(200, entries([{ type: 'folder', folder: folder('fo-1', '合同') }, { type: 'file', file: file('fi-1', 'photo.png') }])),
    });
    renderAt('/files');
    await waitFor(() => expect(location()).toBe('/files/sp-me'));
    const table = await screen.findByRole('table', { name: 'Folders and files of My files' });
    const row = (await within(table).findByText('photo.png')).closest('tr')!;
    // 08:00 UTC is 16:00 in Asia/Shanghai, the user's time zone.
    expect(within(row).getByText(/Jun 1, 2030, 4:00\sPM/)).toBeInTheDocument();
    expect(within(row).getByText('2 KB')).toBeInTheDocument();
    expect(within(table).getByRole('link', { name: '合同' })).toHaveAttribute('href', '/files/sp-me?folder=fo-1');
    expect(screen.getByText('Files here are kept for at least 3 days.')).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Available until' })).toBeInTheDocument();
    expect(calls.some((c) => c.path === `${orgPath}/spaces/sp-me/entries?sort=name&order=asc&limit=50&offset=0`)).toBe(true);
  });

  it('says clearly until when a file is kept when deleting it is refused (409 retention_active)', async () => {
    const { calls } = routes({
      [`GET ${orgPath}/spaces/sp-me/entries`]: () => json(200, entries([{ type: 'file', file: file('fi-1', 'report.pdf', { content_type: 'application/pdf' }) }])),
      [`DELETE ${orgPath}/files/fi-1`]: () => apiError(409, 'retention_active', 'available until 2030-06-02T20:30:00Z; it cannot be deleted before'),
    });
    renderAt('/files/sp-me');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Actions for report.pdf' }));
    await user.click(await screen.findByRole('menuitem', { name: /Delete/ }));
    const confirm = await screen.findByRole('dialog');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    // The server's date wins over the list's, shown in Asia/Shanghai (the next morning there).
    const refusal = await screen.findByText(/It is available until Jun 3, 2030, 4:30\sAM and can’t be deleted before then/);
    expect(refusal).toBeInTheDocument();
    expect(screen.getAllByText('“report.pdf” can’t be deleted yet').length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
  });

  it('navigates folders with the breadcrumb and searches the space', async () => {
    const { calls } = routes({
      [`GET ${orgPath}/spaces/sp-me/entries`]: (req) => {
        const url = new URL(req.url);
        if (url.searchParams.get('q')) return json(200, entries([{ type: 'file', file: file('fi-9', '合同草案.docx') }]));
        if (url.searchParams.get('folder_id') === 'fo-2')
          return json(200, entries([], [{ id: 'sp-me', name: 'Li Na' }, { id: 'fo-1', name: 'Projects' }, { id: 'fo-2', name: 'Q3' }]));
        return json(200, entries([]));
      },
    });
    renderAt('/files/sp-me?folder=fo-2');
    const crumbs = await screen.findByRole('navigation', { name: 'Folder path' });
    expect(await within(crumbs).findByRole('link', { name: 'Projects' })).toHaveAttribute('href', '/files/sp-me?folder=fo-1');
    expect(within(crumbs).getByRole('link', { name: 'My files' })).toHaveAttribute('href', '/files/sp-me');
    expect(within(crumbs).getByText('Q3')).toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.type(screen.getByRole('searchbox', { name: 'Search this space' }), 'hetong');
    expect(await screen.findByText('合同草案.docx')).toBeInTheDocument();
    expect(calls.some((c) => c.path.includes('q=hetong'))).toBe(true);
    expect(location()).toContain('q=hetong');
  });

  it('hands the files dropped on a folder to the uploads, for that folder', async () => {
    routes({
      [`GET ${orgPath}/spaces/sp-me/entries`]: () => json(200, entries([], [{ id: 'sp-me', name: 'Li Na' }, { id: 'fo-1', name: 'Projects' }])),
    });
    const add = vi.spyOn(uploads, 'add').mockImplementation(() => []);
    renderAt('/files/sp-me?folder=fo-1');
    const region = await screen.findByRole('region', { name: 'My files' });
    await screen.findByText('This folder is empty. Drop files here or use Upload.');
    const a = new File(['a'], 'a.png', { type: 'image/png' });
    const b = new File(['bb'], 'b.mp4', { type: 'video/mp4' });
    fireEvent.drop(region, { dataTransfer: { types: ['Files'], files: [a, b], items: [] } });
    expect(add).toHaveBeenCalledWith([a, b], { orgID: ORG, spaceID: 'sp-me', folderID: 'fo-1' });
    add.mockRestore();
  });

  it('shows the upload rows with their progress', async () => {
    routes({ [`GET ${orgPath}/spaces/sp-me/entries`]: () => json(200, entries([])) });
    renderAt('/files/sp-me');
    await screen.findByText('This folder is empty. Drop files here or use Upload.');
    act(() => {
      // Rows as the manager keeps them; the tus side is tested in uploads.test.ts.
      const manager = uploads as unknown as { rows: unknown[]; listeners: Set<() => void> };
      manager.rows = [
        { id: 'r1', name: 'a.png', size: 1000, sent: 250, status: 'uploading', orgID: ORG, spaceID: 'sp-me' },
        { id: 'r2', name: 'b.mp4', size: 1000, sent: 1000, status: 'done', orgID: ORG, spaceID: 'sp-me', fileID: 'f2' },
      ];
      manager.listeners.forEach((l) => l());
    });
    const list = await screen.findByRole('region', { name: 'Uploads' });
    expect(within(list).getByText('1 of 2 uploaded')).toBeInTheDocument();
    expect(within(list).getByRole('progressbar', { name: 'Upload progress of a.png' })).toHaveAttribute('aria-valuenow', '25');
    expect(within(list).getByRole('progressbar', { name: 'Upload progress of b.mp4' })).toHaveAttribute('aria-valuenow', '100');
    act(() => {
      const manager = uploads as unknown as { rows: unknown[]; listeners: Set<() => void> };
      manager.rows = [];
      manager.listeners.forEach((l) => l());
    });
  });

  it('lists the trash and restores a file', async () => {
    const deleted = file('fi-3', 'old.png', { deleted_at: '2030-05-30T00:00:00Z' });
    const { calls } = routes({
      [`GET ${orgPath}/trash`]: () => json(200, { items: [deleted], total: 1 }),
      [`POST ${orgPath}/trash/fi-3/restore`]: () => json(200, { ...deleted, deleted_at: null }),
    });
    renderAt('/files/trash');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Restore old.png' }));
    expect(await screen.findByText('“old.png” restored.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST' && c.path === `${orgPath}/trash/fi-3/restore`)).toBe(true);
  });
});
