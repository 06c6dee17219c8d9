import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth/RequireAuth';
import AppShell from './shell/AppShell';

// Every page is its own chunk; only the app shell comes with the first load.
const LoginPage = lazy(() => import('./pages/LoginPage'));
const InvitePage = lazy(() => import('./pages/InvitePage'));
const ActivatePage = lazy(() => import('./pages/ActivatePage'));
const ForgotPasswordPage = lazy(() => import('./pages/ForgotPasswordPage'));
const ResetPasswordPage = lazy(() => import('./pages/ResetPasswordPage'));
const ChangePasswordPage = lazy(() => import('./pages/ChangePasswordPage'));
const ProfilePage = lazy(() => import('./pages/ProfilePage'));
const CreateOrgPage = lazy(() => import('./pages/CreateOrgPage'));
const InstallationPage = lazy(() => import('./pages/InstallationPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const DirectoryPage = lazy(() => import('./pages/directory/DirectoryPage'));
const DirectoryGroupsPage = lazy(() => import('./pages/directory/GroupsPage'));
const DirectoryGroupPage = lazy(() => import('./pages/directory/GroupPage'));
const PersonPage = lazy(() => import('./pages/directory/PersonPage'));
const ConsoleShell = lazy(() => import('./console/ConsoleShell'));
const ConsoleHome = lazy(() => import('./console/ConsoleShell').then((m) => ({ default: m.ConsoleHome })));
const Gate = lazy(() => import('./console/ConsoleShell').then((m) => ({ default: m.Gate })));
const SetupGuidePage = lazy(() => import('./console/SetupGuidePage'));
const MembersPage = lazy(() => import('./console/MembersPage'));
const DepartmentsPage = lazy(() => import('./console/DepartmentsPage'));
const GroupsPage = lazy(() => import('./console/GroupsPage'));
const GroupDetailPage = lazy(() => import('./console/GroupDetailPage'));
const RolesPage = lazy(() => import('./console/RolesPage'));
const AssignmentsPage = lazy(() => import('./console/AssignmentsPage'));
const AuditPage = lazy(() => import('./console/AuditPage'));
const ImportPage = lazy(() => import('./console/ImportPage'));
const ScimPage = lazy(() => import('./console/ScimPage'));
const SettingsPage = lazy(() => import('./console/SettingsPage'));
const FilesPolicyPage = lazy(() => import('./console/FilesPolicyPage'));
const WebhooksPage = lazy(() => import('./console/WebhooksPage'));
const FilesPage = lazy(() => import('./files/FilesPage'));
const PublicLinkPage = lazy(() => import('./files/PublicLinkPage'));
const TasksApp = lazy(() => import('./tasks/TasksApp'));
const TaskListsPage = lazy(() => import('./console/TaskListsPage'));
const ChatApp = lazy(() => import('./chat/ChatApp'));
const AnnouncementsApp = lazy(() => import('./announcements/AnnouncementsApp'));
const ChatsPage = lazy(() => import('./console/ChatsPage'));
const ConsoleAnnouncementsPage = lazy(() => import('./console/AnnouncementsPage'));
const ContentRulesPage = lazy(() => import('./console/ContentRulesPage'));

/** AppRoutes maps URLs to pages: the employee app at /, the console at /console. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/invite/:token" element={<InvitePage />} />
      <Route path="/activate/:token" element={<ActivatePage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password/:token" element={<ResetPasswordPage />} />
      <Route path="/change-password" element={<ChangePasswordPage />} />
      <Route path="/s/:token" element={<PublicLinkPage />} />
      <Route
        path="/console"
        element={
          <RequireAuth>
            <ConsoleShell />
          </RequireAuth>
        }
      >
        <Route index element={<ConsoleHome />} />
        <Route path="members" element={<Gate page="members"><MembersPage /></Gate>} />
        <Route path="departments" element={<Gate page="departments"><DepartmentsPage /></Gate>} />
        <Route path="groups" element={<Gate page="groups"><GroupsPage /></Gate>} />
        <Route path="groups/:groupID" element={<Gate page="groups"><GroupDetailPage /></Gate>} />
        <Route path="roles" element={<Gate page="roles"><RolesPage /></Gate>} />
        <Route path="assignments" element={<Gate page="assignments"><AssignmentsPage /></Gate>} />
        <Route path="audit" element={<Gate page="audit"><AuditPage /></Gate>} />
        <Route path="import" element={<Gate page="import"><ImportPage /></Gate>} />
        <Route path="scim" element={<Gate page="scim"><ScimPage /></Gate>} />
        <Route path="settings" element={<Gate page="settings"><SettingsPage /></Gate>} />
        <Route path="setup" element={<Gate page="setup"><SetupGuidePage /></Gate>} />
        <Route path="files" element={<Gate page="files"><FilesPolicyPage /></Gate>} />
        <Route path="webhooks" element={<Gate page="webhooks"><WebhooksPage /></Gate>} />
        <Route path="tasks" element={<Gate page="tasks"><TaskListsPage /></Gate>} />
        <Route path="chats" element={<Gate page="chats"><ChatsPage /></Gate>} />
        <Route path="announcements" element={<Gate page="announcements"><ConsoleAnnouncementsPage /></Gate>} />
        <Route path="content-rules" element={<Gate page="content-rules"><ContentRulesPage /></Gate>} />
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
        <Route path="messages" element={<ChatApp />} />
        <Route path="messages/:chatID" element={<ChatApp />} />
        <Route path="announcements" element={<AnnouncementsApp />} />
        <Route path="tasks/*" element={<TasksApp />} />
        <Route path="files" element={<FilesPage />} />
        <Route path="files/shared" element={<FilesPage view="shared" />} />
        <Route path="files/trash" element={<FilesPage view="trash" />} />
        <Route path="files/:spaceID" element={<FilesPage view="space" />} />
        <Route path="directory" element={<DirectoryPage />} />
        <Route path="directory/groups" element={<DirectoryGroupsPage />} />
        <Route path="directory/groups/:groupID" element={<DirectoryGroupPage />} />
        <Route path="directory/people/:userID" element={<PersonPage />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="orgs/new" element={<CreateOrgPage />} />
        <Route path="installation" element={<InstallationPage />} />
      </Route>
      <Route path="*" element={<NotFoundPage standalone />} />
    </Routes>
  );
}
