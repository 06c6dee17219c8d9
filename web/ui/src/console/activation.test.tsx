import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath, children, orgPath } from '../test/directoryData';
import { apiError, fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const member = (id: string, name: string, email: string, pending: boolean) => ({
  user_id: id,
  email,
  display_name: name,
  role: 'member',
  status: 'active',
  joined_at: '2025-01-03T03:04:05Z',
  activation_pending: pending,
  employee_number: null,
  job_title: '',
  mobile: null,
  work_location: '',
  manager: null,
  hire_date: null,
  departments: [],
});
const wang = member('u2', 'Wang Wei', 'wang@example.com', true);
const zhao = member('u3', 'Zhao Lei', 'zhao@example.com', false);
const link = { user_id: 'u2', email: 'wang@example.com', display_name: 'Wang Wei', url: 'https://canopy.example/activate/tok-wang', expires_at: '2030-01-02T03:04:05Z' };
const zhaoLink = { user_id: 'u3', email: 'zhao@example.com', display_name: 'Zhao Lei', url: 'https://canopy.example/activate/tok-zhao', expires_at: '2030-01-02T03:04:05Z' };

function membersPage(extra: Parameters<typeof fakeApi>[0]) {
  return fakeApi({
    'GET /api/v1/me': () => json(200, me()),
    [`GET ${orgPath}/members`]: () => json(200, { items: [wang, zhao], total: 2 }),
    [`GET ${adminPath}/people`]: () => json(200, { items: [wang, zhao], total: 2, next_cursor: null }),
    [`GET ${orgPath}/invitations`]: () => json(200, { items: [] }),
    [`GET ${orgPath}/departments`]: (req: Request) => json(200, children(new URL(req.url))),
    ...extra,
  });
}

describe('activation on the members page', () => {
  it('marks who has not activated, and gives them a link to copy or scan', async () => {
    const { calls } = membersPage({ [`POST ${adminPath}/users/u2/activation-link`]: () => json(201, link) });
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const row = (await screen.findByText('Wang Wei')).closest('tr')!;
    expect(within(row).getByText('Pending activation')).toBeInTheDocument();
    // Someone who has a password needs no link.
    const other = screen.getByText('Zhao Lei').closest('tr')!;
    expect(within(other).queryByText('Pending activation')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Activation link for Zhao Lei' })).not.toBeInTheDocument();

    await user.click(within(row).getByRole('button', { name: 'Activation link for Wang Wei' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Activation link for Wang Wei')).toBeInTheDocument();
    const field = await within(dialog).findByLabelText('Activation link');
    expect(field).toHaveValue('https://canopy.example/activate/tok-wang');
    expect(within(dialog).getByRole('img', { name: 'QR code of the activation link for Wang Wei' })).toHaveAttribute(
      'src',
      '/api/v1/activation/tok-wang/qr.png',
    );
    expect(within(dialog).getByText(/Valid until .*2030/)).toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe('https://canopy.example/activate/tok-wang');
    expect(await within(dialog).findByRole('button', { name: 'Copied' })).toBeInTheDocument();
    // One link per opening: a second would end the first.
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('copies through a hidden text field where the clipboard API is missing', async () => {
    membersPage({ [`POST ${adminPath}/users/u2/activation-link`]: () => json(201, link) });
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Activation link for Wang Wei' }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByLabelText('Activation link');
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    const copied: string[] = [];
    const exec = vi.fn((command: string) => {
      const area = document.activeElement as HTMLTextAreaElement;
      copied.push(`${command}:${area.value.slice(area.selectionStart, area.selectionEnd)}`);
      return true;
    });
    Object.defineProperty(document, 'execCommand', { value: exec, configurable: true });
    await user.click(within(dialog).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(copied).toEqual(['copy:https://canopy.example/activate/tok-wang']));
    expect(await within(dialog).findByRole('button', { name: 'Copied' })).toBeInTheDocument();
    expect(document.querySelector('textarea')).toBeNull();
  });

  it('says so when the account was activated meanwhile', async () => {
    membersPage({
      [`POST ${adminPath}/users/u2/activation-link`]: () => apiError(409, 'already_activated', 'the account already has a password'),
    });
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Activation link for Wang Wei' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('This account already has a password');
  });
});

describe('resetting a member’s sign-in', () => {
  it('asks first, then shows the new activation link in the activation dialog', async () => {
    const { calls } = membersPage({ [`POST ${adminPath}/users/u3/reset-credentials`]: () => json(200, zhaoLink) });
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    // Someone who has not activated yet gets an activation link, not a reset.
    await user.click(await screen.findByLabelText('More actions for Wang Wei'));
    expect(await screen.findByText('Set departments')).toBeInTheDocument();
    expect(screen.queryByRole('menuitem', { name: 'Reset sign-in' })).not.toBeInTheDocument();
    await user.keyboard('{Escape}');

    await user.click(screen.getByLabelText('More actions for Zhao Lei'));
    await user.click(await screen.findByRole('menuitem', { name: 'Reset sign-in' }));
    const confirm = await screen.findByRole('dialog');
    expect(within(confirm).getAllByText('Reset the sign-in of Zhao Lei?').length).toBeGreaterThan(0);
    expect(within(confirm).getByText(/every session and API token of theirs ends at once/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Reset sign-in' }));

    const field = await screen.findByLabelText('Activation link');
    expect(field).toHaveValue('https://canopy.example/activate/tok-zhao');
    const dialog = field.closest<HTMLElement>('[role="dialog"]')!;
    expect(within(dialog).getByText('Activation link for Zhao Lei')).toBeInTheDocument();
    expect(within(dialog).getByText('The password of Zhao Lei was removed, and every session and token of theirs has ended.')).toBeInTheDocument();
    expect(within(dialog).getByRole('img', { name: 'QR code of the activation link for Zhao Lei' })).toHaveAttribute('src', '/api/v1/activation/tok-zhao/qr.png');
    expect(await screen.findByText('The sign-in of Zhao Lei was reset.')).toBeInTheDocument();
    // The reset's own link is shown: no second link is issued, which would end it.
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`${adminPath}/users/u3/reset-credentials`]);
  });

  // Every code's words are checked in lib/errors.test.ts; here, that the page shows them.
  it('says why it cannot, in the admin’s language', async () => {
    membersPage({
      'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
      [`POST ${adminPath}/users/u3/reset-credentials`]: () => apiError(403, 'owner_protected', 'only an owner changes their own account'),
    });
    renderAt('/console/members');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByLabelText('Zhao Lei 的更多操作'));
    await user.click(await screen.findByRole('menuitem', { name: '重置登录' }));
    const confirm = await screen.findByRole('dialog');
    expect(within(confirm).getAllByText('重置 Zhao Lei 的登录？').length).toBeGreaterThan(0);
    await user.click(within(confirm).getByRole('button', { name: '重置登录' }));
    expect(await screen.findByText('只有所有者能更改所有者的账号。')).toBeInTheDocument();
    expect(screen.queryByLabelText('激活链接')).not.toBeInTheDocument();
  });
});

describe('activation links for an import', () => {
  const job = {
    id: 'j1',
    format: 'csv',
    status: 'done',
    total_rows: 3,
    processed_rows: 3,
    applied_rows: 3,
    failed_rows: 0,
    created_rows: 3,
    updated_rows: 0,
    unchanged_rows: 0,
    failure: null,
    created_by: 'u1',
    created_at: '2025-03-01T00:00:00Z',
    started_at: '2025-03-01T00:00:00Z',
    finished_at: '2025-03-01T00:01:00Z',
    issues: { items: [], total: 0, truncated: false },
  };
  const links = [
    { user_id: 'n1', email: 'a@example.com', display_name: 'Ada Wu', url: 'https://canopy.example/activate/tok-a', expires_at: '2030-01-02T03:04:05Z' },
    { user_id: 'n2', email: 'b@example.com', display_name: '=Bo', url: 'https://canopy.example/activate/tok-b', expires_at: '2030-01-02T03:04:05Z' },
  ];

  it('lists a link for everyone the import created, to copy one by one, all at once, or as CSV', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/imports`]: () => json(200, { items: [job], total: 1 }),
      [`GET ${adminPath}/imports/j1`]: () => json(200, job),
      [`POST ${adminPath}/activation-links`]: () =>
        json(200, {
          items: links,
          skipped: [
            { user_id: 'n3', email: 'c@example.com', code: 'already_activated' },
            { user_id: 'n4', email: null, code: 'not_found' },
          ],
        }),
    });
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:links';
    });
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});

    renderAt('/console/import');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Show' }));
    await user.click(await screen.findByRole('button', { name: 'Activation links for new people' }));

    const row = (await screen.findByText('a@example.com')).closest('tr')!;
    expect(within(row).getByText('Ada Wu')).toBeInTheDocument();
    expect(within(row).getByText('https://canopy.example/activate/tok-a')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ import_id: 'j1' });
    expect(screen.getByText('2 people got no link:')).toBeInTheDocument();
    expect(screen.getByText('c@example.com: already activated')).toBeInTheDocument();
    expect(screen.getByText('n4: not a member of the organisation')).toBeInTheDocument();

    await user.click(within(row).getByRole('button', { name: 'Copy the link for Ada Wu (a@example.com)' }));
    expect(await navigator.clipboard.readText()).toBe('https://canopy.example/activate/tok-a');

    await user.click(screen.getByRole('button', { name: 'Copy all' }));
    expect(await navigator.clipboard.readText()).toBe(
      "Ada Wu\ta@example.com\thttps://canopy.example/activate/tok-a\t2030-01-02T03:04:05Z\n'=Bo\tb@example.com\thttps://canopy.example/activate/tok-b\t2030-01-02T03:04:05Z",
    );

    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(clicked).toHaveBeenCalledOnce();
    expect(created).toHaveLength(1);
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.readAsText(created[0]);
    });
    expect(text.replace(/^\uFEFF/, '')).toBe(
      "name,email,activation_link,expires_at\r\nAda Wu,a@example.com,https://canopy.example/activate/tok-a,2030-01-02T03:04:05Z\r\n'=Bo,b@example.com,https://canopy.example/activate/tok-b,2030-01-02T03:04:05Z\r\n",
    );
  });

  it('offers no links after an import that created nobody', async () => {
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/imports`]: () => json(200, { items: [{ ...job, created_rows: 0, updated_rows: 3 }], total: 1 }),
      [`GET ${adminPath}/imports/j1`]: () => json(200, { ...job, created_rows: 0, updated_rows: 3 }),
    });
    renderAt('/console/import');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Show' }));
    expect(await screen.findByText('Every row was applied.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Activation links for new people' })).not.toBeInTheDocument();
  });
});
