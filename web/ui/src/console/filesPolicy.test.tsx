import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FilesPolicy, Space } from '../files/api';
import { fromForm, toForm } from './FilesPolicyPage';
import i18n from '../i18n';
import { ORG, adminPath, orgPath } from '../test/directoryData';
import { BASE_MEMBER_PERMISSIONS, apiError, fakeApi, heldPermissions, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';

const GIB = 1024 ** 3;

const policy: FilesPolicy = {
  min_retention_days: 3,
  max_retention_days: 0,
  quota_bytes: 10 * GIB,
  links_allowed: true,
  max_link_expiry_days: 0,
  link_password_required: false,
  trash_days: 30,
  used_bytes: 2.5 * GIB,
};

const deptSpace: Space = {
  id: 'sp-eng',
  kind: 'department',
  owner_id: 'd-eng',
  name: 'Engineering',
  min_retention_days: 0,
  max_retention_days: 0,
  quota_bytes: 0,
  used_bytes: 1024,
  effective_min_retention_days: 3,
  legal_hold: false,
  access: 'manage',
  can_write: true,
  can_manage: true,
};

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the files policy in the console', () => {
  it('converts the quota between bytes and GB both ways', () => {
    expect(toForm(policy).quota_gib).toBe(10);
    expect(fromForm({ ...toForm(policy), quota_gib: 1.5 }).quota_bytes).toBe(1.5 * GIB);
  });

  it('shows the organisation’s usage and saves its retention floor', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${adminPath}/files/policy`]: () => json(200, policy),
      [`PUT ${adminPath}/files/policy`]: (_req, body) => json(200, { ...policy, ...(body as object) }),
      [`GET ${adminPath}/spaces`]: () => json(200, { items: [deptSpace], total: 1 }),
      [`GET ${orgPath}/holds`]: () =>
        json(200, { items: [{ target_type: 'folder', target_id: 'fo-1', name: 'Contracts', set_by: 'u1', set_at: '2030-05-01T00:00:00Z' }] }),
    });
    renderAt('/console/files');
    expect(await screen.findByRole('heading', { name: 'Files policy', level: 1 })).toBeInTheDocument();
    expect(await screen.findByText('2.5 GB of 10 GB used')).toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const min = screen.getByLabelText('Minimum retention');
    await user.clear(min);
    await user.type(min, '7');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({
      min_retention_days: 7,
      max_retention_days: 0,
      quota_bytes: 10 * GIB,
      links_allowed: true,
      max_link_expiry_days: 0,
      link_password_required: false,
      trash_days: 30,
    });
    // The department's space and the legal hold are listed.
    expect(within(await screen.findByRole('table', { name: 'Department and group spaces' })).getByText('Engineering')).toBeInTheDocument();
    expect(within(screen.getByRole('table', { name: 'Legal holds' })).getByText('Contracts')).toBeInTheDocument();
  });

  it('lets a department admin set their spaces’ policy without the organisation’s', async () => {
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me({ role: 'member' })),
      [`GET ${orgPath}/me/permissions`]: () => heldPermissions(...BASE_MEMBER_PERMISSIONS, 'files.manage@d-eng'),
      [`GET ${adminPath}/files/policy`]: () => apiError(403, 'forbidden', 'no'),
      [`GET ${adminPath}/spaces`]: () => json(200, { items: [deptSpace], total: 1 }),
      [`GET ${adminPath}/spaces/sp-eng/policy`]: () =>
        json(200, { min_retention_days: 0, max_retention_days: 0, quota_bytes: 0, links_allowed: true, max_link_expiry_days: 0, link_password_required: false }),
      [`PUT ${adminPath}/spaces/sp-eng/policy`]: (_req, body) => json(200, body),
      [`GET ${orgPath}/holds`]: () => apiError(403, 'forbidden', 'no'),
    });
    renderAt('/console/files');
    const table = await screen.findByRole('table', { name: 'Department and group spaces' });
    expect(screen.queryByRole('heading', { name: 'Organisation' })).not.toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.click(await within(table).findByRole('button', { name: 'Edit the policy of Engineering' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(await within(dialog).findByRole('switch', { name: 'Links need a password' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')).toMatchObject({
      path: `/api/v1/admin/orgs/${ORG}/spaces/sp-eng/policy`,
      body: { link_password_required: true, min_retention_days: 0 },
    });
  });
});
