import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { Button, Input, Space } from 'antd';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../lib/clipboard';

/** CopyField shows a value to copy (a link, a secret) in a read-only field with a Copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-field">
      <label htmlFor={id} className="copy-field-label">
        {label}
      </label>
      <Space.Compact className="full-width">
        <Input id={id} readOnly value={value} onFocus={(e) => e.target.select()} className="copy-field-input" />
        <Button
          icon={copied ? <CheckOutlined /> : <CopyOutlined />}
          onClick={async () => {
            setCopied(await copyText(value));
            window.setTimeout(() => setCopied(false), 2000);
          }}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </Button>
      </Space.Compact>
      <span className="visually-hidden" role="status" aria-live="polite">
        {copied ? t('common.copied') : ''}
      </span>
    </div>
  );
}
