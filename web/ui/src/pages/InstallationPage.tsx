import { CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, List, Result, Table, Tabs, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, unwrap, type AssignedDomain, type InstallationAccount, type InstallationOrg } from '../api/client';
import { keys, useInstallationAccounts, useInstallationOrgs, useMe } from '../api/queries';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { SearchInput } from '../components/SearchInput';
import { FormDialog } from '../console/shared/FormDialog';
import { MemberCell } from '../console/shared/MemberTable';
import { normaliseDomain } from '../lib/domain';
import { useFormat } from '../lib/hooks';
import { useAction } from '../lib/useAction';
import { useDebouncedSearch } from '../lib/useDebouncedSearch';

const PAGE_SIZE = 20;

/** AssignedNote is what an assignment did: who the organisation manages now, and whose password others may know. */
interface AssignedNote {
  org: string;
  result: AssignedDomain;
}

/**
 * InstallationPage is for the people who run the installation (installation_admin on /me): every
 * organisation with the email domains assigned to it, and assigning or taking away a domain (an
 * organisation manages the accounts in its domains, docs/accounts.md); and every account, to
 * find one and disable or enable it.
 */
export default function InstallationPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  if (!me.data?.user.installation_admin) {
    return (
      <>
        <PageHeader title={t('installation.title')} />
        <Result
          status="403"
          title={<h2 className="result-title">{t('installation.forbiddenTitle')}</h2>}
          subTitle={t('installation.forbiddenText')}
          extra={
            <Button type="primary" onClick={() => navigate('/')}>
              {t('nav.app')}
            </Button>
          }
        />
      </>
    );
  }
  return (
    <>
      <PageHeader title={t('installation.title')} description={t('installation.description')} />
      <Tabs
        items={[
          { key: 'orgs', label: t('installation.tabOrganisations'), children: <Organisations /> },
          { key: 'people', label: t('installation.tabPeople'), children: <People /> },
        ]}
      />
    </>
  );
}

function Organisations() {
  const { t } = useTranslation();
  const orgs = useInstallationOrgs();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [assigning, setAssigning] = useState<InstallationOrg>();
  const [note, setNote] = useState<AssignedNote>();
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const items = orgs.data?.items ?? [];
    if (!needle) return items;
    return items.filter((o) => o.name.toLowerCase().includes(needle) || o.domains.some((d) => d.domain.includes(needle)));
  }, [orgs.data, q]);

  if (orgs.isPending) return <PageLoading />;
  if (orgs.isError) return <PageError error={orgs.error} onRetry={() => orgs.refetch()} />;

  return (
    <>
      {note && <AssignedAlert note={note} onClose={() => setNote(undefined)} />}
      <div className="toolbar">
        <SearchInput
          label={t('installation.search')}
          value={q}
          onChange={(value) => {
            setQ(value);
            setPage(1);
          }}
        />
      </div>
      <List<InstallationOrg>
        className="installation-orgs"
        dataSource={shown}
        locale={{ emptyText: q ? t('installation.noMatch') : t('installation.empty') }}
        pagination={shown.length > PAGE_SIZE ? { current: page, pageSize: PAGE_SIZE, onChange: setPage, showSizeChanger: false, size: 'small' } : false}
        renderItem={(org) => (
          <List.Item key={org.id}>
            <OrgCard org={org} onAssign={() => setAssigning(org)} />
          </List.Item>
        )}
      />
      {assigning && (
        <AssignDialog
          org={assigning}
          onClose={() => setAssigning(undefined)}
          onAssigned={(result) => setNote({ org: assigning.name, result })}
        />
      )}
    </>
  );
}

/**
 * People is every account of the installation, searched on the server by name or email, with
 * disabling and enabling after a confirmation. Installation admins cannot disable themselves.
 */
function People() {
  const { t } = useTranslation();
  const format = useFormat();
  const me = useMe();
  const queryClient = useQueryClient();
  const { confirm } = useAction();
  const [page, setPage] = useState(1);
  const { search, setSearch, q } = useDebouncedSearch(() => setPage(1));
  const accounts = useInstallationAccounts({ q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const selfID = me.data?.user.id;

  const change = (a: InstallationAccount, disable: boolean) => {
    const name = a.display_name;
    confirm({
      title: disable ? t('installation.disableTitle', { name }) : t('installation.enableTitle', { name }),
      content: disable ? t('installation.disableConfirm', { email: a.email }) : t('installation.enableConfirm', { email: a.email }),
      okText: disable ? t('installation.disable') : t('installation.enable'),
      danger: disable,
      success: disable ? t('installation.disabled', { name }) : t('installation.enabled', { name }),
      run: () =>
        unwrap(
          disable
            ? api.POST('/api/v1/installation/users/{userID}/disable', { params: { path: { userID: a.id } } })
            : api.POST('/api/v1/installation/users/{userID}/enable', { params: { path: { userID: a.id } } }),
        ),
      refresh: () => queryClient.invalidateQueries({ queryKey: keys.installationAccounts }),
    });
  };

  // The search box stays when the server refuses a query (one too long, say), so it can be edited.
  return (
    <>
      <p className="card-intro">{t('installation.peopleIntro')}</p>
      <div className="toolbar">
        <SearchInput label={t('installation.peopleSearch')} value={search} onChange={setSearch} />
      </div>
      {accounts.isError ? (
        <PageError error={accounts.error} onRetry={() => accounts.refetch()} />
      ) : (
        <Table<InstallationAccount>
          rowKey="id"
          className="installation-people"
          loading={accounts.isPending}
          dataSource={accounts.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: q ? t('installation.peopleNoMatch') : t('installation.peopleEmpty') }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: accounts.data?.total ?? 0,
            onChange: setPage,
            hideOnSinglePage: true,
            showSizeChanger: false,
            showTotal: (total) => t('installation.peopleTotal', { total }),
          }}
          columns={[
            {
              title: t('members.name'),
              key: 'name',
              render: (_, a) => (
                <MemberCell
                  name={a.display_name}
                  email={a.email}
                  tags={
                    <>
                      {a.id === selfID && <Tag className="you-tag">{t('members.you')}</Tag>}
                      {a.installation_admin && (
                        <Tag color="blue" className="name-tag">
                          {t('installation.installationAdmin')}
                        </Tag>
                      )}
                    </>
                  }
                />
              ),
            },
            {
              title: t('members.status'),
              key: 'status',
              render: (_, a) =>
                a.status === 'active' ? <Tag color="green">{t('installation.accountActive')}</Tag> : <Tag color="red">{t('installation.accountDisabled')}</Tag>,
            },
            { title: t('installation.created'), key: 'created', render: (_, a) => format.date(a.created_at), responsive: ['md'] },
            {
              title: <span className="visually-hidden">{t('common.actions')}</span>,
              key: 'actions',
              render: (_, a) =>
                a.status === 'active' ? (
                  a.id !== selfID && (
                    <Button size="small" danger onClick={() => change(a, true)} aria-label={t('installation.disableNamed', { name: a.display_name })}>
                      {t('installation.disable')}
                    </Button>
                  )
                ) : (
                  <Button size="small" onClick={() => change(a, false)} aria-label={t('installation.enableNamed', { name: a.display_name })}>
                    {t('installation.enable')}
                  </Button>
                ),
            },
          ]}
        />
      )}
    </>
  );
}

function OrgCard({ org, onAssign }: { org: InstallationOrg; onAssign: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const queryClient = useQueryClient();
  const { confirm } = useAction();
  const remove = (domain: string) =>
    confirm({
      title: t('installation.removeTitle', { domain, org: org.name }),
      content: t('installation.removeConfirm', { org: org.name }),
      okText: t('installation.remove'),
      success: t('installation.removed', { domain, org: org.name }),
      run: () =>
        unwrap(api.DELETE('/api/v1/installation/orgs/{orgID}/domains/{domain}', { params: { path: { orgID: org.id, domain } } })),
      refresh: () => queryClient.invalidateQueries({ queryKey: keys.installationOrgs }),
    });

  return (
    <Card
      size="small"
      className="installation-org"
      title={<h2 className="installation-org-name">{org.name}</h2>}
      extra={
        <Button size="small" icon={<PlusOutlined aria-hidden />} onClick={onAssign} aria-label={t('installation.assignNamed', { org: org.name })}>
          {t('installation.assign')}
        </Button>
      }
    >
      <dl className="installation-facts">
        <dt>{t('installation.domains')}</dt>
        <dd>
          {org.domains.length === 0 ? (
            <span className="muted">{t('installation.noDomains')}</span>
          ) : (
            <ul className="domain-list">
              {org.domains.map((d) => (
                <li key={d.domain}>
                  <Tag className="domain-tag">
                    <span>{d.domain}</span>
                    <Button
                      type="text"
                      size="small"
                      className="domain-remove"
                      icon={<CloseOutlined aria-hidden />}
                      aria-label={t('installation.removeNamed', { domain: d.domain, org: org.name })}
                      onClick={() => remove(d.domain)}
                    />
                  </Tag>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t('installation.created')}</dt>
        <dd>{format.date(org.created_at)}</dd>
        <dt>{t('installation.id')}</dt>
        <dd>
          <code className="installation-id">{org.id}</code>
        </dd>
      </dl>
    </Card>
  );
}

function AssignDialog({ org, onClose, onAssigned }: { org: InstallationOrg; onClose: () => void; onAssigned: (r: AssignedDomain) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  return (
    <FormDialog<{ domain: string }>
      name="assign-domain"
      title={t('installation.assignTitle', { org: org.name })}
      okText={t('installation.assign')}
      onClose={onClose}
      onSubmit={async ({ domain }) => {
        const result = await unwrap(
          api.POST('/api/v1/installation/orgs/{orgID}/domains', { params: { path: { orgID: org.id } }, body: { domain: normaliseDomain(domain) ?? domain } }),
        );
        await queryClient.invalidateQueries({ queryKey: keys.installationOrgs });
        onAssigned(result);
      }}
    >
      <p className="card-intro">{t('installation.assignText', { org: org.name })}</p>
      <Form.Item
        label={t('installation.domain')}
        name="domain"
        extra={t('installation.domainHelp')}
        rules={[
          { required: true, whitespace: true, message: t('validation.required') },
          {
            validator: (_, value: string | undefined) =>
              !value?.trim() || normaliseDomain(value) ? Promise.resolve() : Promise.reject(new Error(t('installation.domainInvalid'))),
          },
        ]}
      >
        <Input autoFocus autoCapitalize="none" autoCorrect="off" spellCheck={false} inputMode="url" placeholder="acme.com" />
      </Form.Item>
    </FormDialog>
  );
}

/** AssignedAlert says what an assignment did, and warns about accounts someone else may know the password of. */
function AssignedAlert({ note, onClose }: { note: AssignedNote; onClose: () => void }) {
  const { t } = useTranslation();
  const { result, org } = note;
  const warn = result.accounts_created_elsewhere > 0;
  return (
    <Alert
      type={warn ? 'warning' : 'success'}
      showIcon
      closable
      onClose={onClose}
      role="status"
      className="form-alert"
      message={t('installation.assigned', { domain: result.domain, org })}
      description={
        <>
          <p className="alert-line">{t('installation.existing', { count: result.existing_accounts, org })}</p>
          {warn && <p className="alert-line">{t('installation.elsewhere', { count: result.accounts_created_elsewhere, org })}</p>}
        </>
      }
    />
  );
}
