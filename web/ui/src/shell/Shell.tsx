import { MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Layout, Menu } from 'antd';
import { Suspense, lazy, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useMe, useMyInvitations } from '../api/queries';
import { useConsoleAccess } from '../auth/access';
import { useCurrentOrg } from '../auth/OrgContext';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PageLoading } from '../components/PageState';
import { useIsMobile } from '../lib/useMediaQuery';
import { NotificationBell } from '../notifications/NotificationBell';
import { useLiveEvents } from '../notifications/useLiveEvents';
import { Brand } from './Brand';
import { OrgSwitcher } from './OrgSwitcher';
import { UserMenu } from './UserMenu';

// Loaded only for someone who has an invitation waiting, which most never do.
const PendingInvitations = lazy(() => import('./PendingInvitations'));

export interface NavItem {
  path: string;
  icon: ReactNode;
  label: string;
}

interface ShellProps {
  area: 'app' | 'console';
  nav: NavItem[];
  /** Shown instead of the routed page, e.g. when the console is not for this user. */
  children?: ReactNode;
}

function activeKey(nav: NavItem[], pathname: string): string[] {
  const hit = nav.find((n) => pathname === n.path || pathname.startsWith(`${n.path}/`));
  return hit ? [hit.path] : [];
}

function skipToMain(e: React.MouseEvent<HTMLAnchorElement>) {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

/**
 * Shell is the frame of the app and of the console: a sider with the area's navigation on a
 * desktop; on a phone, a bottom bar (app) or a drawer (console), since a sider does not fit.
 */
export function Shell({ area, nav, children }: ShellProps) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const location = useLocation();
  const navigate = useNavigate();
  const { org } = useCurrentOrg();
  const consoleAccess = useConsoleAccess();
  const me = useMe();
  // Only a session may ask (an API token belongs to one organisation already).
  const invitations = useMyInvitations(me.data?.auth.method === 'session' && !me.data.user.must_change_password);
  const waiting = invitations.data?.items ?? [];
  // One live event stream per tab, for a signed-in person (its cookie authenticates it).
  useLiveEvents(me.data?.auth.method === 'session' && !me.data.user.must_change_password);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const selected = activeKey(nav, location.pathname);

  const menu = (
    <nav aria-label={t('nav.main')}>
      <Menu
        mode="inline"
        selectedKeys={selected}
        items={nav.map((n) => ({ key: n.path, icon: n.icon, label: <Link to={n.path}>{n.label}</Link> }))}
        onClick={({ key }) => {
          setDrawerOpen(false);
          // A click on the link has navigated already; Enter on the item has not.
          if (window.location.pathname !== key) navigate(key);
        }}
      />
    </nav>
  );
  const otherArea =
    area === 'console' ? (
      <Link className="area-link" to="/">
        {t('nav.app')}
      </Link>
    ) : consoleAccess.offered ? (
      <Link className="area-link" to="/console">
        {t('nav.console')}
      </Link>
    ) : null;

  return (
    <Layout className={`shell shell-${area}${mobile ? ' shell-mobile' : ''}`}>
      <a className="skip-link" href="#main" onClick={skipToMain}>
        {t('common.skipToContent')}
      </a>
      {!mobile && (
        <Layout.Sider width={224} theme="light" className="shell-sider">
          <div className="shell-brand">
            <Brand area={area} to={area === 'console' ? '/console' : '/'} />
          </div>
          {menu}
          {otherArea && <div className="sider-footer">{otherArea}</div>}
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header className="shell-header">
          {mobile && area === 'console' && (
            <Button
              type="text"
              icon={<MenuOutlined />}
              aria-label={t('nav.openMenu')}
              aria-expanded={drawerOpen}
              onClick={() => setDrawerOpen(true)}
            />
          )}
          {mobile && <Brand area={area} to={area === 'console' ? '/console' : '/'} />}
          <OrgSwitcher />
          <div className="shell-header-spacer" />
          {org && <NotificationBell orgID={org.id} />}
          {!mobile && <LanguageSwitch />}
          <UserMenu area={area} compact={mobile} />
        </Layout.Header>
        <Layout.Content className="shell-content">
          <main id="main" tabIndex={-1}>
            {waiting.length > 0 && (
              <Suspense fallback={null}>
                <PendingInvitations items={waiting} />
              </Suspense>
            )}
            <Suspense fallback={<PageLoading />}>{children ?? <Outlet />}</Suspense>
          </main>
        </Layout.Content>
      </Layout>
      {mobile && area === 'app' && (
        <nav className="bottom-nav" aria-label={t('nav.main')}>
          {nav.map((n) => (
            <NavLink key={n.path} to={n.path} className={({ isActive }) => (isActive ? 'active' : undefined)}>
              <span className="bottom-nav-icon" aria-hidden>
                {n.icon}
              </span>
              <span className="bottom-nav-label">{n.label}</span>
            </NavLink>
          ))}
        </nav>
      )}
      {mobile && area === 'console' && (
        <Drawer
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          placement="left"
          width={260}
          title={<Brand area={area} to="/console" />}
          className="shell-drawer"
        >
          {menu}
          {otherArea && <div className="sider-footer">{otherArea}</div>}
        </Drawer>
      )}
    </Layout>
  );
}
