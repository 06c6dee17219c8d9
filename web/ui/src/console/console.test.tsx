import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath, children, eng, orgPath, root, view, zhang } from '../test/directoryData';
import { BASE_MEMBER_PERMISSIONS, apiError, fakeApi, heldPermissions, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the console for a member', () => {
  it('shows only the pages a department-scoped role can use, and says why', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/me/permissions`]: () => heldPermissions(...BASE_MEMBER_PERMISSIONS, 'directory.manage@d-eng', 'groups.manage@d-eng'),
      [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
      [`GET ${orgPath}/departments/d-root`]: () => json(200, view(root)),
      [`GET ${orgPath}/departments/d-root/members`]: () => json(200, { items: [], total: 0 }),
    });
    renderAt('/console/departments');
    expect(await screen.findByRole('heading', { name: 'Departments', level: 1 })).toBeInTheDocument();
    expect(await screen.findByText(/You can change only the departments/)).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Members', 'Departments', 'Groups']);
  });

  it('answers a page they may not use with an honest refusal', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/me/permissions`]: () => heldPermissions(...BASE_MEMBER_PERMISSIONS),
    });
    renderAt('/console/roles');
    expect(await screen.findByRole('heading', { name: 'You don’t have permission to use this page' })).toBeInTheDocument();
  });

  it('offers the audit log to a member whose role allows it', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/me/permissions`]: () => heldPermissions(...BASE_MEMBER_PERMISSIONS, 'audit.read'),
      [`GET ${adminPath}/audit`]: () => json(200, { items: [] }),
      [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
    });
    renderAt('/console/departments');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    await waitFor(() => expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Members', 'Departments', 'Groups', 'Audit log']));
  });
});

describe('the department tree', () => {
  it('puts a dragged department back and says why when the server refuses the move', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
      [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
      [`GET ${orgPath}/departments/d-root`]: () => json(200, view(root)),
      [`GET ${orgPath}/departments/d-root/members`]: () => json(200, { items: [], total: 0 }),
      [`PATCH ${adminPath}/departments/d-sales`]: () => apiError(409, 'too_deep', 'the department tree may be at most 25 levels deep'),
    });
    renderAt('/console/departments');
    const tree = await screen.findByRole('tree', { name: '部门树' });
    const salesNode = (await within(tree).findByText('Sales')).closest('[role="treeitem"]')!;
    const engNode = within(tree).getByText('Engineering').closest('[role="treeitem"]')!;
    const dataTransfer = { setData: () => {}, getData: () => '', effectAllowed: 'move', dropEffect: 'move' };
    fireEvent.dragStart(salesNode, { dataTransfer, clientX: 0, clientY: 0 });
    fireEvent.dragEnter(engNode, { dataTransfer, clientX: 100, clientY: 1 });
    fireEvent.dragOver(engNode, { dataTransfer, clientX: 100, clientY: 1 });
    fireEvent.drop(engNode, { dataTransfer, clientX: 100, clientY: 1 });
    expect(await screen.findByText('部门未移动。这样会使部门层级超过组织允许的深度。')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ parent_id: 'd-eng' });
    // Back where it was: a child of the root, not of Engineering.
    await waitFor(() => expect(within(tree).getByText('Sales')).toBeInTheDocument());
    const rootChildren = within(tree).getAllByRole('treeitem').map((n) => n.textContent);
    expect(rootChildren).toEqual(['Acme', 'Engineering', 'Sales']);
  });

  it('asks where the sub-departments and members go before deleting a department that has them', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
      [`GET ${orgPath}/departments/d-eng`]: () => json(200, view(eng, [root])),
      [`GET ${orgPath}/departments/d-root`]: () => json(200, view(root)),
      [`GET ${orgPath}/departments/d-eng/members`]: () => json(200, { items: [zhang], total: 1 }),
      [`DELETE ${adminPath}/departments/d-eng`]: () => json(204, null),
    });
    renderAt('/console/departments?dept=d-eng');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/It has 1 sub-departments and 1 direct members/)).toBeInTheDocument();
    expect(within(dialog).getByText('Move its sub-departments to')).toBeInTheDocument();
    expect(within(dialog).getByText('Move its members to')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe(`${adminPath}/departments/d-eng?move_children_to=d-root&move_members_to=d-root`);
  });
});

describe('groups', () => {
  it('shows the cap when the group is full', async () => {
    const group = { id: 'g1', name: 'Payments guild', description: '', department_id: null, external_id: null, member_cap: 2, member_count: 1, created_at: '2025-01-01T00:00:00Z' };
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${orgPath}/groups/g1`]: () => json(200, group),
      [`GET ${orgPath}/groups/g1/members`]: () => json(200, { items: [{ ...zhang, role: 'owner', added_at: '2025-01-01T00:00:00Z' }], total: 1 }),
      [`GET ${orgPath}/members`]: () =>
        json(200, { items: [{ user_id: 'u-lin', email: 'lin@example.com', display_name: 'Lin Na', role: 'member', status: 'active', joined_at: '2025-01-01T00:00:00Z' }], total: 1 }),
      [`PUT ${adminPath}/groups/g1/members/u-lin`]: () => apiError(409, 'group_full', 'the group is full: it may have at most 2 members'),
    });
    renderAt('/console/groups/g1');
    expect(await screen.findByRole('heading', { name: 'Payments guild', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('1 / 2 members')).toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(screen.getByRole('combobox', { name: 'Find a member to add' }));
    await user.click(await screen.findByText('Lin Na', { selector: '.person-option-name' }));
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The group is full: 1 / 2 members.');
  });
});

describe('roles', () => {
  it('lists the permission catalogue with translated names and which can be scoped', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
      [`GET ${orgPath}/roles`]: () =>
        json(200, {
          catalogue: [
            { permission: 'directory.manage', scoped: true },
            { permission: 'audit.read', scoped: false },
            { permission: 'chats.manage', scoped: true },
            { permission: 'content_rules.manage', scoped: false },
          ],
          items: [
            { id: 'r1', builtin: 'department_admin', name: 'department_admin', description: '', permissions: ['directory.read', 'directory.manage', 'groups.manage'] },
            { id: 'r2', builtin: null, name: 'Department editor', description: 'Edits its departments', permissions: ['directory.manage'] },
            { id: 'r3', builtin: null, name: 'Compliance', description: '', permissions: ['messages.read', 'messages.export', 'content_rules.manage'] },
          ],
        }),
    });
    renderAt('/console/roles');
    expect(await screen.findByRole('heading', { name: '角色', level: 1 })).toBeInTheDocument();
    const scoped = (await screen.findByText('directory.manage')).closest('tr')!;
    expect(within(scoped).getByText('管理部门')).toBeInTheDocument();
    expect(within(scoped).getByText('部门或组织')).toBeInTheDocument();
    expect(within(screen.getByText('audit.read').closest('tr')!).getByText('仅限整个组织')).toBeInTheDocument();
    expect(screen.getByText('部门管理员')).toBeInTheDocument();
    expect(screen.getByText('Department editor').closest('tr')).toHaveTextContent('管理部门');
    // The messaging permissions by name, not by id.
    expect(within(screen.getByText('chats.manage').closest('tr')!).getByText('管理会话')).toBeInTheDocument();
    expect(within(screen.getByText('content_rules.manage').closest('tr')!).getByText('管理内容规则')).toBeInTheDocument();
    const compliance = screen.getByText('Compliance').closest('tr')!;
    expect(compliance).toHaveTextContent('查看消息');
    expect(compliance).toHaveTextContent('导出会话');
    expect(compliance).not.toHaveTextContent('messages.export');
  });
});

describe('the audit log', () => {
  it('loads older entries with before_id and exports what the filters show', async () => {
    const entry = (id: number, action: string) => ({
      id,
      at: '2025-03-01T23:30:00Z',
      actor_id: 'u1',
      actor_name: 'Li Na',
      token_id: null,
      ip: '10.0.0.1',
      action,
      target_type: 'role',
      target_id: 'r2',
      before: null,
      after: { name: `Role ${id}` },
    });
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/audit`]: (req) =>
        new URL(req.url).searchParams.get('before_id') === '7'
          ? json(200, { items: [entry(6, 'role.update')] })
          : json(200, { items: [entry(8, 'role.create'), entry(7, 'role.assign')], next_before_id: 7 }),
    });
    renderAt('/console/audit');
    expect(await screen.findByText('Role 8')).toBeInTheDocument();
    // In the user's time zone (Asia/Shanghai): the next day.
    expect(screen.getAllByText(/Mar 2, 2025/).length).toBeGreaterThan(0);
    await userEvent.setup({ delay: null, pointerEventsCheck: 0 }).click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Role 6')).toBeInTheDocument();
    expect(calls.some((c) => c.path.includes('before_id=7'))).toBe(true);
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', `${adminPath}/audit/export?format=csv`);
  });
});

describe('bulk import', () => {
  it('uploads a CSV file, follows the job, and lists the rows that failed', async () => {
    let polls = 0;
    const job = { id: 'j1', format: 'csv', total_rows: 3, applied_rows: 0, failed_rows: 0, created_rows: 0, updated_rows: 0, unchanged_rows: 0, failure: null, created_by: 'u1', created_at: '2025-03-01T00:00:00Z', started_at: null, finished_at: null };
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/imports`]: () => json(200, { items: [], total: 0 }),
      [`POST ${adminPath}/imports`]: () => json(202, { ...job, status: 'queued', processed_rows: 0 }),
      [`GET ${adminPath}/imports/j1`]: () => {
        polls += 1;
        if (polls < 2) return json(200, { ...job, status: 'running', processed_rows: 1 });
        return json(200, {
          ...job,
          status: 'done',
          processed_rows: 3,
          applied_rows: 2,
          created_rows: 2,
          failed_rows: 1,
          finished_at: '2025-03-01T00:01:00Z',
          issues: { items: [{ row: 3, kind: 'user', external_id: 'E3', code: 'invalid_email', message: 'email must be a valid address' }], total: 1, truncated: false },
        });
      },
    });
    renderAt('/console/import');
    const input = await waitFor(() => {
      const el = document.querySelector<HTMLInputElement>('input[type="file"]');
      if (!el) throw new Error('no file input yet');
      return el;
    });
    const csv = new File(['external_id,email,display_name\nE1,a@example.com,A\n'], 'people.csv', { type: 'text/csv' });
    await userEvent.setup({ delay: null, pointerEventsCheck: 0 }).upload(input, csv);
    await userEvent.setup({ delay: null, pointerEventsCheck: 0 }).click(await screen.findByRole('button', { name: 'Start import' }));
    expect(await screen.findByText(/email must be a valid address/, {}, { timeout: 10000 })).toBeInTheDocument();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.headers.get('Content-Type')).toBe('text/csv');
    expect(post.body).toBe('external_id,email,display_name\nE1,a@example.com,A\n');
    expect(screen.getByText('3 of 3 rows processed.')).toBeInTheDocument();
    expect(screen.getByText('invalid_email')).toBeInTheDocument();
  });
});
