import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath, backend, children, eng, orgPath, root, view } from '../test/directoryData';
import { BASE_MEMBER_PERMISSIONS, apiError, fakeApi, heldPermissions, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';
import { HIDDEN_COLUMNS_KEY } from './PeopleTable';

beforeEach(async () => {
  window.localStorage.clear();
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
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
  mobile: '+8613800138000',
  work_location: 'Shanghai',
  manager: { id: 'u9', name: 'Chen Jing' },
  hire_date: '2024-03-01',
  departments: [
    { id: 'd-backend', name: 'Backend', path: 'Acme / Engineering / Backend', primary: true },
    { id: 'd-sales', name: 'Sales', path: 'Acme / Sales', primary: false },
  ],
};
const zhao = {
  ...wang,
  user_id: 'u3',
  email: 'zhao@example.com',
  display_name: 'Zhao Lei',
  employee_number: null,
  job_title: '',
  mobile: null,
  work_location: '',
  manager: null,
  hire_date: null,
  departments: [],
  status: 'deactivated',
};

type Routes = Parameters<typeof fakeApi>[0];

function routes(extra: Routes = {}): Routes {
  return {
    'GET /api/v1/me': () => json(200, me()),
    [`GET ${adminPath}/people`]: () => json(200, { items: [wang, zhao], total: 2, next_cursor: null }),
    [`GET ${orgPath}/members`]: () => json(200, { items: [], total: 0 }),
    [`GET ${orgPath}/invitations`]: () => json(200, { items: [] }),
    [`GET ${orgPath}/departments`]: (req: Request) => json(200, children(new URL(req.url))),
    [`GET ${orgPath}/departments/d-eng`]: () => json(200, view(eng, [root])),
    [`GET ${orgPath}/departments/d-backend`]: () => json(200, view(backend, [root, eng])),
    [`GET ${orgPath}/groups`]: () => json(200, { items: [{ id: 'g1', name: 'Platform' }], total: 1 }),
    ...extra,
  };
}

/** The query of each people listing the page asked for. */
function listings(calls: { path: string }[]) {
  return calls.filter((c) => c.path.startsWith(`${adminPath}/people?`)).map((c) => new URL(c.path, 'http://x').searchParams);
}

/** The table's column headers, by their text (the measuring row a scrolling table adds left out). */
function headers(): string[] {
  return [...document.querySelectorAll('.people-table thead th.ant-table-cell')].map((th) => th.textContent ?? '').filter(Boolean);
}
const header = (name: string) =>
  [...document.querySelectorAll<HTMLElement>('.people-table thead th.ant-table-cell')].find((th) => th.textContent === name)!;

const setup = () => userEvent.setup({ delay: null, pointerEventsCheck: 0 });

describe('the people table', () => {
  it('shows each person’s employee details, the primary department first, and the total', async () => {
    fakeApi(routes());
    renderAt('/console/members');
    const row = (await screen.findByText('Wang Wei')).closest('tr')!;
    expect(headers()).toEqual(['Name', 'Employee number', 'Title', 'Departments', 'Manager', 'Mobile', 'Location', 'Hire date', 'Role', 'Status', 'Actions']);
    const cells = within(row);
    for (const text of ['wang@example.com', 'E002', 'Backend engineer', 'Chen Jing', '+8613800138000', 'Shanghai', '2024-03-01', 'Member', 'Active']) {
      expect(cells.getByText(text)).toBeInTheDocument();
    }
    const departments = row.querySelectorAll('.people-departments .ant-tag');
    expect([...departments].map((d) => d.textContent)).toEqual(['Backend', 'Sales']);
    expect(departments[0]).toHaveAttribute('title', 'Acme / Engineering / Backend');
    expect(screen.getByText('2 people')).toBeInTheDocument();
  });

  it('filters by department with or without its sub-departments, and by role', async () => {
    const { calls } = fakeApi(routes());
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    expect(listings(calls)[0].get('department_id')).toBeNull();
    await user.click(screen.getAllByLabelText('Filter by department').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Engineering', { selector: '.ant-select-tree-title' }));
    await waitFor(() => expect(listings(calls).some((p) => p.get('department_id') === 'd-eng' && p.get('subtree') === 'true')).toBe(true));
    await user.click(screen.getByRole('switch', { name: 'Include sub-departments' }));
    await waitFor(() => expect(listings(calls).some((p) => p.get('department_id') === 'd-eng' && p.get('subtree') === 'false')).toBe(true));
    await user.click(screen.getAllByLabelText('Role').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Guest', { selector: '.ant-select-item-option-content' }));
    await waitFor(() => expect(listings(calls).some((p) => p.get('role') === 'guest' && p.get('department_id') === 'd-eng')).toBe(true));
  });

  it('searches as one types, sorts by a header and pages with the cursor', async () => {
    const { calls } = fakeApi(
      routes({
        [`GET ${adminPath}/people`]: (req) => {
          const p = new URL(req.url).searchParams;
          if (p.get('cursor') === 'c2') return json(200, { items: [zhao], total: 2, next_cursor: null });
          return json(200, { items: [wang], total: 2, next_cursor: 'c2' });
        },
      }),
    );
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    await user.type(screen.getByLabelText('Search by name, pinyin, email or employee number'), 'zw');
    await waitFor(() => expect(listings(calls).some((p) => p.get('q') === 'zw')).toBe(true));
    await user.click(screen.getByText('Next'));
    expect(await screen.findByText('Zhao Lei')).toBeInTheDocument();
    expect(listings(calls).some((p) => p.get('cursor') === 'c2' && p.get('q') === 'zw')).toBe(true);
    await user.click(screen.getByText('Previous'));
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    await user.click(header('Hire date'));
    await waitFor(() => expect(listings(calls).some((p) => p.get('sort') === 'hire_date' && p.get('order') === 'asc')).toBe(true));
    await user.click(header('Hire date'));
    await waitFor(() => expect(listings(calls).some((p) => p.get('sort') === 'hire_date' && p.get('order') === 'desc')).toBe(true));
  });

  it('adds the selected people to a group, and says when the group is full', async () => {
    let full = false;
    const { calls } = fakeApi(
      routes({
        [`POST ${adminPath}/groups/g1/members/bulk`]: () =>
          full
            ? apiError(409, 'group_full', 'full')
            : json(200, { added: 1, added_user_ids: ['u2'], already_in_group: 0, skipped_deactivated: 1, skipped_guests: 0, member_count: 5 }),
      }),
    );
    renderAt('/console/members');
    const user = setup();
    const wangRow = (await screen.findByText('Wang Wei')).closest('tr')!;
    const zhaoRow = screen.getByText('Zhao Lei').closest('tr')!;
    expect(screen.queryByText('Add to group…')).not.toBeInTheDocument();
    await user.click(within(wangRow).getByRole('checkbox'));
    await user.click(within(zhaoRow).getByRole('checkbox'));
    expect(screen.getByText('2 selected')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Export \(Excel\)/ })).toBeInTheDocument();

    const pick = async () => {
      await user.click(screen.getByText('Add to group…'));
      const dialog = (await screen.findByText('Add 2 people to a group')).closest<HTMLElement>('.ant-modal')!;
      await user.click(within(dialog).getAllByLabelText('Group').find((e) => e.tagName === 'INPUT')!);
      await user.click(await screen.findByText('Platform', { selector: '.ant-select-item-option-content' }));
      await user.click(within(dialog).getByRole('button', { name: 'Add' }));
      return dialog;
    };
    full = true;
    const dialog = await pick();
    expect(await within(dialog).findByText('The group is full: it has as many members as its cap allows.')).toBeInTheDocument();
    full = false;
    await user.click(within(dialog).getByRole('button', { name: 'Add' }));
    expect(await screen.findByText('Added 1; 0 were in the group already; 1 deactivated or guests left out.')).toBeInTheDocument();
    const posts = calls.filter((c) => c.method === 'POST' && c.path === `${adminPath}/groups/g1/members/bulk`);
    expect(posts).toHaveLength(2);
    expect(posts[1].body).toEqual({ user_ids: ['u2', 'u3'] });
  });

  it('hides a column chosen in "Columns", and remembers it', async () => {
    fakeApi(routes());
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    expect(headers()).toContain('Mobile');
    await user.click(screen.getByRole('button', { name: /Columns/ }));
    const chooser = await screen.findByRole('group', { name: 'Columns' });
    await user.click(within(chooser).getByLabelText('Mobile'));
    await waitFor(() => expect(headers()).not.toContain('Mobile'));
    expect(headers()).toContain('Location');
    expect(screen.queryByText('+8613800138000')).not.toBeInTheDocument();
    expect(JSON.parse(window.localStorage.getItem(HIDDEN_COLUMNS_KEY)!)).toEqual(['mobile']);
  });

  it('adds a person with their employee details, checking the mobile number first', async () => {
    const { calls } = fakeApi(
      routes({
        [`POST ${adminPath}/users`]: (_req, body) => json(201, { ...wang, ...(body as object), external_id: null, locale: 'en', time_zone: 'UTC', activation_pending: true }),
      }),
    );
    renderAt('/console/members');
    const user = setup();
    await screen.findByText('Wang Wei');
    await user.click(screen.getByRole('button', { name: /Add person/ }));
    const dialog = (await screen.findByText('Add a person')).closest<HTMLElement>('.ant-modal')!;
    const d = within(dialog);
    await user.type(d.getByLabelText('Email'), 'sun@example.com');
    await user.type(d.getByLabelText('Name'), 'Sun Li');
    await user.type(d.getByLabelText('Employee number'), 'E010');
    await user.type(d.getByLabelText('Title'), 'Designer');
    await user.type(d.getByLabelText('Mobile'), '13800138000');
    await user.type(d.getByLabelText('Hire date'), '2024-03-01');
    await user.click(d.getByRole('button', { name: 'Add person' }));
    expect(await d.findByText('Enter the number with its country code, e.g. +8613800138000.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST' && c.path === `${adminPath}/users`)).toBe(false);
    await user.clear(d.getByLabelText('Mobile'));
    await user.type(d.getByLabelText('Mobile'), '+86 138-0013-8000');
    await user.click(d.getByRole('button', { name: 'Add person' }));
    expect(await screen.findByText('Sun Li was added.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST' && c.path === `${adminPath}/users`)?.body).toEqual({
      email: 'sun@example.com',
      display_name: 'Sun Li',
      employee_number: 'E010',
      job_title: 'Designer',
      mobile: '+86 138-0013-8000',
      hire_date: '2024-03-01',
    });
  });

  it('edits a person’s details, sending only what changed and clearing with ""', async () => {
    const { calls } = fakeApi(routes({ [`PATCH ${adminPath}/users/u2`]: (_req, body) => json(200, { ...wang, ...(body as object) }) }));
    renderAt('/console/members');
    const user = setup();
    await user.click(await screen.findByLabelText('More actions for Wang Wei'));
    await user.click(await screen.findByText('Edit details'));
    const dialog = (await screen.findByText('Edit Wang Wei')).closest<HTMLElement>('.ant-modal')!;
    const d = within(dialog);
    expect(d.getByLabelText('Employee number')).toHaveValue('E002');
    await user.clear(d.getByLabelText('Location'));
    await user.clear(d.getByLabelText('Title'));
    await user.type(d.getByLabelText('Title'), 'Tech lead');
    await user.click(d.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The details of Wang Wei were saved.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ job_title: 'Tech lead', work_location: '' });
  });

  it('offers neither the table’s changes nor adding to those without members.manage', async () => {
    const { calls } = fakeApi(
      routes({
        'GET /api/v1/me': () => json(200, me({ role: 'member' })),
        [`GET ${orgPath}/me/permissions`]: () => heldPermissions(...BASE_MEMBER_PERMISSIONS),
        [`GET ${orgPath}/members`]: () => json(200, { items: [{ ...wang, activation_pending: false }], total: 1 }),
      }),
    );
    renderAt('/console/members');
    expect(await screen.findByText('Wang Wei')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Add person/ })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('More actions for Wang Wei')).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith(`${adminPath}/people`))).toBe(false);
  });

  it('is a compact list on a phone: the essentials under the name, the actions beside it', async () => {
    const real = window.matchMedia;
    const phone = vi.spyOn(window, 'matchMedia').mockImplementation((query: string) =>
      query === '(max-width: 575.98px)'
        ? ({ matches: true, media: query, onchange: null, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {}, dispatchEvent: () => false } as MediaQueryList)
        : real.call(window, query),
    );
    try {
      fakeApi(routes());
      renderAt('/console/members');
      const row = (await screen.findByText('Wang Wei')).closest('tr')!;
      expect(headers()).toEqual(['Name', 'Actions']);
      expect(within(row).getByText('Backend engineer · Backend · Member · Active')).toBeInTheDocument();
      expect(within(row).getByLabelText('More actions for Wang Wei')).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: /Columns/ })).not.toBeInTheDocument();
    } finally {
      phone.mockRestore();
    }
  });

  it('speaks 简体中文', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const { calls } = fakeApi(routes({ 'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })) }));
    renderAt('/console/members');
    const user = setup();
    const row = (await screen.findByText('Wang Wei')).closest('tr')!;
    for (const h of ['姓名', '工号', '职务', '部门', '直属上级', '手机', '工作地点', '入职日期']) expect(headers()).toContain(h);
    expect(screen.getByText('共 2 人')).toBeInTheDocument();
    await user.click(within(row).getByRole('checkbox'));
    expect(screen.getByText('已选 1 人')).toBeInTheDocument();
    await user.click(screen.getByText('添加到群组…'));
    const dialog = (await screen.findByText('将 1 人添加到群组')).closest<HTMLElement>('.ant-modal')!;
    expect(within(dialog).getByRole('button', { name: '添加' })).toBeDisabled();
    await user.type(screen.getByLabelText('按姓名、拼音、邮箱或工号搜索'), '张');
    await waitFor(() => expect(listings(calls).some((p) => p.get('q') === '张')).toBe(true));
  });
});
