import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../i18n';
import { children, eng, orgPath, person, root, view, zhang } from '../../test/directoryData';
import { fakeApi, json, me } from '../../test/fakeApi';
import { location, renderAt } from '../../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the directory', () => {
  it('finds a colleague by the initials of the pinyin of their name', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
      [`GET ${orgPath}/departments/d-root`]: () => json(200, view(root)),
      [`GET ${orgPath}/departments/d-root/members`]: () => json(200, { items: [], total: 0 }),
      [`GET ${orgPath}/members`]: () => json(200, { items: [], total: 0 }),
      [`GET ${orgPath}/search`]: (req) =>
        json(200, new URL(req.url).searchParams.get('q') === 'zw' ? { people: [zhang], departments: [], groups: [] } : { people: [], departments: [], groups: [] }),
    });
    renderAt('/directory');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.type(await screen.findByRole('searchbox', { name: 'Search the directory' }), 'zw');
    const link = await screen.findByRole('link', { name: /张伟/ });
    expect(link).toHaveAttribute('href', '/directory/people/u-zhang');
    expect(location()).toBe('/directory?q=zw');
    expect(calls.some((c) => c.path === `${orgPath}/search?q=zw&limit=20`)).toBe(true);
  });

  it('lists everyone at the top, people in no department included', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
      [`GET ${orgPath}/departments/d-root`]: () => json(200, view(root)),
      [`GET ${orgPath}/members`]: () =>
        json(200, { items: [{ user_id: 'u9', email: 'new@example.com', display_name: 'New Person', role: 'member', status: 'active', joined_at: '2025-01-01T00:00:00Z' }], total: 1 }),
    });
    renderAt('/directory');
    expect(await screen.findByText('New Person')).toBeInTheDocument();
    expect(screen.getByText('Everyone')).toBeInTheDocument();
  });

  it('says so when nothing matches', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/search`]: () => json(200, { people: [], departments: [], groups: [] }),
    });
    renderAt('/directory?q=nobody');
    expect(await screen.findByText(/Nothing matches “nobody”/)).toBeInTheDocument();
  });

  it('shows a department’s members, direct or with its sub-departments, and its leaders', async () => {
    const lin = person('u-lin', 'Lin Na', 'lin@example.com');
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/departments`]: (req) => json(200, children(new URL(req.url))),
      [`GET ${orgPath}/departments/d-eng`]: () => json(200, view(eng, [root], [zhang])),
      [`GET ${orgPath}/departments/d-eng/members`]: (req) =>
        json(200, new URL(req.url).searchParams.get('subtree') === 'true' ? { items: [zhang, lin], total: 2 } : { items: [zhang], total: 1 }),
    });
    renderAt('/directory?dept=d-eng');
    expect(await screen.findByRole('heading', { name: 'Engineering', level: 2 })).toBeInTheDocument();
    const row = (await screen.findByText('wei.zhang@example.com')).closest('li')!;
    expect(within(row).getByText('张伟')).toBeInTheDocument();
    expect(within(row).getByText('Leader')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Leaders' })).toHaveTextContent('张伟');
    await userEvent.setup({ delay: null, pointerEventsCheck: 0 }).click(screen.getByText('Including sub-departments'));
    expect(await screen.findByText('Lin Na')).toBeInTheDocument();
    expect(calls.some((c) => c.path.includes('/d-eng/members?subtree=true'))).toBe(true);
  });

  it('shows a person’s card: departments with their paths, primary first, and groups', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member', locale: 'zh-CN' })),
      [`GET ${orgPath}/people/u-zhang`]: () =>
        json(200, {
          ...zhang,
          role: 'member',
          departments: [
            { ...eng, id: 'd-x', name: 'Platform', path_names: ['Acme', 'Platform'], primary: false, leader: false },
            { ...eng, path_names: ['Acme', 'Engineering'], primary: true, leader: true },
          ],
          groups: [{ id: 'g1', name: 'Payments guild', role: 'owner' }],
          leaders: [person('u-boss', 'Boss', 'boss@example.com')],
        }),
    });
    renderAt('/directory/people/u-zhang');
    expect(await screen.findByRole('heading', { name: '张伟', level: 2 })).toBeInTheDocument();
    const links = screen.getAllByRole('link').map((a) => a.textContent);
    expect(links.indexOf('Engineering')).toBeLessThan(links.indexOf('Platform'));
    expect(screen.getByText('主部门')).toBeInTheDocument();
    expect(screen.getAllByText('负责人').length).toBeGreaterThan(0);
    expect(screen.getByRole('link', { name: 'Payments guild' })).toHaveAttribute('href', '/directory/groups/g1');
    expect(screen.getByText('群主')).toBeInTheDocument();
  });

  it('shows a guest only the groups', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'guest' })),
      [`GET ${orgPath}/groups`]: () =>
        json(200, {
          items: [{ id: 'g1', name: 'Vendors', description: '', department_id: null, external_id: null, member_cap: 1000, member_count: 3, created_at: '2025-01-01T00:00:00Z' }],
          total: 1,
        }),
    });
    renderAt('/directory');
    expect(await screen.findByText('Vendors')).toBeInTheDocument();
    await waitFor(() => expect(location()).toBe('/directory/groups'));
    expect(screen.getByText('3 / 1000 members')).toBeInTheDocument();
    expect(screen.queryByRole('searchbox', { name: 'Search the directory' })).not.toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Departments' })).not.toBeInTheDocument();
  });
});
