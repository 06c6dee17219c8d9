import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { OrgMembership } from '../api/client';
import { useMe } from '../api/queries';

// The selected organisation's id is not a secret, so it is remembered in localStorage.
const STORAGE_KEY = 'canopy.org';

interface OrgState {
  /** The organisations the user is an active member of. */
  orgs: OrgMembership[];
  /** The selected organisation: the remembered one, else the first. */
  org: OrgMembership | undefined;
  setOrgID: (id: string) => void;
}

const OrgContext = createContext<OrgState>({ orgs: [], org: undefined, setOrgID: () => {} });

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function OrgProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const [selected, setSelected] = useState<string | null>(stored);
  const setOrgID = useCallback((id: string) => {
    setSelected(id);
    try {
      localStorage.setItem(STORAGE_KEY, id);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  const value = useMemo(() => {
    const orgs = (me.data?.organisations ?? []).filter((o) => o.status === 'active');
    return { orgs, org: orgs.find((o) => o.id === selected) ?? orgs[0], setOrgID };
  }, [me.data, selected, setOrgID]);
  return <OrgContext.Provider value={value}>{children}</OrgContext.Provider>;
}

/** useCurrentOrg is the selected organisation and the way to switch. */
export function useCurrentOrg(): OrgState {
  return useContext(OrgContext);
}
