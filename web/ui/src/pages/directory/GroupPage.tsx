import { ApartmentOutlined } from '@ant-design/icons';
import { Card, Empty, Pagination, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useDepartment, useGroup, useGroupMembers } from '../../api/queries';
import { useCurrentOrg } from '../../auth/OrgContext';
import { PageError, PageLoading } from '../../components/PageState';
import { PersonItem } from '../../directory/people';
import { pathName } from '../../directory/tree';
import { useTitle } from '../../lib/hooks';
import { NoOrganisation } from '../NoOrganisation';
import { DirectoryHeader } from './DirectoryHeader';

const PAGE_SIZE = 20;

/** GroupPage shows a group and its members, owners first. */
export default function GroupPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const { groupID } = useParams();
  const [page, setPage] = useState(1);
  const group = useGroup(org?.id, groupID);
  const members = useGroupMembers(org?.id, groupID, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const dept = useDepartment(org?.id, group.data?.department_id ?? undefined);
  useTitle(group.data?.name ?? t('directory.groups'));
  if (!org) return <NoOrganisation />;
  return (
    <>
      <DirectoryHeader org={org} />
      {group.isPending ? (
        <PageLoading />
      ) : group.isError ? (
        <PageError error={group.error} onRetry={() => group.refetch()} />
      ) : (
        <Card>
          <h2 className="department-title">{group.data.name}</h2>
          {group.data.description && <p className="group-page-description">{group.data.description}</p>}
          <p className="department-facts">
            {t('groups.count', { count: group.data.member_count, cap: group.data.member_cap })}
            {group.data.department_id && dept.data && (
              <>
                {' · '}
                <Link to={`/directory?dept=${dept.data.id}`}>
                  <ApartmentOutlined aria-hidden /> {pathName(dept.data)}
                </Link>
              </>
            )}
          </p>
          <h3 className="section-title">{t('directory.members')}</h3>
          {members.isPending ? (
            <PageLoading />
          ) : members.isError ? (
            <PageError error={members.error} onRetry={() => members.refetch()} />
          ) : members.data.items.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('groups.noMembers')} />
          ) : (
            <>
              <ul className="people-list">
                {members.data.items.map((m) => (
                  <PersonItem key={m.user_id} person={m} extra={m.role === 'owner' && <Tag color="blue">{t('groups.owner')}</Tag>} />
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
        </Card>
      )}
    </>
  );
}
