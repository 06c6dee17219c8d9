import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, InputNumber, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type CreatedInvitation } from '../api/client';
import { keys } from '../api/queries';
import { CopyField } from '../components/CopyField';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';

interface InviteForm {
  role: 'member' | 'admin' | 'guest';
  max_uses: number;
  expires_in_hours: number;
}

/**
 * InviteDialog creates an invitation link and shows it once, with its QR code, for the admin to
 * copy or let people scan.
 */
export function InviteDialog({ orgID, open, onClose }: { orgID: string; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const format = useFormat();
  const [form] = Form.useForm<InviteForm>();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CreatedInvitation>();

  const close = () => {
    setCreated(undefined);
    setError(undefined);
    form.resetFields();
    onClose();
  };

  const onFinish = async (values: InviteForm) => {
    setCreating(true);
    setError(undefined);
    try {
      const result = await unwrap(api.POST('/api/v1/orgs/{orgID}/invitations', { params: { path: { orgID } }, body: values }));
      setCreated(result);
      void queryClient.invalidateQueries({ queryKey: keys.invitations(orgID) });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setCreating(false);
    }
  };

  return (
    <Modal
      open={open}
      title={created ? t('invitations.createdTitle') : t('invitations.createTitle')}
      onCancel={close}
      destroyOnHidden
      footer={
        created ? (
          <Button type="primary" onClick={close}>
            {t('common.done')}
          </Button>
        ) : (
          <>
            <Button onClick={close}>{t('common.cancel')}</Button>
            <Button type="primary" loading={creating} onClick={() => form.submit()}>
              {t('invitations.create')}
            </Button>
          </>
        )
      }
    >
      {created ? (
        <div className="invite-result">
          <p>{t('invitations.shareHint')}</p>
          <CopyField label={t('invitations.link')} value={created.url} />
          <figure className="invite-qr">
            <img src={created.qr_code_url} alt={t('invitations.qrAlt')} width={192} height={192} />
            <figcaption>
              {t('invitations.validUntil', {
                date: format.dateTime(created.invitation.expires_at),
                uses: created.invitation.max_uses,
              })}
            </figcaption>
          </figure>
        </div>
      ) : (
        <>
          {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
          <Form<InviteForm>
            form={form}
            name="invite"
            layout="vertical"
            requiredMark={false}
            disabled={creating}
            initialValues={{ role: 'member', max_uses: 50, expires_in_hours: 168 }}
            onFinish={onFinish}
          >
            <Form.Item label={t('invitations.role')} name="role" extra={t('invitations.guestHelp')}>
              <Select
                options={[
                  { value: 'member', label: t('role.member') },
                  { value: 'admin', label: t('role.admin') },
                  { value: 'guest', label: t('role.guest') },
                ]}
              />
            </Form.Item>
            <Form.Item label={t('invitations.maxUses')} name="max_uses" rules={[{ required: true, message: t('validation.required') }]}>
              <InputNumber min={1} max={10000} precision={0} className="full-width" />
            </Form.Item>
            <Form.Item
              label={t('invitations.expiresInHours')}
              name="expires_in_hours"
              extra={t('invitations.expiresHelp')}
              rules={[{ required: true, message: t('validation.required') }]}
            >
              <InputNumber min={1} max={720} precision={0} className="full-width" />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
