import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InstallationAccount, InstallationOrg, Me } from '../api/client';
import i18n from '../i18n';
import { apiError, fakeApi, json, me } from '../test/fakeApi';
import { location, renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const ACME = '00000000-0000-4000-8000-000000000100';
const GLOBEX = '00000000-0000-4000-8000-0000000002aa';

function installer(locale: 'en' | 'zh-CN' = 'en'): Me {
  const m = me({ locale });
  return { ...m, user: { ...m.user, installation_admin: true } };
}

function orgs(): InstallationOrg[] {
  return [
    {
      id: ACME,
      name: 'Acme',
      default_locale: 'en',
      created_at: '2025-01-02T03:04:05Z',
      domains: [{ domain: 'acme.com', org_id: ACME, created_at: '2025-01-03T00:00:00Z' }],
    },
    { id: GLOBEX, name: 'Globex', default_locale: 'zh-CN', created_at: '2025-02-02T03:04:05Z', domains: [] },
  ];
}

describe('the installation page', () => {
  it('is in the user menu of installation admins only', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, installer()), 'GET /api/v1/installation/orgs': () => json(200, { items: orgs() }) });
    renderAt('/messages');
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Account menu for Li Na' }));
    // The items' names begin with their icons' names.
    await user.click(await screen.findByRole('menuitem', { name: /Installation$/ }));
    expect(await screen.findByRole('heading', { name: 'Installation', level: 1 })).toBeInTheDocument();
    expect(location()).toBe('/installation');
  });

  it('is not offered to anyone else, and says so when opened', async () => {
    const { calls } = fakeApi({ 'GET /api/v1/me': () => json(200, me()) });
    renderAt('/installation');
    expect(await screen.findByText('For installation admins only')).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/api/v1/installation'))).toBe(false);
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: 'Account menu for Li Na' }));
    expect(await screen.findByRole('menuitem', { name: /Profile$/ })).toBeInTheDocument();
    expect(screen.queryByRole('menuitem', { name: /Installation$/ })).not.toBeInTheDocument();
  });

  it('lists every organisation with its email domains, and filters them', async () => {
    fakeApi({ 'GET /api/v1/me': () => json(200, installer()), 'GET /api/v1/installation/orgs': () => json(200, { items: orgs() }) });
    renderAt('/installation');
    expect(await screen.findByRole('heading', { name: 'Acme' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Globex' })).toBeInTheDocument();
    expect(screen.getByText('acme.com')).toBeInTheDocument();
    expect(screen.getByText('None assigned')).toBeInTheDocument();
    expect(screen.getByText(GLOBEX)).toBeInTheDocument();

    await userEvent.setup({ delay: null }).type(screen.getByRole('searchbox', { name: 'Search organisations or domains' }), 'acme.c');
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Globex' })).not.toBeInTheDocument());
    expect(screen.getByRole('heading', { name: 'Acme' })).toBeInTheDocument();
  });

  it('assigns a domain, typed as people type it, and warns about accounts others made', async () => {
    let assigned = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, installer()),
      'GET /api/v1/installation/orgs': () =>
        json(200, {
          items: orgs().map((o) =>
            o.id === GLOBEX && assigned ? { ...o, domains: [{ domain: 'globex.cn', org_id: GLOBEX, created_at: '2025-06-01T00:00:00Z' }] } : o,
          ),
        }),
      [`POST /api/v1/installation/orgs/${GLOBEX}/domains`]: () => {
        assigned = true;
        return json(201, { domain: 'globex.cn', org_id: GLOBEX, created_at: '2025-06-01T00:00:00Z', existing_accounts: 3, accounts_created_elsewhere: 1 });
      },
    });
    renderAt('/installation');
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Assign an email domain to Globex' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Domain'), 'not a domain');
    await user.click(within(dialog).getByRole('button', { name: 'Assign domain' }));
    expect(await within(dialog).findByText('Enter a domain name such as acme.com.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(within(dialog).getByLabelText('Domain'));
    await user.type(within(dialog).getByLabelText('Domain'), ' Globex.CN ');
    await user.click(within(dialog).getByRole('button', { name: 'Assign domain' }));
    expect(await screen.findByText('globex.cn is now assigned to Globex.')).toBeInTheDocument();
    expect(screen.getByText('3 existing accounts in this domain are now managed by Globex.')).toBeInTheDocument();
    expect(screen.getByText(/1 of them was not created by Globex, so someone else may know its password/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ domain: 'globex.cn' });
    expect(await screen.findByText('globex.cn')).toBeInTheDocument();
  });

  it('says why a domain cannot be assigned, and keeps the dialog open', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, installer('zh-CN')),
      'GET /api/v1/installation/orgs': () => json(200, { items: orgs() }),
      [`POST /api/v1/installation/orgs/${GLOBEX}/domains`]: () => apiError(409, 'domain_taken', 'this domain is assigned to an organisation already; unassign it first'),
    });
    renderAt('/installation');
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: '为 Globex 分配邮箱域名' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('域名'), 'acme.com');
    await user.click(within(dialog).getByRole('button', { name: '分配域名' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('此域名已分配给某个组织，请先从那里移除。');
  });

  it('removes a domain after asking', async () => {
    let removed = false;
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, installer()),
      'GET /api/v1/installation/orgs': () => json(200, { items: orgs().map((o) => (removed ? { ...o, domains: [] } : o)) }),
      [`DELETE /api/v1/installation/orgs/${ACME}/domains/acme.com`]: () => {
        removed = true;
        return json(204, null);
      },
    });
    renderAt('/installation');
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Remove acme.com from Acme' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getAllByText('Remove acme.com from Acme?').length).toBeGreaterThan(0);
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText('acme.com was removed from Acme.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Remove acme.com from Acme' })).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`/api/v1/installation/orgs/${ACME}/domains/acme.com`]);
  });
});

describe('the people of the installation', () => {
  const account = (id: string, name: string, email: string, extra: Partial<InstallationAccount> = {}): InstallationAccount => ({
    id,
    email,
    display_name: name,
    status: 'active',
    installation_admin: false,
    created_at: '2025-01-02T03:04:05Z',
    ...extra,
  });
  const self = account('00000000-0000-4000-8000-000000000001', 'Li Na', 'li.na@example.com', { installation_admin: true });
  const kim = account('00000000-0000-4000-8000-000000000301', 'Kim 100%', 'kim@globex.cn');
  const lou = account('00000000-0000-4000-8000-000000000302', 'Lou', 'lou@acme.com', { status: 'deactivated' });

  it('finds anyone by name or email, and disables or enables their account after asking', async () => {
    const status: Record<string, InstallationAccount['status']> = { [kim.id]: 'active', [lou.id]: 'deactivated' };
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, installer()),
      'GET /api/v1/installation/orgs': () => json(200, { items: orgs() }),
      'GET /api/v1/installation/users': (req) => {
        const q = new URL(req.url).searchParams.get('q') ?? '';
        const items = [self, kim, lou]
          .map((a) => ({ ...a, status: status[a.id] ?? a.status }))
          .filter((a) => `${a.display_name} ${a.email}`.toLowerCase().includes(q.toLowerCase()));
        return json(200, { items, total: items.length });
      },
      [`POST /api/v1/installation/users/${kim.id}/disable`]: () => {
        status[kim.id] = 'deactivated';
        return json(200, {});
      },
      [`POST /api/v1/installation/users/${lou.id}/enable`]: () => {
        status[lou.id] = 'active';
        return json(200, {});
      },
    });
    renderAt('/installation');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('tab', { name: 'People' }));

    const kimRow = (await screen.findByText('kim@globex.cn')).closest('tr')!;
    expect(within(kimRow).getByText('Active')).toBeInTheDocument();
    const louRow = screen.getByText('lou@acme.com').closest('tr')!;
    expect(within(louRow).getByText('Disabled')).toBeInTheDocument();
    const selfRow = screen.getByText('li.na@example.com').closest('tr')!;
    expect(within(selfRow).getByText('Installation admin')).toBeInTheDocument();
    expect(within(selfRow).getByText('You')).toBeInTheDocument();
    // An installation admin cannot disable themselves: the installation keeps a way in.
    expect(within(selfRow).queryByRole('button')).not.toBeInTheDocument();

    // The server searches; what is typed is sent as it is (a "%" is a character).
    await user.type(screen.getByRole('searchbox', { name: 'Search people by name or email' }), '100%');
    await waitFor(() => expect(screen.queryByText('lou@acme.com')).not.toBeInTheDocument());
    expect(calls.some((c) => c.path === '/api/v1/installation/users?q=100%25&limit=20&offset=0')).toBe(true);

    await user.click(screen.getByRole('button', { name: 'Disable the account of Kim 100%' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getAllByText('Disable the account of Kim 100%?').length).toBeGreaterThan(0);
    expect(within(dialog).getByText(/kim@globex.cn can no longer sign in anywhere/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    expect(await screen.findByText('The account of Kim 100% was disabled.')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Enable the account of Kim 100%' })).toBeInTheDocument();

    await user.clear(screen.getByRole('searchbox', { name: 'Search people by name or email' }));
    await user.click(await screen.findByRole('button', { name: 'Enable the account of Lou' }));
    const again = await screen.findByRole('dialog');
    await user.click(within(again).getByRole('button', { name: 'Enable' }));
    expect(await screen.findByText('The account of Lou was enabled.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      `/api/v1/installation/users/${kim.id}/disable`,
      `/api/v1/installation/users/${lou.id}/enable`,
    ]);
  });

  it('says why an account cannot be disabled, in the admin’s language', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, installer('zh-CN')),
      'GET /api/v1/installation/orgs': () => json(200, { items: orgs() }),
      'GET /api/v1/installation/users': () => json(200, { items: [kim], total: 1 }),
      [`POST /api/v1/installation/users/${kim.id}/disable`]: () => apiError(409, 'cannot_disable_self', 'you cannot disable your own account'),
    });
    renderAt('/installation');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('tab', { name: '人员' }));
    await user.click(await screen.findByRole('button', { name: '停用 Kim 100% 的账号' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '停用' }));
    expect(await screen.findByText('不能停用你自己的账号。')).toBeInTheDocument();
  });
  it('keeps the search box when the server refuses a search, so it can be corrected', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, installer()),
      'GET /api/v1/installation/orgs': () => json(200, { items: orgs() }),
      'GET /api/v1/installation/users': (req) =>
        (new URL(req.url).searchParams.get('q') ?? '').length > 5
          ? apiError(400, 'invalid_query', 'q: at most 200 characters')
          : json(200, { items: [kim], total: 1 }),
    });
    renderAt('/installation');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('tab', { name: 'People' }));
    expect(await screen.findByText('kim@globex.cn')).toBeInTheDocument();
    const box = screen.getByRole('searchbox', { name: 'Search people by name or email' });
    await user.type(box, 'too long');
    await waitFor(() => expect(screen.queryByText('kim@globex.cn')).not.toBeInTheDocument());
    expect(screen.getByRole('searchbox', { name: 'Search people by name or email' })).toBeInTheDocument();
    await user.clear(screen.getByRole('searchbox', { name: 'Search people by name or email' }));
    expect(await screen.findByText('kim@globex.cn')).toBeInTheDocument();
  });

  it('says an account was already disabled, in the admin’s language', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, installer('zh-CN')),
      'GET /api/v1/installation/orgs': () => json(200, { items: orgs() }),
      'GET /api/v1/installation/users': () => json(200, { items: [kim], total: 1 }),
      [`POST /api/v1/installation/users/${kim.id}/disable`]: () => apiError(409, 'already_disabled', 'the account is already disabled'),
    });
    renderAt('/installation');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('tab', { name: '人员' }));
    await user.click(await screen.findByRole('button', { name: '停用 Kim 100% 的账号' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '停用' }));
    expect(await screen.findByText('该账号已停用。')).toBeInTheDocument();
  });
});
