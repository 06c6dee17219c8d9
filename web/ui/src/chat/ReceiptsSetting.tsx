import { SettingOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Popover, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chatApi } from './api';
import { chatErrorText } from './errors';
import { chatKeys } from './live';

/**
 * ReceiptsSetting is the chat list's settings menu: whether I send read receipts. It is there
 * only where the organisation lets members turn them off (allow_receipt_opt_out).
 */
export function ReceiptsSetting({ orgID }: { orgID: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const mine = useQuery({ queryKey: chatKeys.mine(orgID), queryFn: () => chatApi.myMessaging(orgID), staleTime: 60_000 });
  const [busy, setBusy] = useState(false);
  if (!mine.data?.allow_receipt_opt_out) return null;
  const set = async (on: boolean) => {
    setBusy(true);
    try {
      client.setQueryData(chatKeys.mine(orgID), await chatApi.putMyMessaging(orgID, on));
      message.success(on ? t('chat.receiptsOn') : t('chat.receiptsOff'));
    } catch (err) {
      message.error(chatErrorText(t, err));
      void mine.refetch();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popover
      trigger="click"
      placement="bottomLeft"
      title={t('chat.settings')}
      content={
        <div className="chat-receipts" data-testid="receipts-setting">
          <label className="chat-receipts-row">
            <span>{t('chat.sendReceipts')}</span>
            <Switch checked={mine.data.send_read_receipts} loading={busy} onChange={(on) => void set(on)} aria-label={t('chat.sendReceipts')} data-testid="send-receipts" />
          </label>
          <Typography.Paragraph type="secondary" className="chat-receipts-help">
            {t('chat.sendReceiptsHelp')}
          </Typography.Paragraph>
        </div>
      }
    >
      <Button type="text" shape="circle" icon={<SettingOutlined />} aria-label={t('chat.settings')} data-testid="chat-settings" />
    </Popover>
  );
}
