import { CheckCircleFilled, RightOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, List, Progress, Space, Switch, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { errorText } from '../lib/errors';

export type SetupGuide = components['schemas']['SetupGuide'];
type StepKey = SetupGuide['steps'][number]['key'];

/** Each step's page in the console, and its words. */
const STEPS: Record<StepKey, { page: string; title: (t: TFunction) => string; text: (t: TFunction) => string }> = {
  profile: { page: '/console/settings', title: (t) => t('setup.steps.profile.title'), text: (t) => t('setup.steps.profile.text') },
  departments: { page: '/console/departments', title: (t) => t('setup.steps.departments.title'), text: (t) => t('setup.steps.departments.text') },
  people: { page: '/console/import', title: (t) => t('setup.steps.people.title'), text: (t) => t('setup.steps.people.text') },
  admins: { page: '/console/assignments', title: (t) => t('setup.steps.admins.title'), text: (t) => t('setup.steps.admins.text') },
  policy: { page: '/console/files', title: (t) => t('setup.steps.policy.title'), text: (t) => t('setup.steps.policy.text') },
  group_chat: { page: '/console/chats', title: (t) => t('setup.steps.group_chat.title'), text: (t) => t('setup.steps.group_chat.text') },
};

export const setupKey = (orgID: string) => ['setup', orgID] as const;

/** useSetupGuide reads the organisation's setup guide (for holders of settings.manage). */
export function useSetupGuide(orgID: string | undefined, enabled = true) {
  return useQuery({
    queryKey: setupKey(orgID ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/admin/orgs/{orgID}/setup', { params: { path: { orgID: orgID! } } })),
    enabled: enabled && !!orgID,
  });
}

/**
 * SetupGuidePage walks a new organisation's admins through its setup: the steps with their
 * progress, each linking to its page, ticked when the organisation holds its result. They may
 * hide it; the console then opens on its first page, and the guide stays in the menu.
 */
export default function SetupGuidePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { org } = useCurrentOrg();
  const queryClient = useQueryClient();
  const guide = useSetupGuide(org?.id);
  const dismiss = useMutation({
    mutationFn: (dismissed: boolean) =>
      unwrap(api.PUT('/api/v1/admin/orgs/{orgID}/setup', { params: { path: { orgID: org!.id } }, body: { dismissed } })),
    onSuccess: (g) => queryClient.setQueryData(setupKey(org!.id), g),
    onError: (err) => message.error(errorText(t, err)),
  });
  if (guide.isPending) return <PageLoading />;
  if (guide.isError) return <PageError error={guide.error} onRetry={() => guide.refetch()} />;
  const g = guide.data;
  return (
    <>
      <PageHeader title={t('setup.title')} description={t('setup.description')} />
      <Card>
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <div>
            <Typography.Text strong>{t('setup.progress', { done: g.done, total: g.total })}</Typography.Text>
            <Progress percent={Math.round((100 * g.done) / g.total)} showInfo={false} aria-label={t('setup.progress', { done: g.done, total: g.total })} />
          </div>
          {g.done === g.total && <Alert type="success" showIcon message={t('setup.allDone')} />}
          <List
            dataSource={g.steps}
            renderItem={(step, i) => (
              <List.Item
                data-testid={`setup-step-${step.key}`}
                data-done={step.done}
                actions={[
                  <Link key="open" to={STEPS[step.key].page} aria-label={`${t('setup.open')}: ${STEPS[step.key].title(t)}`}>
                    {t('setup.open')} <RightOutlined />
                  </Link>,
                ]}
              >
                <List.Item.Meta
                  avatar={
                    step.done ? (
                      <CheckCircleFilled style={{ color: 'var(--ant-color-success, #52c41a)', fontSize: 22 }} aria-label="✓" />
                    ) : (
                      <span className="setup-step-number" aria-hidden>
                        {i + 1}
                      </span>
                    )
                  }
                  title={STEPS[step.key].title(t)}
                  description={STEPS[step.key].text(t)}
                />
              </List.Item>
            )}
          />
          {g.dismissed && <Alert type="info" showIcon message={t('setup.dismissed')} />}
          <Space wrap>
            <Switch checked={!g.dismissed} loading={dismiss.isPending} onChange={(on) => dismiss.mutate(!on)} aria-label={t('setup.show')} />
            <Typography.Text>{t('setup.show')}</Typography.Text>
            {!g.dismissed && (
              <Button onClick={() => dismiss.mutate(true)} loading={dismiss.isPending}>
                {t('setup.dismiss')}
              </Button>
            )}
          </Space>
        </Space>
      </Card>
    </>
  );
}
