import { SearchOutlined } from '@ant-design/icons';
import { Input, Tabs } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import type { OrgMembership } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';

/** canReadDirectory: guests see only their groups; the tree, people and search need directory.read. */
export function canReadDirectory(org: OrgMembership): boolean {
  return org.role !== 'guest';
}

/**
 * DirectoryHeader is the top of every directory page: the title, the search box (people,
 * departments and groups by name, email or pinyin) and the tabs.
 */
export function DirectoryHeader({ org, title }: { org: OrgMembership; title?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const urlQ = location.pathname === '/directory' ? (params.get('q') ?? '') : '';
  const [search, setSearch] = useState(urlQ);
  const typed = useRef(false);

  // Follow the address when it changes from elsewhere (back button, a link).
  useEffect(() => {
    if (!typed.current) setSearch(urlQ);
    typed.current = false;
  }, [urlQ]);

  // Search as the user types, once they pause.
  useEffect(() => {
    const q = search.trim();
    if (q === urlQ) return;
    const timer = window.setTimeout(() => {
      typed.current = true;
      navigate(q ? `/directory?q=${encodeURIComponent(q)}` : '/directory', { replace: location.pathname === '/directory' && !!urlQ });
    }, 300);
    return () => window.clearTimeout(timer);
  }, [search, urlQ, navigate, location.pathname]);

  const readable = canReadDirectory(org);
  const tab = location.pathname.startsWith('/directory/groups') ? 'groups' : location.pathname.startsWith('/directory/people') ? '' : 'departments';
  return (
    <>
      <PageHeader title={title ?? t('nav.directory')} description={org.name} />
      {readable && (
        <Input
          allowClear
          size="large"
          type="search"
          prefix={<SearchOutlined aria-hidden />}
          placeholder={t('directory.searchPlaceholder')}
          aria-label={t('directory.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="directory-search"
        />
      )}
      <Tabs
        className="directory-tabs"
        activeKey={urlQ ? '' : tab}
        onChange={(key) => navigate(key === 'groups' ? '/directory/groups' : '/directory')}
        items={[
          ...(readable ? [{ key: 'departments', label: t('directory.departments') }] : []),
          { key: 'groups', label: t('directory.groups') },
        ]}
      />
    </>
  );
}
