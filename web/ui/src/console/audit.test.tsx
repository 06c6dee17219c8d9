import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath } from '../test/directoryData';
import { fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';
import { changedFields } from './AuditPage';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the audit log in words', () => {
  it('lists the fields a change made, from what to what', () => {
    expect(changedFields({ name: 'Web', sort_order: 1 }, { name: 'Web team', sort_order: 1 })).toEqual([{ field: 'name', before: 'Web', after: 'Web team' }]);
    expect(changedFields(null, { name: 'Design', members: ['a', 'b'] })).toEqual([
      { field: 'name', before: '—', after: 'Design' },
      { field: 'members', before: '—', after: '["a","b"]' },
    ]);
    expect(changedFields(null, null)).toEqual([]);
  });

  it('names every module’s actions, in both languages, and shows a change field by field', async () => {
    const entry = {
      id: 9,
      at: '2025-03-01T08:00:00Z',
      actor_id: 'u1',
      actor_name: 'Li Na',
      token_id: null,
      ip: '10.0.0.1',
      action: 'files.policy',
      target_type: 'org',
      target_id: 'o1',
      before: { min_retention_days: 3, links_allowed: true },
      after: { min_retention_days: 7, links_allowed: true },
    };
    fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/audit`]: () => json(200, { items: [entry, { ...entry, id: 8, action: 'tasks.list_share', before: null, after: null }] }),
    });
    renderAt('/console/audit');
    const row = (await screen.findByText('Files policy changed')).closest('tr')!;
    expect(screen.getByText('Task list shared')).toBeInTheDocument();
    await userEvent.setup({ delay: null, pointerEventsCheck: 0 }).click(within(row).getByRole('button', { name: /expand/i }));
    const changes = await screen.findByRole('table', { name: 'What changed' });
    expect(within(changes).getAllByRole('row')).toHaveLength(2); // the header and min_retention_days
    expect(within(changes).getByText('min_retention_days').closest('tr')).toHaveTextContent('min_retention_days37');

    await act(() => i18n.changeLanguage('zh-CN'));
    expect(await screen.findByText('修改文件策略')).toBeInTheDocument();
    expect(screen.getByText('共享任务清单')).toBeInTheDocument();
  });
});
