import { ApartmentOutlined, CrownOutlined, TeamOutlined } from '@ant-design/icons';
import { Breadcrumb, Card, Empty, Pagination, Radio, Tag, Tree } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import type { OrgMembership } from '../../api/client';
import { useChildren, useDepartment, useDepartmentMembers, useDirectorySearch, useMembers } from '../../api/queries';
import { useCurrentOrg } from '../../auth/OrgContext';
import { PageError, PageLoading } from '../../components/PageState';
import { PersonItem } from '../../directory/people';
import { useDepartmentTree } from '../../directory/tree';
import { useIsMobile } from '../../lib/useMediaQuery';
import { NoOrganisation } from '../NoOrganisation';
import { DirectoryHeader, canReadDirectory } from './DirectoryHeader';

const PAGE_SIZE = 20;

/** DirectoryPage browses the department tree and its members, or shows search results. */
export default function DirectoryPage() {
  const { org } = useCurrentOrg();
  const [params] = useSearchParams();
  if (!org) return <NoOrganisation />;
  if (!canReadDirectory(org)) return <Navigate to="/directory/groups" replace />;
  const q = params.get('q')?.trim() ?? '';
  return (
    <>
      <DirectoryHeader org={org} />
      {q ? <SearchResults orgID={org.id} q={q} /> : <Browse org={org} deptID={params.get('dept') ?? undefined} />}
    </>
  );
}

function Browse({ org, deptID }: { org: OrgMembership; deptID?: string }) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const tree = useDepartmentTree(org.id);
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const current = deptID ?? tree.root?.id;
  const currentView = useDepartment(org.id, current);
  const { load } = tree;

  // Open the tree down to the department shown, e.g. one found by searching.
  const ancestors = currentView.data?.ancestors.map((a) => a.id).join();
  useEffect(() => {
    if (!ancestors) return;
    const ids = ancestors.split(',');
    Promise.all(ids.map((id) => load(id)))
      .then(() => setExpanded((e) => [...new Set([...(e ?? []), ...ids])]))
      .catch(() => {});
  }, [ancestors, load]);

  if (tree.rootQuery.isPending) return <PageLoading />;
  if (tree.rootQuery.isError) return <PageError error={tree.rootQuery.error} onRetry={() => tree.rootQuery.refetch()} />;
  const root = tree.root!;
  const open = (id: string) => navigate(id === root.id ? '/directory' : `/directory?dept=${id}`);

  return (
    <div className={mobile ? 'directory-browse' : 'directory-browse directory-browse-wide'}>
      {!mobile && (
        <Card className="directory-tree-card" title={<h2>{t('directory.departments')}</h2>} size="small">
          <Tree
            blockNode
            showLine
            aria-label={t('directory.departmentTree')}
            treeData={tree.nodes((d) => d.name)}
            selectedKeys={current ? [current] : []}
            expandedKeys={expanded ?? [root.id]}
            onExpand={(keys) => setExpanded(keys.map(String))}
            loadData={(node) => tree.load(String(node.key))}
            loadedKeys={[...tree.childrenOf.keys()]}
            onSelect={(keys) => keys[0] && open(String(keys[0]))}
          />
        </Card>
      )}
      {current && <DepartmentPane orgID={org.id} id={current} mobile={mobile} onOpen={open} />}
    </div>
  );
}

type Scope = 'direct' | 'subtree' | 'everyone';

function DepartmentPane({ orgID, id, mobile, onOpen }: { orgID: string; id: string; mobile: boolean; onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const dept = useDepartment(orgID, id);
  const isRoot = dept.data?.parent_id === null;
  // At the top, everyone: people who are in no department yet are found there too.
  const [chosen, setChosen] = useState<Scope>();
  const scope: Scope = chosen ?? (isRoot ? 'everyone' : 'direct');
  const subtree = scope === 'subtree';
  const [page, setPage] = useState(1);
  const [forID, setForID] = useState(id);
  if (forID !== id) {
    // Another department: start at its first page.
    setForID(id);
    setPage(1);
    setChosen(undefined);
  }
  const children = useChildren(orgID, id, mobile);
  const inDepartment = useDepartmentMembers(scope === 'everyone' ? undefined : orgID, id, { subtree, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const everyone = useMembers(scope === 'everyone' ? orgID : undefined, { q: '', status: 'active', limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const members = scope === 'everyone' ? everyone : inDepartment;

  if (dept.isPending) return <Card className="directory-pane"><PageLoading /></Card>;
  if (dept.isError) return <Card className="directory-pane"><PageError error={dept.error} onRetry={() => dept.refetch()} /></Card>;
  const d = dept.data;
  const leaderIDs = new Set(d.leaders.map((l) => l.user_id));

  return (
    <Card className="directory-pane">
      {d.ancestors.length > 0 && (
        <Breadcrumb
          className="directory-breadcrumb"
          items={d.ancestors.map((a) => ({
            key: a.id,
            title: <Link to={a.parent_id === null ? '/directory' : `/directory?dept=${a.id}`}>{a.name}</Link>,
          }))}
        />
      )}
      <h2 className="department-title">
        <ApartmentOutlined aria-hidden /> {d.name}
      </h2>
      <p className="department-facts">
        {t('directory.facts', { members: d.member_count ?? 0, children: d.child_count ?? 0 })}
      </p>
      {d.leaders.length > 0 && (
        <section aria-label={t('directory.leaders')} className="department-leaders">
          <span className="department-leaders-label">
            <CrownOutlined aria-hidden /> {t('directory.leaders')}:
          </span>{' '}
          {d.leaders.map((l, i) => (
            <span key={l.user_id}>
              {i > 0 && ', '}
              <Link to={`/directory/people/${l.user_id}`}>{l.display_name}</Link>
            </span>
          ))}
        </section>
      )}

      {mobile && (children.data?.items.length ?? 0) > 0 && (
        <section className="subdepartments">
          <h3>{t('directory.subDepartments')}</h3>
          <ul className="subdepartment-list">
            {children.data!.items.map((c) => (
              <li key={c.id}>
                <button type="button" className="subdepartment-link" onClick={() => onOpen(c.id)}>
                  <ApartmentOutlined aria-hidden />
                  <span className="subdepartment-name">{c.name}</span>
                  <span className="subdepartment-count">{t('directory.peopleCount', { count: c.member_count ?? 0 })}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="department-members">
        <div className="section-head">
          <h3>
            <TeamOutlined aria-hidden /> {t('directory.members')}
            {members.data && <span className="section-count">{members.data.total}</span>}
          </h3>
          <div role="group" aria-label={t('directory.membersScope')}>
            <Radio.Group
              optionType="button"
              size="small"
              value={scope}
              onChange={(e) => {
                setChosen(e.target.value);
                setPage(1);
              }}
              options={[
                ...(isRoot ? [{ value: 'everyone', label: t('directory.everyone') }] : []),
                { value: 'direct', label: t('directory.direct') },
                { value: 'subtree', label: t('directory.subtree') },
              ]}
            />
          </div>
        </div>
        {members.isError ? (
          <PageError error={members.error} onRetry={() => members.refetch()} />
        ) : members.isPending ? (
          <PageLoading />
        ) : members.data.items.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={subtree ? t('directory.noMembersSubtree') : t('directory.noMembers')} />
        ) : (
          <>
            <ul className="people-list" aria-busy={members.isFetching}>
              {members.data.items.map((p) => (
                <PersonItem
                  key={p.user_id}
                  person={p}
                  extra={leaderIDs.has(p.user_id) && <Tag color="gold">{t('directory.leader')}</Tag>}
                />
              ))}
            </ul>
            <Pagination
              className="list-pagination"
              size="small"
              current={page}
              pageSize={PAGE_SIZE}
              total={members.data.total}
              onChange={setPage}
              hideOnSinglePage
              showSizeChanger={false}
            />
          </>
        )}
      </section>
    </Card>
  );
}

function SearchResults({ orgID, q }: { orgID: string; q: string }) {
  const { t } = useTranslation();
  const results = useDirectorySearch(orgID, q);
  if (results.isPending) return <PageLoading />;
  if (results.isError) return <PageError error={results.error} onRetry={() => results.refetch()} />;
  const { people, departments, groups } = results.data;
  if (people.length + departments.length + groups.length === 0) {
    return (
      <Card>
        <Empty description={t('directory.noResults', { q })} />
      </Card>
    );
  }
  return (
    <div className="card-stack search-results" aria-live="polite" aria-busy={results.isFetching}>
      {people.length > 0 && (
        <Card title={<h2>{t('directory.people')}</h2>} size="small">
          <ul className="people-list">
            {people.map((p) => (
              <PersonItem key={p.user_id} person={p} />
            ))}
          </ul>
        </Card>
      )}
      {departments.length > 0 && (
        <Card title={<h2>{t('directory.departments')}</h2>} size="small">
          <ul className="link-list">
            {departments.map((d) => (
              <li key={d.id}>
                <Link to={d.parent_id === null ? '/directory' : `/directory?dept=${d.id}`}>
                  <ApartmentOutlined aria-hidden /> {d.name}
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
      {groups.length > 0 && (
        <Card title={<h2>{t('directory.groups')}</h2>} size="small">
          <ul className="link-list">
            {groups.map((g) => (
              <li key={g.id}>
                <Link to={`/directory/groups/${g.id}`}>
                  <TeamOutlined aria-hidden /> {g.name}
                </Link>
                <span className="link-list-extra">{t('groups.count', { count: g.member_count, cap: g.member_cap })}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
