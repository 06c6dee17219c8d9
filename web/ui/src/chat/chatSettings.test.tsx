import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Member } from '../api/client';
import i18n from '../i18n';
import { applyEvent } from '../notifications/useLiveEvents';
import { ORG, orgPath } from '../test/directoryData';
import { apiError, fakeApi, json, me, type Handler } from '../test/fakeApi';
import { location, renderAt } from '../test/render';
import { chat, ME, msg } from './testData';
import type { Chat, ChatMember } from './types';

/** membersOf is a chat's members as the server lists them (owner, admins, members), me among them in my role. */
function membersOf(c: Chat): ChatMember[] {
  const mine: ChatMember = { user_id: ME, name: 'Li Na', role: c.my_role ?? 'member', department: '研发部' };
  const others: ChatMember[] = [
    ...(c.my_role === 'owner' ? [] : [{ user_id: 'u-wang', name: '王芳', role: 'owner' as const }]),
    { user_id: 'u-zhang', name: '张伟', role: 'admin' },
    { user_id: 'u-li', name: '李雷', role: 'member', department: '销售部' },
  ];
  const rank = { owner: 0, admin: 1, member: 2 };
  return [mine, ...others].sort((a, b) => rank[a.role] - rank[b.role]);
}

const linNa: Member = {
  user_id: 'u-lin',
  email: 'lin@example.com',
  display_name: 'Lin Na',
  role: 'member',
  status: 'active',
  joined_at: '2025-01-01T00:00:00Z',
  activation_pending: false,
};

function routes(c: Chat, extra: Record<string, Handler> = {}, opts: { role?: 'owner' | 'member' | 'guest'; locale?: 'en' | 'zh-CN' } = {}) {
  return fakeApi({
    'GET /api/v1/me': () => json(200, me({ role: opts.role ?? 'member', locale: opts.locale ?? 'en' })),
    [`GET ${orgPath}/chats`]: () => json(200, { items: [c, chat('c2', { name: 'Other chat' })], total: 2 }),
    [`GET ${orgPath}/chats/${c.id}`]: () => json(200, c),
    [`GET ${orgPath}/chats/${c.id}/messages`]: () => json(200, { items: [], has_more: false }),
    [`GET ${orgPath}/chats/${c.id}/members`]: () => json(200, { items: membersOf(c), total: membersOf(c).length }),
    [`GET ${orgPath}/me/messaging`]: () => json(200, { send_read_receipts: true, allow_receipt_opt_out: false }),
    [`POST ${orgPath}/me/presence`]: () => json(204, null),
    [`GET ${orgPath}/spaces`]: () => json(200, { items: [] }),
    ...extra,
  });
}

async function openInfo() {
  const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
  await user.click(await screen.findByTestId('chat-info-button'));
  const panel = await screen.findByTestId('chat-info');
  await within(panel).findAllByTestId('chat-member');
  return { user, panel };
}

/** dialogTitled is the open modal with the title. */
async function dialogTitled(title: string): Promise<HTMLElement> {
  // A confirmation holds its title twice (for screen readers and on screen).
  return (await screen.findAllByText(title))[0].closest<HTMLElement>('.ant-modal')!;
}

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a chat’s settings', () => {
  it('list the members with their roles, and let the owner rename the chat', async () => {
    const c = chat('c1', { name: 'Launch team', description: 'Ship it', my_role: 'owner', member_count: 3 });
    const { calls } = routes(c, {
      [`PATCH ${orgPath}/chats/c1`]: (_req, body) => json(200, { ...c, ...(body as object) }),
    });
    renderAt('/messages/c1');
    const { user, panel } = await openInfo();
    expect(within(panel).getByTestId('chat-info-description')).toHaveTextContent('Ship it');
    expect(within(panel).getByRole('heading', { name: 'Members (3)' })).toBeInTheDocument();
    const rows = within(panel).getAllByTestId('chat-member');
    expect(rows.map((r) => r.getAttribute('data-user-id'))).toEqual([ME, 'u-zhang', 'u-li']);
    expect(rows[0]).toHaveTextContent('Owner');
    expect(rows[0]).toHaveTextContent('(you)');
    expect(rows[1]).toHaveTextContent('Admin');
    // The owner removes others, never themselves (they leave).
    expect(within(rows[0]).queryByTestId('remove-member')).toBeNull();
    expect(within(rows[2]).getByTestId('remove-member')).toBeInTheDocument();

    await user.click(within(panel).getByTestId('chat-info-edit'));
    const name = within(panel).getByTestId('chat-name-input');
    await user.clear(name);
    await user.type(name, 'Launch crew');
    await user.click(within(panel).getByTestId('chat-about-save'));
    await waitFor(() => expect(calls.find((x) => x.method === 'PATCH')?.body).toEqual({ name: 'Launch crew', description: 'Ship it' }));
    expect(await screen.findByTestId('chat-title')).toHaveTextContent('Launch crew');
    expect(within(panel).getByTestId('chat-info-name')).toHaveTextContent('Launch crew');
  });

  it('page through the members and search them by what is typed', async () => {
    const many = Array.from({ length: 20 }, (_, i): ChatMember => ({ user_id: `u-${i}`, name: `Member ${i}`, role: 'member' }));
    const { calls } = routes(chat('c1', { name: 'Launch team', member_count: 45 }), {
      [`GET ${orgPath}/chats/c1/members`]: () => json(200, { items: many, total: 45 }),
    });
    renderAt('/messages/c1');
    const { user, panel } = await openInfo();
    expect(within(panel).getByRole('heading', { name: 'Members (45)' })).toBeInTheDocument();
    await user.click(within(panel).getByTitle('Next Page'));
    await waitFor(() => expect(calls.some((x) => x.path.startsWith(`${orgPath}/chats/c1/members?`) && x.path.includes('offset=20'))).toBe(true));
    await user.type(within(panel).getByRole('searchbox', { name: 'Search members' }), 'zw');
    await waitFor(() => expect(calls.some((x) => x.method === 'GET' && x.path.startsWith(`${orgPath}/chats/c1/members?`) && x.path.includes('query=zw'))).toBe(true));
    // A new search starts again at the first page.
    const asked = new URL(calls.filter((x) => x.path.includes('query=zw')).at(-1)!.path, 'http://x').searchParams;
    expect(asked.get('limit')).toBe('20');
    expect(asked.get('offset')).toBe('0');
  });

  it('add members to an ad-hoc chat and say clearly when it would pass the cap', async () => {
    const { calls } = routes(chat('c1', { name: 'Launch team' }), {
      [`GET ${orgPath}/members`]: () => json(200, { items: [linNa], total: 1 }),
      [`POST ${orgPath}/chats/c1/members`]: () => apiError(422, 'chat_full', 'a chat has at most 1000 members: this would make 1001, 1 over'),
    });
    renderAt('/messages/c1');
    const { user, panel } = await openInfo();
    // A plain member of an ad-hoc chat may add people, not remove them.
    expect(within(panel).queryByTestId('remove-member')).toBeNull();
    await user.click(within(panel).getByTestId('add-members'));
    const dialog = await dialogTitled('Add members to Launch team');
    await user.click(within(dialog).getByRole('combobox', { name: 'Members' }));
    await user.click(await screen.findByText('Lin Na', { selector: '.person-option-name' }));
    await user.click(within(dialog).getByTestId('add-members-submit'));
    await waitFor(() => expect(calls.find((x) => x.method === 'POST' && x.path.endsWith('/chats/c1/members'))?.body).toEqual({ user_ids: ['u-lin'] }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('A chat has at most 1000 members: adding them would make 1001, 1 too many.');
  });

  it('remove a member after asking, as the chat’s admin', async () => {
    const { calls } = routes(chat('c1', { name: 'Launch team', my_role: 'admin' }), {
      [`DELETE ${orgPath}/chats/c1/members/u-li`]: () => json(204, null),
    });
    renderAt('/messages/c1');
    const { user, panel } = await openInfo();
    const row = (id: string) => within(panel).getAllByTestId('chat-member').find((r) => r.getAttribute('data-user-id') === id)!;
    // Not the owner, whom nobody in the chat can remove, nor myself.
    expect(within(row('u-wang')).queryByTestId('remove-member')).toBeNull();
    expect(within(row(ME)).queryByTestId('remove-member')).toBeNull();
    await user.click(within(row('u-li')).getByRole('button', { name: 'Remove 李雷 from the chat' }));
    const confirm = await dialogTitled('Remove 李雷 from the chat?');
    expect(calls.some((x) => x.method === 'DELETE')).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(calls.some((x) => x.method === 'DELETE' && x.path === `${orgPath}/chats/c1/members/u-li`)).toBe(true));
  });

  it('leave an ad-hoc chat after asking: it leaves the list and the app goes back to the chats', async () => {
    let left = false;
    const c = chat('c1', { name: 'Launch team' });
    const { calls } = routes(c, {
      [`GET ${orgPath}/chats`]: () => json(200, { items: left ? [chat('c2', { name: 'Other chat' })] : [c, chat('c2', { name: 'Other chat' })], total: left ? 1 : 2 }),
      [`POST ${orgPath}/chats/c1/leave`]: () => {
        left = true;
        return json(204, null);
      },
    });
    renderAt('/messages/c1');
    expect(await screen.findAllByTestId('chat-item')).toHaveLength(2);
    const { user, panel } = await openInfo();
    await user.click(within(panel).getByTestId('leave-chat'));
    const confirm = await dialogTitled('Leave Launch team?');
    await user.click(within(confirm).getByTestId('leave-confirm'));
    await waitFor(() => expect(location()).toBe('/messages'));
    expect(calls.some((x) => x.method === 'POST' && x.path.endsWith('/chats/c1/leave'))).toBe(true);
    await waitFor(() => expect(screen.getAllByTestId('chat-item').map((r) => r.getAttribute('data-chat-id'))).toEqual(['c2']));
  });

  it('show a group chat’s members read-only, as they follow the group', async () => {
    routes(chat('g1', { kind: 'group', name: 'Marketing', group_id: 'grp-1', my_role: 'owner' }));
    renderAt('/messages/g1');
    const { panel } = await openInfo();
    expect(within(panel).getByTestId('members-follow')).toHaveTextContent('Members follow the group');
    expect(within(panel).queryByTestId('add-members')).toBeNull();
    expect(within(panel).queryByTestId('remove-member')).toBeNull();
    expect(within(panel).queryByTestId('leave-chat')).toBeNull();
    // Its owner may still rename it.
    expect(within(panel).getByTestId('chat-info-edit')).toBeInTheDocument();
  });

  it('keep a group chat following its group’s name when only the description changes', async () => {
    const c = chat('g1', { kind: 'group', name: 'Marketing', group_id: 'grp-1', my_role: 'owner' });
    const { calls } = routes(c, { [`PATCH ${orgPath}/chats/g1`]: (_req, body) => json(200, { ...c, ...(body as object) }) });
    renderAt('/messages/g1');
    const { user, panel } = await openInfo();
    await user.click(within(panel).getByTestId('chat-info-edit'));
    await user.type(within(panel).getByTestId('chat-description-input'), 'Campaigns');
    await user.click(within(panel).getByTestId('chat-about-save'));
    // "Marketing" is the group's name, shown because the chat has none: it is not sent back.
    await waitFor(() => expect(calls.find((x) => x.method === 'PATCH')?.body).toEqual({ description: 'Campaigns' }));
  });

  it('offer a guest only what a guest may do, in Chinese', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    routes(chat('c1', { name: '项目组' }), {}, { role: 'guest', locale: 'zh-CN' });
    renderAt('/messages/c1');
    const { panel } = await openInfo();
    expect(within(panel).getAllByTestId('chat-member')[0]).toHaveTextContent('群主');
    // No directory to pick people from, no admin rights: only leaving.
    expect(within(panel).queryByTestId('add-members')).toBeNull();
    expect(within(panel).queryByTestId('chat-info-edit')).toBeNull();
    expect(within(panel).queryByTestId('remove-member')).toBeNull();
    expect(within(panel).getByTestId('leave-chat')).toHaveTextContent('退出群聊');
  });

  it('mute the chat from its settings', async () => {
    const { calls } = routes(chat('c1', { name: 'Launch team' }), {
      [`PUT ${orgPath}/chats/c1/settings`]: (_req, body) => json(200, { ...chat('c1', { name: 'Launch team' }), ...(body as object) }),
    });
    renderAt('/messages/c1');
    const { user, panel } = await openInfo();
    await user.click(within(panel).getByRole('switch', { name: 'Mute notifications' }));
    await waitFor(() => expect(calls.find((x) => x.method === 'PUT' && x.path.endsWith('/chats/c1/settings'))?.body).toEqual({ muted: true }));
  });
});

describe('read receipts', () => {
  it('can be turned off from the chat list where the organisation allows it', async () => {
    const { calls } = routes(chat('c1'), {
      [`GET ${orgPath}/me/messaging`]: () => json(200, { send_read_receipts: true, allow_receipt_opt_out: true }),
      [`PUT ${orgPath}/me/messaging`]: (_req, body) => json(200, { ...(body as object), allow_receipt_opt_out: true }),
    });
    renderAt('/messages');
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await screen.findByRole('button', { name: 'Messaging settings' }));
    const toggle = await screen.findByRole('switch', { name: 'Send read receipts' });
    expect(toggle).toBeChecked();
    await user.click(toggle);
    await waitFor(() => expect(calls.find((x) => x.method === 'PUT' && x.path.endsWith('/me/messaging'))?.body).toEqual({ send_read_receipts: false }));
    await waitFor(() => expect(screen.getByRole('switch', { name: 'Send read receipts' })).not.toBeChecked());
  });

  it('are not offered where the organisation does not allow turning them off', async () => {
    const { calls } = routes(chat('c1'));
    renderAt('/messages');
    await screen.findAllByTestId('chat-item');
    await waitFor(() => expect(calls.some((x) => x.path.endsWith('/me/messaging'))).toBe(true));
    expect(screen.queryByTestId('chat-settings')).toBeNull();
  });
});

describe('a recalled last message', () => {
  it('shows as recalled in the chat list when the recall arrives live, in English and Chinese', async () => {
    const c = chat('c1', { name: 'Launch team', last_seq: 4, last_read_seq: 4, last_message: { seq: 4, sender_name: '张伟', excerpt: 'the plan', recalled: false, deleted: false, attachments: 0, created_at: '2025-03-03T02:00:00Z' } });
    routes(c);
    const client = renderAt('/messages');
    const row = (await screen.findAllByTestId('chat-item')).find((r) => r.getAttribute('data-chat-id') === 'c1')!;
    expect(within(row).getByTestId('chat-last')).toHaveTextContent('张伟: the plan');
    act(() => {
      applyEvent(client, {
        id: 1,
        type: 'messages.message_updated',
        org_id: ORG,
        actor_id: 'u-zhang',
        subject_type: 'chat',
        subject_id: 'c1',
        payload: { chat_id: 'c1', message_id: msg(4).id, seq: 4, kind: 'recalled', recalled: true },
        created_at: '2025-03-03T02:01:00Z',
      });
    });
    await waitFor(() => expect(within(row).getByTestId('chat-last')).toHaveTextContent('Message recalled'));
    expect(row).not.toHaveTextContent('the plan');
    await act(() => i18n.changeLanguage('zh-CN'));
    expect(within(row).getByTestId('chat-last')).toHaveTextContent('消息已撤回');
  });

  it('shows as recalled after a reload, as the server says', async () => {
    const base = { sender_name: '张伟', excerpt: '', deleted: false, created_at: '2025-03-03T02:00:00Z' };
    routes(chat('c1', { last_seq: 4, last_message: { ...base, seq: 4, recalled: true, attachments: 0 } }));
    renderAt('/messages');
    const rows = await screen.findAllByTestId('chat-item');
    expect(within(rows.find((r) => r.getAttribute('data-chat-id') === 'c1')!).getByTestId('chat-last')).toHaveTextContent('Message recalled');
  });

  it('shows a message of files alone by their count', async () => {
    routes(chat('c1', { last_seq: 4, last_message: { seq: 4, sender_name: '张伟', excerpt: '', recalled: false, deleted: false, attachments: 2, created_at: '2025-03-03T02:00:00Z' } }));
    renderAt('/messages');
    const rows = await screen.findAllByTestId('chat-item');
    expect(within(rows.find((r) => r.getAttribute('data-chat-id') === 'c1')!).getByTestId('chat-last')).toHaveTextContent('张伟: [2 files]');
  });
});
