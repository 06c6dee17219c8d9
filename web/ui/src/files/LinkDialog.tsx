import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, InputNumber, List, Modal, Select, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyField } from '../components/CopyField';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageError } from '../components/PageState';
import { useFormat } from '../lib/hooks';
import { absoluteUrl, fileKeys, filesApi, useLinks, type CreatedLink, type Link, type Target } from './api';
import { filesErrorText } from './format';
import { LinkQRCode } from './LinkQRCode';

interface LinkForm {
  password?: string;
  expires_in_days: number;
  max_downloads?: number | null;
}

const EXPIRY_PRESETS = [0, 1, 7, 30, 90];

/**
 * LinkDialog makes a share link to a file or folder, with an optional password, expiry and
 * download limit, and shows it with a QR code; it also lists the links made before and revokes them.
 */
export function LinkDialog({ orgID, target, onClose }: { orgID: string; target: Target; onClose: () => void }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const format = useFormat();
  const queryClient = useQueryClient();
  const links = useLinks(orgID, target);
  const [form] = Form.useForm<LinkForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CreatedLink>();

  const refresh = () => queryClient.invalidateQueries({ queryKey: fileKeys.links(orgID, target.id) });

  const finish = async (values: LinkForm) => {
    setBusy(true);
    setError(undefined);
    try {
      const link = await filesApi.createLink(orgID, {
        target_type: target.type,
        target_id: target.id,
        password: values.password || undefined,
        expires_at: values.expires_in_days > 0 ? new Date(Date.now() + values.expires_in_days * 86_400_000).toISOString() : undefined,
        max_downloads: values.max_downloads || undefined,
      });
      setCreated(link);
      form.resetFields();
      await refresh();
    } catch (err) {
      setError(filesErrorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = (link: Link) =>
    modal.confirm({
      title: t('files.link.revokeTitle'),
      content: t('files.link.revokeText'),
      okText: t('files.link.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await filesApi.revokeLink(orgID, link.id);
          message.success(t('files.link.revoked'));
          if (created?.id === link.id) setCreated(undefined);
          await refresh();
        } catch (err) {
          message.error(filesErrorText(t, err));
        }
      },
    });

  const stateTag = (link: Link) => {
    const state = link.state;
    const label = {
      active: t('files.link.active'),
      revoked: t('files.link.stateRevoked'),
      expired: t('files.link.expired'),
      used_up: t('files.link.usedUp'),
    }[state];
    return <Tag color={state === 'active' ? 'green' : undefined}>{label}</Tag>;
  };

  const url = created ? absoluteUrl(created.url) : undefined;

  return (
    <Modal open title={t('files.link.title', { name: target.name })} onCancel={onClose} footer={<Button onClick={onClose}>{t('common.done')}</Button>} destroyOnHidden width={600}>
      {created && url ? (
        <div className="link-created" role="region" aria-label={t('files.link.createdRegion')}>
          <CopyField label={t('files.link.url')} value={url} />
          <p className="muted">{created.password_required ? t('files.link.createdWithPassword') : t('files.link.createdOpen')}</p>
          <LinkQRCode url={url} />
          <Button onClick={() => setCreated(undefined)}>{t('files.link.another')}</Button>
        </div>
      ) : (
        <>
          <ErrorAlert error={error} />
          <Form<LinkForm> form={form} name="link" layout="vertical" requiredMark={false} disabled={busy} initialValues={{ expires_in_days: 7 }} onFinish={finish}>
            <Form.Item label={t('files.link.password')} name="password" extra={t('files.link.passwordHelp')}>
              <Input.Password autoComplete="new-password" maxLength={1024} />
            </Form.Item>
            <Form.Item label={t('files.link.expires')} name="expires_in_days">
              <Select
                aria-label={t('files.link.expires')}
                options={EXPIRY_PRESETS.map((d) => ({ value: d, label: d === 0 ? t('files.link.never') : t('files.link.days', { count: d }) }))}
              />
            </Form.Item>
            <Form.Item label={t('files.link.maxDownloads')} name="max_downloads" extra={t('files.link.maxDownloadsHelp')}>
              <InputNumber min={1} max={1_000_000} precision={0} className="full-width" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('files.link.create')}
            </Button>
          </Form>
        </>
      )}
      <h3 className="dialog-section">{t('files.link.existing')}</h3>
      {links.isError ? (
        <PageError error={links.error} onRetry={() => links.refetch()} />
      ) : (
        <List
          loading={links.isPending}
          aria-label={t('files.link.existing')}
          locale={{ emptyText: t('files.link.none') }}
          dataSource={links.data?.items ?? []}
          renderItem={(link) => (
            <List.Item
              actions={[
                link.state !== 'revoked' ? (
                  <Button key="revoke" size="small" danger onClick={() => revoke(link)}>
                    {t('files.link.revoke')}
                  </Button>
                ) : null,
              ].filter(Boolean)}
            >
              <List.Item.Meta
                title={
                  <>
                    {stateTag(link)} {link.password_required && <Tag>{t('files.link.withPassword')}</Tag>}
                  </>
                }
                description={
                  <>
                    {t('files.link.madeOn', { date: format.dateTime(link.created_at) })}
                    {' · '}
                    {link.expires_at ? t('files.link.expiresOn', { date: format.dateTime(link.expires_at) }) : t('files.link.noExpiry')}
                    {' · '}
                    {link.max_downloads > 0
                      ? t('files.link.downloadsOf', { count: link.downloads, max: link.max_downloads })
                      : t('files.link.downloadsCount', { count: link.downloads })}
                  </>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Modal>
  );
}
