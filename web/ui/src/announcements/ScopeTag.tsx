import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Scope } from './api';

/** ScopeTag names who an announcement is for: the organisation, a department subtree or a group. */
export function ScopeTag({ scope, name }: { scope: Scope; name?: string }) {
  const { t } = useTranslation();
  if (scope === 'department') return <Tag>{t('announcements.scopeDepartment', { name: name ?? '' })}</Tag>;
  if (scope === 'group') return <Tag>{t('announcements.scopeGroup', { name: name ?? '' })}</Tag>;
  return <Tag>{t('announcements.scopeOrg')}</Tag>;
}
