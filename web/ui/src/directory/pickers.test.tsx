import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { orgPath, zhang } from '../test/directoryData';
import { fakeApi, json, me } from '../test/fakeApi';
import { renderAt } from '../test/render';
import { PersonOption } from './PersonOption';

beforeEach(async () => {
  await act(() => i18n.changeLanguage('en'));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const wei = {
  user_id: 'u-wei',
  email: 'wei@example.com',
  display_name: '张伟',
  role: 'member',
  status: 'active',
  joined_at: '2025-01-01T00:00:00Z',
  activation_pending: false,
  employee_number: 'E-1001',
  primary_department: { id: 'd-backend', name: '后端组' },
};

describe('PersonOption', () => {
  it('shows the name with the department beside it, then the email and employee number', () => {
    const { container } = render(<PersonOption person={wei} />);
    expect(container.querySelector('.person-option-name')).toHaveTextContent('张伟');
    expect(container.querySelector('.person-option-dept')).toHaveTextContent('后端组');
    expect(container.querySelector('.person-option-email')).toHaveTextContent('wei@example.com');
    expect(container.querySelector('.person-option-number')).toHaveTextContent('E-1001');
    expect(container.querySelector('.person-option-number')).toHaveAttribute('title', 'Employee number');
  });

  it('leaves out the department and number a person does not have', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const { container } = render(<PersonOption person={{ display_name: 'Lin Na', email: 'lin@example.com', employee_number: null, primary_department: null }} />);
    expect(container.querySelector('.person-option-name')).toHaveTextContent('Lin Na');
    expect(container.querySelector('.person-option-dept')).toBeNull();
    expect(container.querySelector('.person-option-number')).toBeNull();
  });
});

describe('the member picker', () => {
  it('asks the server for what is typed (an employee number too) and offers each person with their department', async () => {
    const group = { id: 'g1', name: 'Payments guild', description: '', department_id: null, external_id: null, member_cap: 1000, member_count: 1, created_at: '2025-01-01T00:00:00Z' };
    const { calls } = fakeApi({
      'GET /api/v1/me': () => json(200, me()),
      [`GET ${orgPath}/groups/g1`]: () => json(200, group),
      [`GET ${orgPath}/groups/g1/members`]: () => json(200, { items: [{ ...zhang, role: 'owner', added_at: '2025-01-01T00:00:00Z' }], total: 1 }),
      [`GET ${orgPath}/members`]: (req) => {
        const q = new URL(req.url).searchParams.get('q') ?? '';
        return json(200, q === '' || q.toLowerCase().startsWith('e-1') ? { items: [wei], total: 1 } : { items: [], total: 0 });
      },
    });
    renderAt('/console/groups/g1');
    expect(await screen.findByRole('heading', { name: 'Payments guild', level: 1 })).toBeInTheDocument();
    const user = userEvent.setup({ delay: null, pointerEventsCheck: 0 });
    const picker = screen.getByRole('combobox', { name: 'Find a member to add' });
    await user.click(picker);
    await user.type(picker, 'e-10');
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'GET' && c.path.startsWith(`${orgPath}/members?`) && new URL(c.path, 'http://x').searchParams.get('q') === 'e-10')).toBe(true),
    );
    const name = await screen.findByText('张伟', { selector: '.person-option-name' });
    const option = name.closest('.person-option')!;
    expect(option.querySelector('.person-option-dept')).toHaveTextContent('后端组');
    expect(option.querySelector('.person-option-email')).toHaveTextContent('wei@example.com');
    expect(option.querySelector('.person-option-number')).toHaveTextContent('E-1001');
    // The picked person reads as name and email in the box, and may be added.
    await user.click(name);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Add' })).toBeEnabled());
    expect(document.querySelector('.add-member-bar .ant-select-selection-item')).toHaveTextContent('张伟 <wei@example.com>');
  });
});
