import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, type ThemeConfig } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useEffect, useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, setPasswordChangeHandler, setUnauthorizedHandler, type Me } from './api/client';
import { keys } from './api/queries';
import { OrgProvider } from './auth/OrgContext';
import { usePrefersReducedMotion } from './lib/useMediaQuery';

/** newQueryClient retries only what may succeed on a second try: not 4xx answers. */
export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

const theme: ThemeConfig = {
  components: {
    Menu: {
      itemSelectedBg: '#e3f1e9',
      itemSelectedColor: '#0f5c36',
      itemActiveBg: '#eef6f1',
      itemHoverBg: '#f1f4f2',
    },
    Tree: {
      nodeSelectedBg: '#d5ebdf',
      nodeHoverBg: '#eef6f1',
    },
  },
  token: {
    colorPrimary: '#177245',
    colorLink: '#0f6b3e',
    borderRadius: 6,
    // Darker than Ant Design's defaults so secondary text keeps a 4.5:1 contrast on white.
    colorTextSecondary: '#59636e',
    colorTextDescription: '#59636e',
    colorTextTertiary: '#5f6873',
    colorTextPlaceholder: '#6e7781',
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
  },
};

/**
 * SessionWatcher forgets the user on any 401, so RequireAuth sends them to sign in; and on any
 * 403 password_change_required it marks the user as having to change their password, so
 * RequireAuth sends them to choose a new one.
 */
function SessionWatcher() {
  const queryClient = useQueryClient();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (queryClient.getQueryData(keys.me) !== null) queryClient.setQueryData(keys.me, null);
    });
    setPasswordChangeHandler(() => {
      queryClient.setQueryData<Me | null>(keys.me, (old) =>
        old && !old.user.must_change_password ? { ...old, user: { ...old.user, must_change_password: true } } : old,
      );
      void queryClient.invalidateQueries({ queryKey: keys.me });
    });
    return () => {
      setUnauthorizedHandler(undefined);
      setPasswordChangeHandler(undefined);
    };
  }, [queryClient]);
  return null;
}

function Antd({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  // Dialogs, drawers and messages appear without their zoom and slide for those who asked for less motion.
  const reduced = usePrefersReducedMotion();
  const themed = useMemo<ThemeConfig>(() => ({ ...theme, token: { ...theme.token, motion: !reduced } }), [reduced]);
  return (
    // autoInsertSpace would render 完成 as "完 成", which also becomes the button's accessible name.
    <ConfigProvider locale={i18n.language === 'zh-CN' ? zhCN : enUS} theme={themed} button={{ autoInsertSpace: false }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function AppProviders({ client, children }: { client: QueryClient; children: ReactNode }) {
  return (
    <QueryClientProvider client={client}>
      <SessionWatcher />
      <OrgProvider>
        <Antd>{children}</Antd>
      </OrgProvider>
    </QueryClientProvider>
  );
}
