import { MailOutlined } from '@ant-design/icons';
import { Card, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { usePerson } from '../../api/queries';
import { useCurrentOrg } from '../../auth/OrgContext';
import { PageError, PageLoading } from '../../components/PageState';
import { PersonAvatar, PersonItem } from '../../directory/people';
import { useTitle } from '../../lib/hooks';
import { roleLabel } from '../../lib/labels';
import { NoOrganisation } from '../NoOrganisation';
import { DirectoryHeader } from './DirectoryHeader';

/** PersonPage is a person's card: their departments (primary first), groups and leaders. */
export default function PersonPage() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const { userID } = useParams();
  const person = usePerson(org?.id, userID);
  useTitle(person.data?.display_name ?? t('directory.person'));
  if (!org) return <NoOrganisation />;
  // Someone who leads their own primary department is not their own leader.
  const leaders = person.data?.leaders.filter((l) => l.user_id !== person.data.user_id) ?? [];
  return (
    <>
      <DirectoryHeader org={org} />
      {person.isPending ? (
        <PageLoading />
      ) : person.isError ? (
        <PageError error={person.error} onRetry={() => person.refetch()} />
      ) : (
        <div className="card-stack person-card">
          <Card>
            <div className="person-head">
              <PersonAvatar name={person.data.display_name} size={64} />
              <div>
                <h2 className="person-head-name">
                  {person.data.display_name}
                  {person.data.status === 'deactivated' && <Tag className="inline-tag">{t('status.deactivated')}</Tag>}
                </h2>
                <a href={`mailto:${person.data.email}`} className="person-head-email">
                  <MailOutlined aria-hidden /> {person.data.email}
                </a>
                <p className="person-head-role">{t('directory.role', { role: roleLabel(t, person.data.role) })}</p>
              </div>
            </div>
          </Card>
          <Card title={<h2>{t('directory.departments')}</h2>} size="small">
            {person.data.departments.length === 0 ? (
              <p className="muted">{t('directory.noDepartments')}</p>
            ) : (
              <ul className="link-list">
                {[...person.data.departments]
                  .sort((a, b) => Number(b.primary) - Number(a.primary))
                  .map((d) => (
                    <li key={d.id}>
                      <Link to={d.parent_id === null ? '/directory' : `/directory?dept=${d.id}`}>{(d.path_names.length > 1 ? d.path_names.slice(1) : d.path_names).join(' / ')}</Link>
                      <span className="link-list-extra">
                        {d.primary && <Tag color="green">{t('directory.primary')}</Tag>}
                        {d.leader && <Tag color="gold">{t('directory.leader')}</Tag>}
                      </span>
                    </li>
                  ))}
              </ul>
            )}
          </Card>
          <Card title={<h2>{t('directory.theirLeaders')}</h2>} size="small">
            {leaders.length === 0 ? (
              <p className="muted">{t('directory.noLeaders')}</p>
            ) : (
              <ul className="people-list">
                {leaders.map((p) => (
                  <PersonItem key={p.user_id} person={p} />
                ))}
              </ul>
            )}
          </Card>
          <Card title={<h2>{t('directory.groups')}</h2>} size="small">
            {person.data.groups.length === 0 ? (
              <p className="muted">{t('directory.noGroups')}</p>
            ) : (
              <ul className="link-list">
                {person.data.groups.map((g) => (
                  <li key={g.id}>
                    <Link to={`/directory/groups/${g.id}`}>{g.name}</Link>
                    {g.role === 'owner' && (
                      <span className="link-list-extra">
                        <Tag color="blue">{t('groups.owner')}</Tag>
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
