import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth/RequireAuth';
import AppShell from './shell/AppShell';

// Every page is its own chunk; only the app shell comes with the first load.
const LoginPage = lazy(() => import('./pages/LoginPage'));
const InvitePage = lazy(() => import('./pages/InvitePage'));
const ModulePage = lazy(() => import('./pages/ModulePage'));
const ProfilePage = lazy(() => import('./pages/ProfilePage'));
const CreateOrgPage = lazy(() => import('./pages/CreateOrgPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const ConsoleShell = lazy(() => import('./console/ConsoleShell'));
const MembersPage = lazy(() => import('./console/MembersPage'));
const SettingsPage = lazy(() => import('./console/SettingsPage'));

/** AppRoutes maps URLs to pages: the employee app at /, the console at /console. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/invite/:token" element={<InvitePage />} />
      <Route
        path="/console"
        element={
          <RequireAuth>
            <ConsoleShell />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="members" replace />} />
        <Route path="members" element={<MembersPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
      <Route
        path="/"
        element={
          <RequireAuth>
            <AppShell />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="messages" replace />} />
        <Route path="messages" element={<ModulePage module="messages" />} />
        <Route path="tasks" element={<ModulePage module="tasks" />} />
        <Route path="files" element={<ModulePage module="files" />} />
        <Route path="directory" element={<ModulePage module="directory" />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="orgs/new" element={<CreateOrgPage />} />
      </Route>
      <Route path="*" element={<NotFoundPage standalone />} />
    </Routes>
  );
}
