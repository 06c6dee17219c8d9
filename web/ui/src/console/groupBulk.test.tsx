import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath, children, eng, orgPath, root, view, zhang } from '../test/directoryData';
import { apiError, fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';
import { parseEmails } from './GroupBulkAdd';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const group = { id: 'g1', name: 'Payments guild', description: '', department_id: null, external_id: null, member_cap: 1000, member_count: 1, created_at: '2025-01-01T00:00:00Z' };

function routes(extra: Record<string, Parameters<typeof fakeApi>[0][string]>) {
  return {
    'GET /api/v1/me': () => json(200, me()),
    [`GET ${orgPath}/groups/g1`]: () => json(200, group),
    [`GET ${orgPath}/groups/g1/members`]: () => json(200, { items: [{ ...zhang, role: 'owner', added_at: '2025-01-01T00:00:00Z' }], total: 1 }),
    [`GET ${orgPath}/departments`]: (req: Request) => json(200, children(new URL(req.url))),
    [`GET ${orgPath}/departments/d-root`]: () => json(200, view(root)),
    [`GET ${orgPath}/departments/d-eng`]: () => json(200, view(eng, [root])),
    ...extra,
  };
}

describe('adding many members to a group', () => {
  it('splits pasted emails on lines, commas, semicolons and spaces, once each', () => {
    expect(parseEmails(' a@x.cn\nb@x.cn, c@x.cn;d@x.cn  e@x.cn，A@x.cn\n\n')).toEqual(['a@x.cn', 'b@x.cn', 'c@x.cn', 'd@x.cn', 'e@x.cn']);
  });

  it('adds a department with its sub-departments, saying how many people it holds and what was done', async () => {
    const { calls } = fakeApi(
      routes({
        [`GET ${orgPath}/departments/d-eng/members`]: (req) =>
          json(200, { items: [zhang], total: new URL(req.url).searchParams.get('subtree') === 'true' ? 42 : 7 }),
        [`POST ${adminPath}/groups/g1/members/bulk`]: () =>
          json(200, { added: 40, added_user_ids: [], already_in_group: 1, skipped_deactivated: 1, skipped_guests: 0, member_count: 41 }),
      }),
    );
    renderAt('/console/groups/g1');
    expect(await screen.findByRole('heading', { name: 'Payments guild', level: 1 })).toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(screen.getByRole('button', { name: /Add members/ }));
    await user.click(await screen.findByText('A department…'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a department to Payments guild' });
    await user.click(within(dialog).getAllByLabelText('Department').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Engineering', { selector: '.ant-select-tree-title' }));
    expect(await within(dialog).findByText('42 people are in it.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('switch', { name: 'Include sub-departments' }));
    expect(await within(dialog).findByText('7 people are in it.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('switch', { name: 'Include sub-departments' }));
    await within(dialog).findByText('42 people are in it.');
    await user.click(within(dialog).getByRole('button', { name: 'Add them' }));
    expect(await screen.findByText('40 members were added to Payments guild. 1 was in it already. 1 deactivated member was left out.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ department_id: 'd-eng', include_subtree: true });
  });

  it('says when a department would pass the cap, in Chinese too', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    fakeApi(
      routes({
        'GET /api/v1/me': () => json(200, me({ locale: 'zh-CN' })),
        [`GET ${orgPath}/groups/g1`]: () => json(200, { ...group, member_count: 999 }),
        [`GET ${orgPath}/departments/d-eng/members`]: () => json(200, { items: [zhang], total: 2 }),
        [`POST ${adminPath}/groups/g1/members/bulk`]: () =>
          apiError(409, 'group_full', "adding 2 members would pass the group's cap: it holds 999 of at most 1000 members"),
      }),
    );
    renderAt('/console/groups/g1');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: /批量添加成员/ }));
    await user.click(await screen.findByText('按部门添加…'));
    const dialog = await screen.findByRole('dialog', { name: '将部门添加到 Payments guild' });
    await user.click(within(dialog).getAllByLabelText('部门').find((e) => e.tagName === 'INPUT')!);
    await user.click(await screen.findByText('Engineering', { selector: '.ant-select-tree-title' }));
    await user.click(within(dialog).getByRole('button', { name: '添加' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('人数超出上限：群组现有 999 名成员，上限 1000 名，只能再加 1 人。未添加任何人。');
  });

  it('shows back the pasted emails that are not members, and adds the rest once they are removed', async () => {
    const { calls } = fakeApi(
      routes({
        [`POST ${adminPath}/groups/g1/members/bulk`]: (_req, body) => {
          const emails = (body as { emails: string[] }).emails;
          const unknown = emails.filter((e) => e.endsWith('@nowhere.example'));
          if (unknown.length)
            return apiError(400, 'unknown_emails', `these emails are not members of the organisation, so nothing was added (${unknown.length}): ${unknown.join(', ')}`);
          return json(200, { added: emails.length, added_user_ids: [], already_in_group: 0, skipped_deactivated: 0, skipped_guests: 0, member_count: 1 + emails.length });
        },
      }),
    );
    renderAt('/console/groups/g1');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: /Add members/ }));
    await user.click(await screen.findByText('Paste emails…'));
    const dialog = await screen.findByRole('dialog', { name: 'Add members to Payments guild by email' });
    await user.click(within(dialog).getByLabelText(/Emails, one a line/));
    await user.paste('lin@example.com; ghost@nowhere.example\nwei.zhang@example.com, who@nowhere.example');
    expect(within(dialog).getByText('4 emails')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Add them' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('2 emails are not members of the organisation, so nobody was added:');
    expect(within(within(alert).getByRole('list', { name: 'Emails that are not members' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'ghost@nowhere.example',
      'who@nowhere.example',
    ]);
    await user.click(within(alert).getByRole('button', { name: 'Remove them from the list' }));
    expect(within(dialog).getByText('2 emails')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Add them' }));
    expect(await screen.findByText('2 members were added to Payments guild.')).toBeInTheDocument();
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    expect(calls.filter((c) => c.method === 'POST')[1].body).toEqual({ emails: ['lin@example.com', 'wei.zhang@example.com'] });
  });
});
