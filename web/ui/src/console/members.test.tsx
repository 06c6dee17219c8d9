import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath, backend, children, eng, orgPath, root, view } from '../test/directoryData';
import { fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const wang = { user_id: 'u2', email: 'wang@example.com', display_name: 'Wang Wei', role: 'member', status: 'active', joined_at: '2025-01-03T03:04:05Z' };
/** wang as the people table lists him (GET .../admin/orgs/{orgID}/people). */
const wangRow = {
  ...wang,
  employee_number: 'E002',
  job_title: 'Engineer',
  mobile: null,
  work_location: '',
  manager: null,
  hire_date: null,
  departments: [],
};
const zhaoRow = { ...wangRow, user_id: 'u3', display_name: 'Zhao Lei', email: 'zhao@example.com', employee_number: 'E003' };

function routes(extra: Record<string, Parameters<typeof fakeApi>[0][string]>) {
  return {
    'GET /api/v1/me': () => json(200, me()),
    [`GET ${orgPath}/members`]: () => json(200, { items: [wang], total: 1 }),
    [`GET ${orgPath}/members/u2`]: () => json(200, wang),
    // Filtered by a department, only Zhao Lei is in it.
    [`GET ${adminPath}/people`]: (req: Request) =>
      json(200, new URL(req.url).searchParams.get('department_id') ? { items: [zhaoRow], total: 1, next_cursor: null } : { items: [wangRow], total: 1, next_cursor: null }),
    [`GET ${orgPath}/invitations`]: () => json(200, { items: [] }),
    [`GET ${orgPath}/departments`]: (req: Request) => json(200, children(new URL(req.url))),
    [`GET ${orgPath}/departments/d-eng`]: () => json(200, view(eng, [root])),
    [`GET ${orgPath}/departments/d-backend`]: () => json(200, view(backend, [root, eng])),
    ...extra,
  };
}

describe('the members page', () => {
  it('sets a member’s departments: which, which is primary, where they lead', async () => {
    const { calls } = fakeApi(
      routes({
        [`GET ${orgPath}/people/u2`]: () =>
          json(200, {
            user_id: 'u2',
            display_name: 'Wang Wei',
            email: 'wang@example.com',
            status: 'active',
            external_id: null,
            role: 'member',
            departments: [
              { ...eng, path_names: ['Acme', 'Engineering'], primary: true, leader: true },
              { ...backend, path_names: ['Acme', 'Engineering', 'Backend'], primary: false, leader: false },
            ],
            groups: [],
            leaders: [],
          }),
        [`PUT ${adminPath}/users/u2/departments`]: (_req, body) => json(200, body),
      }),
    );
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByLabelText('More actions for Wang Wei'));
    await user.click(await screen.findByText('Set departments'));
    const dialog = (await screen.findByText('Departments of Wang Wei')).closest<HTMLElement>('.ant-modal')!;
    // Each row shows the department's path, even where the tree has not been opened.
    expect(await within(dialog).findByText('Engineering / Backend')).toBeInTheDocument();
    const rows = within(dialog).getAllByRole('listitem');
    await user.click(within(rows[1]).getByText('Primary'));
    await user.click(within(dialog).getByLabelText('Remove department 1'));
    await user.click(within(dialog).getByText('Leader'));
    await user.click(within(dialog).getByText('Save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ departments: [{ department_id: 'd-backend', primary: true, leader: true }] });
    expect(await screen.findByText('The departments of Wang Wei were saved.')).toBeInTheDocument();
  });

  it('changes a member’s base role, guests included', async () => {
    const { calls } = fakeApi(routes({ [`PUT ${adminPath}/users/u2/role`]: (_req, body) => json(200, { ...wang, ...(body as object) }) }));
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByLabelText('More actions for Wang Wei'));
    await user.click(await screen.findByText('Change role'));
    const dialog = (await screen.findByText('Change the role of Wang Wei')).closest<HTMLElement>('.ant-modal')!;
    await within(dialog).findByText('Member');
    await user.click(dialog.querySelector('.ant-select-selector')!);
    await user.click(await screen.findByText('Guest', { selector: '.ant-select-item-option-content' }));
    await user.click(within(dialog).getByText('Save'));
    expect(await screen.findByText('Wang Wei is now Guest.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ role: 'guest' });
  });

  it('filters by department, sub-departments included', async () => {
    const { calls } = fakeApi(routes({}));
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    await user.click(screen.getAllByLabelText('Filter by department').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Engineering', { selector: '.ant-select-tree-title' }));
    expect(await screen.findByText('Zhao Lei')).toBeInTheDocument();
    expect(screen.queryByText('Wang Wei')).not.toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'Include sub-departments' })).toBeChecked();
    const listed = calls.filter((c) => c.path.startsWith(`${adminPath}/people?`)).map((c) => new URL(c.path, 'http://x').searchParams);
    expect(listed.some((p) => p.get('department_id') === 'd-eng' && p.get('subtree') === 'true')).toBe(true);
  });
});
