import { TreeSelect } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentOrg } from '../auth/OrgContext';
import { useDepartment } from '../api/queries';
import { pathName, useDepartmentTree } from './tree';

interface Props {
  value?: string | null;
  onChange?: (id: string | undefined) => void;
  placeholder?: string;
  allowClear?: boolean;
  /** Departments that cannot be chosen, with their subtrees (e.g. the one being moved). */
  exclude?: string[];
  id?: string;
  'aria-label'?: string;
  className?: string;
  disabled?: boolean;
}

/**
 * DepartmentPicker chooses a department from the tree, loading children as the user opens them.
 * A chosen department deep in an unopened part of the tree shows its path.
 */
export function DepartmentPicker({ value, onChange, placeholder, allowClear, exclude, id, className, disabled, ...rest }: Props) {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const tree = useDepartmentTree(org?.id);
  const selected = useDepartment(org?.id, value ?? undefined);
  const data = tree.nodes(
    (d) => d.name,
    exclude ? (d) => exclude.includes(d.id) : undefined,
  );
  const label = selected.data && selected.data.id === value ? pathName(selected.data) : tree.find(value ?? '')?.name;
  return (
    <TreeSelect
      // Remounted once the root is known, so it opens expanded.
      key={tree.root?.id ?? 'loading'}
      id={id}
      aria-label={rest['aria-label']}
      className={className}
      disabled={disabled}
      showSearch
      allowClear={allowClear}
      placeholder={placeholder ?? t('departments.choose')}
      treeNodeFilterProp="title"
      labelInValue
      value={value ? { value, label: label ?? t('common.loading') } : undefined}
      onChange={(v: { value: string; label?: ReactNode } | undefined) => onChange?.(v?.value)}
      treeData={data}
      treeDefaultExpandedKeys={tree.root ? [tree.root.id] : []}
      loadData={(node) => tree.load(String(node.key))}
      treeLoadedKeys={[...tree.childrenOf.keys()]}
      loading={tree.rootQuery.isPending}
      notFoundContent={tree.rootQuery.isError ? t('errors.loadFailed') : undefined}
      popupMatchSelectWidth={false}
      listHeight={320}
      fieldNames={{ label: 'title', value: 'key', children: 'children' }}
    />
  );
}
