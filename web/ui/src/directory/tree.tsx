import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { Department, DepartmentView } from '../api/client';
import { ROOT, childrenQuery, useChildren } from '../api/queries';

/** pathName is a department's place in the tree, below the root: "Engineering / Backend". */
export function pathName(d: Pick<DepartmentView, 'name' | 'ancestors' | 'parent_id'>): string {
  if (d.parent_id === null) return d.name;
  return [...d.ancestors.slice(1).map((a) => a.name), d.name].join(' / ');
}

export interface TreeNode {
  key: string;
  title: ReactNode;
  isLeaf: boolean;
  children?: TreeNode[];
  disabled?: boolean;
  department: Department;
}

export interface DepartmentTree {
  /** The root department (named after the organisation), once loaded. */
  root: Department | undefined;
  rootQuery: ReturnType<typeof useChildren>;
  /** The loaded children of each department, by its id. */
  childrenOf: Map<string, Department[]>;
  /** load fetches a department's children into the tree. */
  load: (id: string) => Promise<void>;
  /** parentOf finds a loaded department's parent id. */
  parentOf: (id: string) => string | null | undefined;
  find: (id: string) => Department | undefined;
  /** nodes builds the tree from the root, for antd Tree or TreeSelect. */
  nodes: (render: (d: Department) => ReactNode, disabled?: (d: Department) => boolean) => TreeNode[];
}

/**
 * useDepartmentTree holds the part of the department tree that has been opened: the root and
 * the children of every department expanded so far, each a cached query, so a change anywhere
 * (invalidating the directory) refreshes exactly what is shown.
 */
export function useDepartmentTree(orgID: string | undefined): DepartmentTree {
  const client = useQueryClient();
  const rootQuery = useChildren(orgID, ROOT);
  const [loaded, setLoaded] = useState<string[]>([]);
  const rootID = rootQuery.data?.parent.id;
  const results = useQueries({
    queries: loaded.filter((id) => id !== rootID).map((id) => ({ ...childrenQuery(orgID ?? '', id), enabled: !!orgID })),
  });

  const dataKey = results.map((r) => r.dataUpdatedAt).join();
  const childrenOf = useMemo(() => {
    const m = new Map<string, Department[]>();
    if (rootQuery.data) m.set(rootQuery.data.parent.id, rootQuery.data.items);
    for (const r of results) if (r.data) m.set(r.data.parent.id, r.data.items);
    return m;
    // results changes identity on every render; its data changes only with dataKey.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rootQuery.data, dataKey]);

  const load = useCallback(
    async (id: string) => {
      if (!orgID || id === rootID) return;
      await client.ensureQueryData(childrenQuery(orgID, id));
      setLoaded((l) => (l.includes(id) ? l : [...l, id]));
    },
    [client, orgID, rootID],
  );

  const index = useMemo(() => {
    const byID = new Map<string, Department>();
    if (rootQuery.data) byID.set(rootQuery.data.parent.id, rootQuery.data.parent);
    for (const list of childrenOf.values()) for (const d of list) byID.set(d.id, d);
    return byID;
  }, [childrenOf, rootQuery.data]);

  const nodes = useCallback(
    (render: (d: Department) => ReactNode, disabled?: (d: Department) => boolean): TreeNode[] => {
      const root = rootQuery.data?.parent;
      if (!root) return [];
      const build = (d: Department, parentDisabled: boolean): TreeNode => {
        const off = parentDisabled || (disabled?.(d) ?? false);
        const kids = childrenOf.get(d.id);
        return {
          key: d.id,
          title: render(d),
          isLeaf: kids ? kids.length === 0 : (d.child_count ?? 0) === 0,
          children: kids?.map((k) => build(k, off)),
          disabled: off || undefined,
          department: d,
        };
      };
      return [build(root, false)];
    },
    [childrenOf, rootQuery.data],
  );

  return {
    root: rootQuery.data?.parent,
    rootQuery,
    childrenOf,
    load,
    parentOf: (id) => index.get(id)?.parent_id,
    find: (id) => index.get(id),
    nodes,
  };
}
