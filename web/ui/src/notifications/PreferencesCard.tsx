import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Form, Select, Space, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageError, PageLoading } from '../components/PageState';
import { errorText } from '../lib/errors';
import { notificationKeys, savePreferences, usePreferences, type Channel, type NotificationPreferences } from './api';

interface PreferencesForm {
  channels: Record<string, Channel>;
  quiet: boolean;
  from?: Dayjs;
  to?: Dayjs;
}

const toTime = (minute: number) => dayjs().startOf('day').add(minute, 'minute');
const toMinute = (d: Dayjs) => d.hour() * 60 + d.minute();

/** PreferencesCard sets, per kind, how the user hears of it in the current organisation, and their quiet hours. */
export function PreferencesCard() {
  const { t } = useTranslation();
  const { org } = useCurrentOrg();
  const prefs = usePreferences(org?.id);
  if (!org) return null;
  return (
    <Card title={<h2>{t('notifications.preferences.title')}</h2>}>
      {prefs.isPending ? (
        <PageLoading />
      ) : prefs.isError ? (
        <PageError error={prefs.error} onRetry={() => prefs.refetch()} />
      ) : (
        <PreferencesForm orgID={org.id} prefs={prefs.data} />
      )}
    </Card>
  );
}

function PreferencesForm({ orgID, prefs }: { orgID: string; prefs: NotificationPreferences }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const [form] = Form.useForm<PreferencesForm>();
  const quiet = Form.useWatch('quiet', form);
  const initial: PreferencesForm = {
    channels: Object.fromEntries(prefs.channels.map((c) => [c.kind, c.channel])),
    quiet: !!prefs.quiet_hours,
    from: toTime(prefs.quiet_hours?.start_minute ?? 22 * 60),
    to: toTime(prefs.quiet_hours?.end_minute ?? 7 * 60),
  };
  const onFinish = async (v: PreferencesForm) => {
    setSaving(true);
    setError(undefined);
    try {
      const saved = await savePreferences(orgID, {
        channels: prefs.channels.map((c) => ({ kind: c.kind, channel: v.channels[c.kind] ?? c.channel })),
        quiet_hours: v.quiet && v.from && v.to ? { start_minute: toMinute(v.from), end_minute: toMinute(v.to) } : null,
      });
      queryClient.setQueryData(notificationKeys.preferences(orgID), saved);
      message.success(t('notifications.preferences.saved'));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };
  const channelOptions = [
    { value: 'in_app', label: t('notifications.preferences.channels.in_app') },
    { value: 'email', label: t('notifications.preferences.channels.email') },
    { value: 'off', label: t('notifications.preferences.channels.off') },
  ];
  const kindName = (kind: string) => {
    if (kind === 'files.file_shared') return t('notifications.kindNames.fileShared');
    if (kind === 'webhooks.subscription_paused') return t('notifications.kindNames.webhookPaused');
    if (kind === 'tasks.task_assigned') return t('notifications.kindNames.taskAssigned');
    if (kind === 'tasks.task_completed') return t('notifications.kindNames.taskCompleted');
    if (kind === 'tasks.task_due_soon') return t('notifications.kindNames.taskDueSoon');
    if (kind === 'tasks.task_overdue') return t('notifications.kindNames.taskOverdue');
    if (kind === 'tasks.comment_added') return t('notifications.kindNames.taskCommentAdded');
    if (kind === 'tasks.mentioned') return t('notifications.kindNames.taskMentioned');
    return kind;
  };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={onFinish}>
      <p>{t('notifications.preferences.intro')}</p>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {prefs.channels.map((c) => (
        <Form.Item key={c.kind} name={['channels', c.kind]} label={kindName(c.kind)}>
          <Select options={channelOptions} style={{ maxWidth: 280 }} />
        </Form.Item>
      ))}
      <Form.Item name="quiet" valuePropName="checked" extra={t('notifications.preferences.quietHoursHelp', { zone: prefs.time_zone })}>
        <Checkbox>{t('notifications.preferences.quietHours')}</Checkbox>
      </Form.Item>
      {quiet && (
        <Space wrap>
          <Form.Item name="from" label={t('notifications.preferences.from')}>
            <TimePicker format="HH:mm" minuteStep={15} allowClear={false} />
          </Form.Item>
          <Form.Item name="to" label={t('notifications.preferences.to')}>
            <TimePicker format="HH:mm" minuteStep={15} allowClear={false} />
          </Form.Item>
        </Space>
      )}
      <Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('common.save')}
        </Button>
      </Form.Item>
    </Form>
  );
}
