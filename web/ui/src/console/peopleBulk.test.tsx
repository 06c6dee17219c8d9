import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath, backend, children, eng, orgPath, root, sales, view } from '../test/directoryData';
import { BASE_MEMBER_PERMISSIONS, apiError, fakeApi, heldPermissions, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';

beforeEach(async () => {
  window.localStorage.clear();
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const wang = {
  user_id: 'u2',
  email: 'wang@example.com',
  display_name: 'Wang Wei',
  role: 'member',
  status: 'active',
  joined_at: '2025-01-03T03:04:05Z',
  employee_number: 'E002',
  job_title: 'Backend engineer',
  mobile: null,
  work_location: '',
  manager: null,
  hire_date: null,
  departments: [{ id: 'd-backend', name: 'Backend', path: 'Acme / Engineering / Backend', primary: true }],
};
const zhao = { ...wang, user_id: 'u3', email: 'zhao@example.com', display_name: 'Zhao Lei', employee_number: 'E003' };

type Routes = Parameters<typeof fakeApi>[0];

/** The console's routes for an owner, the people table listing Wang Wei and Zhao Lei out of `total`. */
function routes(total: number, extra: Routes = {}): Routes {
  return {
    'GET /api/v1/me': () => json(200, me()),
    [`GET ${adminPath}/people`]: () => json(200, { items: [wang, zhao], total, next_cursor: null }),
    [`GET ${orgPath}/members`]: () => json(200, { items: [], total: 0 }),
    [`GET ${orgPath}/invitations`]: () => json(200, { items: [] }),
    [`GET ${orgPath}/departments`]: (req: Request) => json(200, children(new URL(req.url))),
    [`GET ${orgPath}/departments/d-eng`]: () => json(200, view(eng, [root])),
    [`GET ${orgPath}/departments/d-sales`]: () => json(200, view(sales, [root])),
    [`GET ${orgPath}/departments/d-backend`]: () => json(200, view(backend, [root, eng])),
    [`GET ${orgPath}/groups`]: () => json(200, { items: [{ id: 'g1', name: 'Platform' }], total: 1 }),
    ...extra,
  };
}

const bulkPath = `${adminPath}/people/bulk`;
const posts = (calls: { method: string; path: string; body?: unknown }[], path: string) => calls.filter((c) => c.method === 'POST' && c.path === path).map((c) => c.body);
/** How many times the table asked for its page (GET .../people with the table's page size). */
const listings = (calls: { path: string }[]) => calls.filter((c) => c.path.startsWith(`${adminPath}/people?`) && c.path.includes('limit=50')).length;
const bar = () => screen.queryByRole('region', { name: 'Selected people' });
const rowOf = (name: string) => screen.getByText(name).closest('tr')!;
const setup = () => userEvent.setup({ delay: null, pointerEventsCheck: 0 });
type User = ReturnType<typeof setup>;

async function selectBoth(user: User) {
  await screen.findByText('Wang Wei');
  await user.click(within(rowOf('Wang Wei')).getByRole('checkbox'));
  await user.click(within(rowOf('Zhao Lei')).getByRole('checkbox'));
  expect(within(bar()!).getByText('2 selected')).toBeInTheDocument();
}

/** The open confirmation or dialog whose title is given. */
async function dialogTitled(title: string) {
  const found = await screen.findAllByText(title);
  return found[found.length - 1].closest<HTMLElement>('.ant-modal')!;
}

describe('the people table’s bulk actions', () => {
  it('appear on a selection, offer the whole filter result, and go with the selection', async () => {
    fakeApi(routes(2));
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    expect(bar()).not.toBeInTheDocument();
    await user.click(within(rowOf('Wang Wei')).getByRole('checkbox'));
    const b = within(bar()!);
    expect(b.getByText('1 selected')).toBeInTheDocument();
    for (const name of ['Move to department…', 'Add to group…', 'Change role…', 'Deactivate', 'Resend activation', 'Export (Excel)', 'Export (CSV)']) {
      expect(b.getByRole('button', { name: new RegExp(`^\\S*\\s*${name.replace(/[()]/g, '\\$&')}$`) })).toBeInTheDocument();
    }
    expect(b.getByRole('button', { name: 'Select all 2 people matching this filter' })).toBeInTheDocument();
    await user.click(b.getByRole('button', { name: 'Clear selection' }));
    expect(bar()).not.toBeInTheDocument();
    expect(within(rowOf('Wang Wei')).getByRole('checkbox')).not.toBeChecked();
  });

  it('moves the whole filter result, says whom it skipped and why, refreshes the table and ends the selection', async () => {
    const { calls } = fakeApi(
      routes(52, {
        [`POST ${bulkPath}`]: () =>
          json(200, {
            action: 'move_department',
            matched: 52,
            changed: 50,
            skipped: [
              { user_id: 'u2', name: 'Wang Wei', reason: 'already_there' },
              { user_id: 'u3', name: 'Zhao Lei', reason: 'already_there' },
            ],
          }),
      }),
    );
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    await user.click(screen.getAllByLabelText('Filter by department').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Engineering', { selector: '.ant-select-tree-title' }));
    await user.type(screen.getByLabelText('Search by name, pinyin, email or employee number'), 'zw');
    await waitFor(() => expect(calls.some((c) => c.path.includes('q=zw') && c.path.includes('department_id=d-eng'))).toBe(true));

    await user.click(within(rowOf('Wang Wei')).getByRole('checkbox'));
    await user.click(within(bar()!).getByRole('button', { name: 'Select all 52 people matching this filter' }));
    expect(within(bar()!).getByText('All 52 people matching this filter are selected.')).toBeInTheDocument();
    expect(within(rowOf('Zhao Lei')).getByRole('checkbox')).toBeChecked();
    // The export of a filter result is the GET link with the filter's parameters.
    expect(within(bar()!).getByRole('link', { name: /Export \(Excel\)/ })).toHaveAttribute(
      'href',
      `${adminPath}/people/export?format=xlsx&department_id=d-eng&subtree=true&q=zw`,
    );

    await user.click(within(bar()!).getByRole('button', { name: /Move to department…/ }));
    const dialog = await dialogTitled('Move 52 people to a department');
    const ok = within(dialog).getByRole('button', { name: 'Move' });
    expect(ok).toBeDisabled();
    await user.click(within(dialog).getAllByLabelText('Department').find((e) => e.tagName === 'INPUT')!);
    const options = await screen.findAllByText('Sales', { selector: '.ant-select-tree-title' });
    await user.click(options[options.length - 1]);
    await waitFor(() => expect(ok).toBeEnabled());
    const before = listings(calls);
    await user.click(ok);

    expect(await screen.findByText('Moved 50 people to Sales.')).toBeInTheDocument();
    expect(screen.getByText('2 skipped: already in that department (Wang Wei, Zhao Lei)')).toBeInTheDocument();
    expect(posts(calls, bulkPath)).toEqual([{ action: 'move_department', filter: { department_id: 'd-eng', subtree: true, q: 'zw' }, department_id: 'd-sales' }]);
    await waitFor(() => expect(listings(calls)).toBeGreaterThan(before));
    expect(bar()).not.toBeInTheDocument();
    expect(within(rowOf('Wang Wei')).getByRole('checkbox')).not.toBeChecked();
  });

  it('sends the contract’s body for each action on a selection, and says what each did', async () => {
    const answers: Record<string, object> = {
      change_role: { changed: 2, skipped: [] },
      deactivate: { changed: 1, skipped: [{ user_id: 'u3', name: 'Zhao Lei', reason: 'already_deactivated' }] },
      resend_activation: { changed: 0, skipped: [{ user_id: 'u2', name: 'Wang Wei', reason: 'not_pending' }, { user_id: 'u3', name: 'Zhao Lei', reason: 'not_pending' }] },
    };
    const { calls } = fakeApi(
      routes(2, {
        [`POST ${bulkPath}`]: (_req, body) => {
          const action = (body as { action: string }).action;
          return json(200, { action, matched: 2, ...answers[action] });
        },
        [`POST ${adminPath}/people/export`]: () =>
          new Response('xlsx bytes', { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="people-20261202.xlsx"' } }),
      }),
    );
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:people';
    });
    URL.revokeObjectURL = vi.fn();
    const downloads: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });
    renderAt('/console/members');
    const user = setup();
    const ids = ['u2', 'u3'];

    await selectBoth(user);
    await user.click(within(bar()!).getByRole('button', { name: /Change role…/ }));
    let dialog = await dialogTitled('Change the role of 2 people');
    await user.click(within(dialog).getByLabelText('Admin'));
    await user.click(within(dialog).getByRole('button', { name: 'Change role' }));
    expect(await screen.findByText('2 people are now Admin.')).toBeInTheDocument();
    expect(bar()).not.toBeInTheDocument();

    await selectBoth(user);
    await user.click(within(bar()!).getByRole('button', { name: /Deactivate/ }));
    dialog = await dialogTitled('Deactivate 2 people?');
    expect(within(dialog).getByText('They are signed out at once and can no longer use Acme. You can reactivate each of them later.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    expect(await screen.findByText('Deactivated 1 person.')).toBeInTheDocument();
    expect(screen.getByText('1 skipped: already deactivated (Zhao Lei)')).toBeInTheDocument();

    await selectBoth(user);
    await user.click(within(bar()!).getByRole('button', { name: /Resend activation/ }));
    dialog = await dialogTitled('Send the activation email again to 2 people?');
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Sent the activation email to 0 people.')).toBeInTheDocument();
    expect(screen.getByText('2 skipped: already activated (Wang Wei, Zhao Lei)')).toBeInTheDocument();

    expect(posts(calls, bulkPath)).toEqual([
      { action: 'change_role', user_ids: ids, role: 'admin' },
      { action: 'deactivate', user_ids: ids },
      { action: 'resend_activation', user_ids: ids },
    ]);

    // A selection's export is a POST naming the ids, downloaded under the server's file name.
    await selectBoth(user);
    await user.click(within(bar()!).getByRole('button', { name: /Export \(Excel\)/ }));
    await waitFor(() => expect(downloads).toEqual(['people-20261202.xlsx']));
    expect(posts(calls, `${adminPath}/people/export`)).toEqual([{ format: 'xlsx', user_ids: ids }]);
    expect(await created[0].text()).toBe('xlsx bytes');
  });

  it('says in words when a selection is too large', async () => {
    const { calls } = fakeApi(
      routes(6000, { [`POST ${bulkPath}`]: () => apiError(422, 'selection_too_large', 'the filter matches 6000 people; at most 5000 at once') }),
    );
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    await user.click(within(rowOf('Wang Wei')).getByRole('checkbox'));
    await user.click(within(bar()!).getByRole('button', { name: 'Select all 6000 people matching this filter' }));
    // The bar has taken the whole filter result before its action is chosen.
    expect(await within(bar()!).findByText('All 6000 people matching this filter are selected.')).toBeInTheDocument();
    await user.click(within(bar()!).getByRole('button', { name: /Deactivate/ }));
    const dialog = await dialogTitled('Deactivate 6000 people?');
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    expect(await screen.findByText(/^That is 6000 people, more than one bulk action may change/)).toBeInTheDocument();
    expect(posts(calls, bulkPath)).toEqual([{ action: 'deactivate', filter: { subtree: true } }]);
  });

  it('adds a whole filter result to a group by reading its people, within the group’s cap', async () => {
    // How many people the filter matches as the group dialog reads them (it may have grown since the table's page).
    let matching = 1200;
    const { calls } = fakeApi(
      routes(2, {
        [`GET ${adminPath}/people`]: (req) => {
          const p = new URL(req.url).searchParams;
          if (p.get('limit') === '200' && p.get('cursor') === 'c2') return json(200, { items: [zhao], total: matching, next_cursor: null });
          if (p.get('limit') === '200') return json(200, { items: [wang], total: matching, next_cursor: 'c2' });
          return json(200, { items: [wang, zhao], total: 2, next_cursor: null });
        },
        [`POST ${adminPath}/groups/g1/members/bulk`]: () =>
          json(200, { added: 2, added_user_ids: ['u2', 'u3'], already_in_group: 0, skipped_deactivated: 0, skipped_guests: 0, member_count: 2 }),
      }),
    );
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    await user.click(screen.getAllByLabelText('Role').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Member', { selector: '.ant-select-item-option-content' }));
    await waitFor(() => expect(calls.some((c) => c.path.includes('role=member'))).toBe(true));

    await user.click(within(rowOf('Wang Wei')).getByRole('checkbox'));
    await user.click(within(bar()!).getByRole('button', { name: 'Select all 2 people matching this filter' }));
    await user.click(within(bar()!).getByRole('button', { name: /Add to group…/ }));
    const dialog = await dialogTitled('Add 2 people to a group');
    await user.click(within(dialog).getAllByLabelText('Group').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Platform', { selector: '.ant-select-item-option-content' }));

    // More than a group holds is refused before anything is sent.
    await user.click(within(dialog).getByRole('button', { name: 'Add' }));
    expect(await within(dialog).findByText('A group holds at most 1,000 members: narrow the filter to 1,000 people or fewer.')).toBeInTheDocument();
    expect(posts(calls, `${adminPath}/groups/g1/members/bulk`)).toEqual([]);

    matching = 2;
    await user.click(within(dialog).getByRole('button', { name: 'Add' }));
    expect(await screen.findByText('Added 2; 0 were in the group already; 0 deactivated or guests left out.')).toBeInTheDocument();
    expect(posts(calls, `${adminPath}/groups/g1/members/bulk`)).toEqual([{ user_ids: ['u2', 'u3'] }]);
    const pages = calls.filter((c) => c.path.includes('limit=200')).map((c) => new URL(c.path, 'http://x').searchParams);
    expect(pages.every((p) => p.get('role') === 'member')).toBe(true);
    expect(pages.some((p) => p.get('cursor') === 'c2')).toBe(true);
    expect(bar()).not.toBeInTheDocument();
  });

  it.each([
    // members.manage alone: the role, deactivation and activation, but no move (directory.manage) nor export.
    { who: 'members.manage only', perms: ['members.manage'], shown: ['Add to group…', 'Change role…', 'Deactivate', 'Resend activation'], hidden: ['Move to department…', 'Export (Excel)', 'Export (CSV)'] },
    // directory.manage over a department: the move too, but the export needs it over the organisation.
    { who: 'directory.manage@dept', perms: ['members.manage', 'directory.manage@d-eng'], shown: ['Move to department…', 'Change role…'], hidden: ['Export (Excel)', 'Export (CSV)'] },
    // Both organisation-wide: everything.
    {
      who: 'directory.manage too',
      perms: ['members.manage', 'directory.manage'],
      shown: ['Move to department…', 'Add to group…', 'Change role…', 'Deactivate', 'Resend activation', 'Export (Excel)', 'Export (CSV)'],
      hidden: [],
    },
  ])('offers to a member holding $who only the actions it allows', async ({ perms, shown, hidden }) => {
    fakeApi(
      routes(2, {
        'GET /api/v1/me': () => json(200, me({ role: 'member' })),
        [`GET ${orgPath}/me/permissions`]: () => heldPermissions(...BASE_MEMBER_PERMISSIONS, ...perms),
      }),
    );
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    await user.click(within(rowOf('Wang Wei')).getByRole('checkbox'));
    const buttons = within(bar()!)
      .getAllByRole('button')
      .map((b) => b.textContent ?? '');
    expect(buttons).toEqual(expect.arrayContaining(shown));
    for (const h of hidden) expect(buttons).not.toContain(h);
  });

  it('speaks 简体中文', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    fakeApi(
      routes(2, {
        'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
        [`POST ${bulkPath}`]: () => json(200, { action: 'deactivate', matched: 2, changed: 1, skipped: [{ user_id: 'u1', name: 'Li Na', reason: 'self' }] }),
      }),
    );
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    await user.click(within(rowOf('Wang Wei')).getByRole('checkbox'));
    const b = within(screen.getByRole('region', { name: '已选成员' }));
    for (const name of ['调整部门…', '更改角色…', '重发激活邮件']) expect(b.getByText(name)).toBeInTheDocument();
    await user.click(b.getByRole('button', { name: '选择符合当前筛选的全部 2 人' }));
    expect(b.getByText('已选择符合当前筛选的全部 2 人。')).toBeInTheDocument();
    await user.click(b.getByRole('button', { name: /停\s?用/ }));
    const dialog = await dialogTitled('停用 2 人？');
    await user.click(within(dialog).getByRole('button', { name: /停\s?用/ }));
    expect(await screen.findByText('已停用 1 人。')).toBeInTheDocument();
    expect(screen.getByText('跳过 1 人：你自己（Li Na）')).toBeInTheDocument();
  });
});
