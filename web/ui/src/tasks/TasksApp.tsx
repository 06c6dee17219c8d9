import { useTranslation } from 'react-i18next';
import { Route, Routes, useSearchParams } from 'react-router';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import NotFoundPage from '../pages/NotFoundPage';
import { NoOrganisation } from '../pages/NoOrganisation';
import CalendarPage from './CalendarPage';
import ListPage from './ListPage';
import MyTasksPage from './MyTasksPage';
import { useOpenTask } from './shared';
import { TaskDrawer } from './TaskDrawer';
import { TasksNav } from './TasksNav';
import './tasks.css';

/**
 * TasksApp is the tasks module under /tasks, one lazily loaded chunk (with the drag and drop
 * library): My tasks, the calendar, each list as a board or a list, and the task drawer, which
 * any of them opens with ?task=<id> (the links in notifications too).
 */
export default function TasksApp() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const [params] = useSearchParams();
  const openTask = useOpenTask();
  if (!org) {
    return (
      <>
        <PageHeader title={t('nav.tasks')} />
        <NoOrganisation />
      </>
    );
  }
  const taskID = params.get('task');
  return (
    <div className="tasks-app">
      <TasksNav orgID={org.id} />
      <div className="tasks-main">
        <Routes>
          <Route index element={<MyTasksPage orgID={org.id} />} />
          <Route path="calendar" element={<CalendarPage orgID={org.id} />} />
          <Route path="lists/:listID" element={<ListPage orgID={org.id} />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </div>
      {taskID && <TaskDrawer key={taskID} orgID={org.id} taskID={taskID} onClose={() => openTask(undefined)} />}
    </div>
  );
}
