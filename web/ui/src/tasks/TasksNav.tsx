import { CalendarOutlined, InboxOutlined, PlusOutlined, ProfileOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Badge, Button, Select, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation, useNavigate } from 'react-router';
import { useIsMobile } from '../lib/useMediaQuery';
import { useTaskLists } from './api';
import { CreateListDialog } from './CreateListDialog';

/**
 * TasksNav is the module's own navigation: My tasks, the calendar, and my lists (with a way to
 * make one, and to see the archived). On a phone it is a single picker with the new-list button.
 */
export function TasksNav({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const location = useLocation();
  const [archived, setArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const lists = useTaskLists(orgID, { archived });
  const items = lists.data?.items ?? [];
  const create = (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="create-list" aria-label={t('tasks.create.title')}>
      {mobile ? undefined : t('tasks.create.button')}
    </Button>
  );

  if (mobile) {
    const options = [
      { value: '/tasks', label: t('tasks.my.title') },
      { value: '/tasks/calendar', label: t('tasks.calendar.title') },
      ...items.map((l) => ({ value: `/tasks/lists/${l.id}`, label: l.name })),
    ];
    return (
      <div className="tasks-nav-mobile">
        <Select
          aria-label={t('tasks.nav.label')}
          className="tasks-nav-select"
          value={options.find((o) => location.pathname === o.value)?.value ?? '/tasks'}
          onChange={(v: string) => navigate(v)}
          options={options}
        />
        {create}
        {creating && <CreateListDialog orgID={orgID} onClose={() => setCreating(false)} />}
      </div>
    );
  }

  return (
    <nav className="tasks-nav" aria-label={t('tasks.nav.label')}>
      <NavLink end to="/tasks" className="tasks-nav-link">
        <ProfileOutlined aria-hidden /> {t('tasks.my.title')}
      </NavLink>
      <NavLink to="/tasks/calendar" className="tasks-nav-link">
        <CalendarOutlined aria-hidden /> {t('tasks.calendar.title')}
      </NavLink>
      <div className="tasks-nav-heading">
        <h2>{archived ? t('tasks.nav.archived') : t('tasks.nav.lists')}</h2>
        {create}
      </div>
      <ul className="tasks-nav-lists" aria-label={t('tasks.nav.lists')}>
        {items.map((l) => (
          <li key={l.id}>
            <NavLink to={`/tasks/lists/${l.id}`} className="tasks-nav-link" data-testid={`list-${l.name}`}>
              <UnorderedListOutlined aria-hidden /> <span className="tasks-nav-name">{l.name}</span>
              {l.open_count > 0 && <Badge count={l.open_count} color="#8c8c8c" size="small" aria-label={t('tasks.nav.open', { count: l.open_count })} />}
            </NavLink>
          </li>
        ))}
        {lists.isSuccess && items.length === 0 && <li className="tasks-nav-empty">{archived ? t('tasks.nav.noArchived') : t('tasks.nav.noLists')}</li>}
      </ul>
      <label className="inline-switch tasks-nav-archived">
        <Switch size="small" checked={archived} onChange={setArchived} aria-label={t('tasks.nav.showArchived')} /> <InboxOutlined aria-hidden /> {t('tasks.nav.showArchived')}
      </label>
      {creating && <CreateListDialog orgID={orgID} onClose={() => setCreating(false)} />}
    </nav>
  );
}
