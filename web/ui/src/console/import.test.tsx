import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { adminPath } from '../test/directoryData';
import { fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await act(() => i18n.changeLanguage('en'));
});

const job = {
  id: 'j1', format: 'xlsx', status: 'done', total_rows: 2, processed_rows: 2, applied_rows: 1, failed_rows: 1, created_rows: 1, updated_rows: 0,
  unchanged_rows: 0, invited_rows: 0, failure: null, created_by: 'u1', created_at: '2025-03-01T00:00:00Z', started_at: '2025-03-01T00:00:00Z',
  finished_at: '2025-03-01T00:01:00Z',
  issues: { items: [{ row: 3, kind: 'user', external_id: 'E2', code: 'invalid_email', message: 'email must be a valid address' }], total: 1, truncated: false },
};

function importPage() {
  return fakeApi({
    'GET /api/v1/me': () => json(200, me()),
    [`GET ${adminPath}/imports`]: () => json(200, { items: [], total: 0 }),
    [`POST ${adminPath}/imports`]: () => json(202, { ...job, status: 'queued', processed_rows: 0, issues: undefined }),
    [`GET ${adminPath}/imports/j1`]: () => json(200, job),
    [`GET ${adminPath}/activation-links`]: () => json(200, { items: [] }),
  });
}

async function fileInput() {
  return waitFor(() => {
    const el = document.querySelector<HTMLInputElement>('input[type="file"]');
    if (!el) throw new Error('no file input yet');
    return el;
  });
}

describe('the import page with Excel', () => {
  it('uploads an .xlsx workbook as one, and reports the failed row by its Excel row number', async () => {
    const { calls } = importPage();
    renderAt('/console/import');
    const input = await fileInput();
    expect(input.accept).toContain('.xlsx');
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    await user.upload(input, new File([bytes], '员工.xlsx', { type: XLSX }));
    expect(screen.getByText('员工.xlsx')).toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Start import' }));
    expect(await screen.findByText(/email must be a valid address/, {}, { timeout: 10000 })).toBeInTheDocument();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.headers.get('Content-Type')).toBe(XLSX);
    expect(post.path).toBe(`${adminPath}/imports`);
    const row = screen.getByText('invalid_email').closest('tr')!;
    expect(row.querySelector('td')!.textContent).toBe('3');
  });

  it('offers the template in the console language, and the exports', async () => {
    importPage();
    renderAt('/console/import');
    expect(await screen.findByRole('link', { name: 'Download template (Excel)' })).toHaveAttribute('href', `${adminPath}/imports/template?format=xlsx&lang=en`);
    expect(screen.getByRole('link', { name: 'Download template (CSV)' })).toHaveAttribute('href', `${adminPath}/imports/template?format=csv&lang=en`);
    expect(screen.getByRole('link', { name: 'People (Excel)' })).toHaveAttribute('href', `${adminPath}/people/export?format=xlsx`);
    expect(screen.getByRole('link', { name: 'People (CSV)' })).toHaveAttribute('href', `${adminPath}/people/export?format=csv`);
    expect(screen.getByRole('link', { name: 'Departments (Excel)' })).toHaveAttribute('href', `${adminPath}/departments/export?format=xlsx`);
    expect(screen.getByRole('link', { name: 'Departments (CSV)' })).toHaveAttribute('href', `${adminPath}/departments/export?format=csv`);

    await act(() => i18n.changeLanguage('zh-CN'));
    expect(await screen.findByRole('link', { name: '下载模板（Excel）' })).toHaveAttribute('href', `${adminPath}/imports/template?format=xlsx&lang=zh-CN`);
    expect(screen.getByRole('link', { name: '下载模板（CSV）' })).toHaveAttribute('href', `${adminPath}/imports/template?format=csv&lang=zh-CN`);
    expect(screen.getByRole('link', { name: '成员（Excel）' })).toHaveAttribute('href', `${adminPath}/people/export?format=xlsx`);
    expect(screen.getByRole('link', { name: '部门（CSV）' })).toHaveAttribute('href', `${adminPath}/departments/export?format=csv`);
  });

  it('still refuses a file it cannot send', async () => {
    const { calls } = importPage();
    renderAt('/console/import');
    const input = await fileInput();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0, applyAccept: false });
    await user.upload(input, new File(['x'], 'old.xls', { type: 'application/vnd.ms-excel' }));
    await user.click(await screen.findByRole('button', { name: 'Start import' }));
    expect(await screen.findByRole('alert')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
