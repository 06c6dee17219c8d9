import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath, children, eng, orgPath, root, view } from '../test/directoryData';
import { BASE_MEMBER_PERMISSIONS, fakeApi, heldPermissions, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const wang = { user_id: 'u2', email: 'wang@example.com', display_name: 'Wang Wei', role: 'member', status: 'active', joined_at: '2025-01-03T03:04:05Z', activation_pending: true };

/** The directory a console page reads, as someone with the given role and permissions sees it. */
function directory(role: 'owner' | 'admin' | 'member', ...perms: string[]) {
  return fakeApi({
    'GET /api/v1/me': () => json(200, me({ role })),
    [`GET ${orgPath}/me/permissions`]: () => heldPermissions(...perms),
    [`GET ${orgPath}/members`]: () => json(200, { items: [wang], total: 1 }),
    // The people table, for those who manage members.
    [`GET ${adminPath}/people`]: () =>
      json(200, { items: [{ ...wang, employee_number: '', job_title: '', mobile: null, work_location: '', manager: null, hire_date: null, departments: [] }], total: 1, next_cursor: null }),
    [`GET ${orgPath}/invitations`]: () => json(200, { items: [] }),
    [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
    [`GET ${orgPath}/departments/d-root`]: () => json(200, view(root)),
    [`GET ${orgPath}/departments/d-eng`]: () => json(200, view(eng, [root])),
    [`GET ${orgPath}/departments/d-root/members`]: () => json(200, { items: [wang], total: 1 }),
    [`GET ${orgPath}/departments/d-eng/members`]: () => json(200, { items: [wang], total: 1 }),
  });
}

const editButtons = ['Invite members', 'Deactivate Wang Wei', 'More actions for Wang Wei', 'Activation link for Wang Wei'];
const departmentButtons = ['Add sub-department', 'Rename', 'Add'];

describe('a member who holds only directory.read', () => {
  it('sees the members but nothing to change them with', async () => {
    const { calls } = directory('member', ...BASE_MEMBER_PERMISSIONS);
    renderAt('/console/members');
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    expect(await screen.findByText(/your role does not let you change it/)).toBeInTheDocument();
    for (const name of editButtons) expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    // Only what a directory reader may see: no invitations asked for.
    expect(calls.some((c) => c.path.startsWith(`${orgPath}/invitations`))).toBe(false);
    // The console's own navigation offers the pages they may read, and nothing else.
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Members', 'Departments', 'Groups']);
  });

  it('sees the department tree and its members but no way to change them', async () => {
    directory('member', ...BASE_MEMBER_PERMISSIONS);
    renderAt('/console/departments');
    expect(await screen.findByRole('heading', { name: 'Acme', level: 2 })).toBeInTheDocument();
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    for (const name of departmentButtons) expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove Wang Wei from the department' })).not.toBeInTheDocument();
    expect(screen.getByRole('switch')).toBeDisabled();
    expect(screen.queryByText(/Drag a department/)).not.toBeInTheDocument();
  });

  it('is not offered the console in the app, where one more permission would offer it', async () => {
    for (const [perms, offered] of [
      [BASE_MEMBER_PERMISSIONS, false],
      [[...BASE_MEMBER_PERMISSIONS, 'audit.read'], true],
    ] as const) {
      let answered = false;
      fakeApi({
        'GET /api/v1/me': () => json(200, me({ role: 'member' })),
        [`GET ${orgPath}/me/permissions`]: () => {
          answered = true;
          return heldPermissions(...perms);
        },
      });
      renderAt('/messages');
      expect(await screen.findByRole('heading', { name: 'Messages' })).toBeInTheDocument();
      await waitFor(() => expect(answered).toBe(true));
      if (offered) expect(await screen.findByRole('link', { name: 'Admin console' })).toHaveAttribute('href', '/console');
      else {
        await act(() => new Promise((r) => setTimeout(r, 50)));
        expect(screen.queryByRole('link', { name: 'Admin console' })).not.toBeInTheDocument();
      }
      cleanup();
    }
  });
});

describe('an admin', () => {
  it('sees the members page with its add, edit and delete buttons', async () => {
    const { calls } = directory('admin');
    renderAt('/console/members');
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    for (const name of editButtons) expect(screen.getByRole('button', { name })).toBeInTheDocument();
    // Owners and admins hold everything by their base role: nothing to ask.
    expect(calls.some((c) => c.path.endsWith('/me/permissions'))).toBe(false);
  });

  it('sees the departments page with its add, edit and delete buttons', async () => {
    directory('admin');
    renderAt('/console/departments?dept=d-eng');
    expect(await screen.findByRole('heading', { name: 'Engineering', level: 2 })).toBeInTheDocument();
    for (const name of [...departmentButtons, 'Move', 'Delete', 'Remove Wang Wei from the department']) expect(await screen.findByRole('button', { name })).toBeInTheDocument();
    expect(screen.getByRole('switch')).toBeEnabled();
  });
});

describe('a department admin', () => {
  it('may change their department but not the one above it, and is offered the console', async () => {
    directory('member', ...BASE_MEMBER_PERMISSIONS, 'directory.manage@d-eng', 'groups.manage@d-eng');
    renderAt('/console/departments?dept=d-eng');
    expect(await screen.findByRole('heading', { name: 'Engineering', level: 2 })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Rename' })).toBeInTheDocument();
    expect(screen.getByText(/You can change only the departments/)).toBeInTheDocument();
    // Their grants are a console permission: the console's navigation shows what they may use.
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Members', 'Departments', 'Groups']);
  });

  it('sees nothing to change at the root', async () => {
    directory('member', ...BASE_MEMBER_PERMISSIONS, 'directory.manage@d-eng');
    renderAt('/console/departments');
    expect(await screen.findByRole('heading', { name: 'Acme', level: 2 })).toBeInTheDocument();
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Rename' })).not.toBeInTheDocument();
  });
});
