import { TeamOutlined } from '@ant-design/icons';
import { Card, Empty, Pagination } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useGroups } from '../../api/queries';
import { useCurrentOrg } from '../../auth/OrgContext';
import { PageError, PageLoading } from '../../components/PageState';
import { SearchInput } from '../../components/SearchInput';
import { useDebouncedSearch } from '../../lib/useDebouncedSearch';
import { NoOrganisation } from '../NoOrganisation';
import { DirectoryHeader } from './DirectoryHeader';

const PAGE_SIZE = 20;

/** GroupsPage lists the organisation's groups (a guest sees only their own). */
export default function GroupsPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const [page, setPage] = useState(1);
  const { search, setSearch, q } = useDebouncedSearch(() => setPage(1));
  const groups = useGroups(org?.id, { q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  if (!org) return <NoOrganisation />;
  return (
    <>
      <DirectoryHeader org={org} />
      <Card>
        <div className="toolbar">
          <SearchInput label={t('groups.search')} value={search} onChange={setSearch} />
        </div>
        {groups.isPending ? (
          <PageLoading />
        ) : groups.isError ? (
          <PageError error={groups.error} onRetry={() => groups.refetch()} />
        ) : groups.data.items.length === 0 ? (
          <Empty description={q ? t('groups.noMatch') : t('groups.empty')} />
        ) : (
          <>
            <ul className="group-list" aria-busy={groups.isFetching}>
              {groups.data.items.map((g) => (
                <li key={g.id}>
                  <Link to={`/directory/groups/${g.id}`} className="group-link">
                    <span className="group-icon" aria-hidden>
                      <TeamOutlined />
                    </span>
                    <span className="group-text">
                      <span className="group-name">{g.name}</span>
                      {g.description && <span className="group-description">{g.description}</span>}
                    </span>
                    <span className="group-count">{t('groups.count', { count: g.member_count, cap: g.member_cap })}</span>
                  </Link>
                </li>
              ))}
            </ul>
            <Pagination
              className="list-pagination"
              size="small"
              current={page}
              pageSize={PAGE_SIZE}
              total={groups.data.total}
              onChange={setPage}
              hideOnSinglePage
              showSizeChanger={false}
            />
          </>
        )}
      </Card>
    </>
  );
}
