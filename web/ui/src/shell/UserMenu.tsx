import { LogoutOutlined, PlusOutlined, SettingOutlined, AppstoreOutlined, UserOutlined, GlobalOutlined, ClusterOutlined } from '@ant-design/icons';
import { App, Avatar, Button, Dropdown, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useConsoleAccess } from '../auth/access';
import { useMe, useSignOut } from '../api/queries';
import { LANGUAGES, LANGUAGE_NAMES, currentLanguage, isLanguage } from '../i18n';
import { errorText } from '../lib/errors';
import { useChangeLanguage } from '../lib/hooks';

/**
 * UserMenu holds the account actions: profile, the other area, the installation's page (for its
 * admins), new organisation, sign out.
 */
export function UserMenu({ area, compact }: { area: 'app' | 'console'; compact: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const me = useMe();
  const consoleAccess = useConsoleAccess();
  const signOut = useSignOut();
  const changeLanguage = useChangeLanguage();
  const user = me.data?.user;
  if (!user) return null;

  const items: MenuProps['items'] = [
    { key: 'who', label: <span className="user-menu-who">{user.email}</span>, disabled: true },
    { type: 'divider' },
    { key: '/profile', icon: <UserOutlined />, label: t('nav.profile') },
  ];
  if (area === 'console' || consoleAccess.offered) {
    items.push(
      area === 'app'
        ? { key: '/console', icon: <SettingOutlined />, label: t('nav.console') }
        : { key: '/', icon: <AppstoreOutlined />, label: t('nav.app') },
    );
  }
  if (user.installation_admin) items.push({ key: '/installation', icon: <ClusterOutlined />, label: t('nav.installation') });
  items.push({ key: '/orgs/new', icon: <PlusOutlined />, label: t('nav.createOrg') });
  if (compact) {
    items.push({
      key: 'language',
      icon: <GlobalOutlined />,
      label: t('common.language'),
      children: LANGUAGES.map((l) => ({
        key: `lang:${l}`,
        label: <span lang={l}>{LANGUAGE_NAMES[l]}</span>,
        disabled: l === currentLanguage(),
      })),
    });
  }
  items.push({ type: 'divider' }, { key: 'signout', icon: <LogoutOutlined />, label: t('nav.signOut'), danger: true });

  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key === 'signout') {
      signOut.mutate(undefined, {
        onSuccess: () => navigate('/login', { replace: true }),
        onError: (err) => message.error(errorText(t, err)),
      });
    } else if (key.startsWith('lang:')) {
      const lng = key.slice(5);
      if (isLanguage(lng)) changeLanguage(lng).catch((err) => message.error(errorText(t, err)));
    } else {
      navigate(key);
    }
  };

  const initial = (user.display_name || user.email).trim().charAt(0).toUpperCase();
  return (
    <Dropdown menu={{ items, onClick }} trigger={['click']} placement="bottomRight" autoFocus>
      <Button type="text" className="user-menu-button" aria-label={t('nav.account', { name: user.display_name })}>
        <Avatar size="small" className="user-avatar" aria-hidden>
          {initial}
        </Avatar>
        {!compact && <span className="user-menu-name">{user.display_name}</span>}
      </Button>
    </Dropdown>
  );
}
