import type { Department, DepartmentView, Person } from '../api/client';

export const ORG = '00000000-0000-4000-8000-000000000100';
export const orgPath = `/api/v1/orgs/${ORG}`;
export const adminPath = `/api/v1/admin/orgs/${ORG}`;

export function dept(id: string, name: string, parent: string | null, extra: Partial<Department> = {}): Department {
  return { id, name, parent_id: parent, depth: parent ? 2 : 1, sort_order: 0, external_id: null, member_count: 0, child_count: 0, ...extra };
}

export function view(d: Department, ancestors: Department[] = [], leaders: Person[] = []): DepartmentView {
  return { ...d, ancestors, leaders };
}

export function person(id: string, name: string, email: string): Person {
  return { user_id: id, display_name: name, email, status: 'active', external_id: null };
}

export const root = dept('d-root', 'Acme', null, { child_count: 2 });
export const eng = dept('d-eng', 'Engineering', 'd-root', { child_count: 1, member_count: 1 });
export const sales = dept('d-sales', 'Sales', 'd-root', { sort_order: 1 });
export const backend = dept('d-backend', 'Backend', 'd-eng', { depth: 3 });
export const zhang = person('u-zhang', '张伟', 'wei.zhang@example.com');

/** children answers GET .../departments?parent_id= for the tree above. */
export function children(url: URL) {
  const parent = url.searchParams.get('parent_id');
  if (!parent) return { parent: view(root), items: [eng, sales] };
  if (parent === 'd-eng') return { parent: view(eng, [root]), items: [backend] };
  return { parent: view(parent === 'd-sales' ? sales : backend, [root]), items: [] };
}
