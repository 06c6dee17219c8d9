import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { Button, Input, Space } from 'antd';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../lib/clipboard';

/**
 * useCopy copies text and says so for two seconds. The copied flag is also what screen readers
 * hear, through the live region of whichever control shows it.
 */
export function useCopy() {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);
  const copy = async (text: string) => {
    const ok = await copyText(text);
    setCopied(ok);
    return ok;
  };
  return { copied, copy };
}

/** CopyButton copies a value (a link, a list) that is shown elsewhere; label names what it copies. */
export function CopyButton({ value, text, label, size }: { value: string; text?: string; label?: string; size?: 'small' }) {
  const { t } = useTranslation();
  const { copied, copy } = useCopy();
  return (
    <>
      <Button size={size} icon={copied ? <CheckOutlined aria-hidden /> : <CopyOutlined aria-hidden />} onClick={() => copy(value)} aria-label={label}>
        {copied ? t('common.copied') : (text ?? t('common.copy'))}
      </Button>
      <span className="visually-hidden" role="status" aria-live="polite">
        {copied ? t('common.copied') : ''}
      </span>
    </>
  );
}

/** CopyField shows a value to copy (a link, a secret) in a read-only field with a Copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div className="copy-field">
      <label htmlFor={id} className="copy-field-label">
        {label}
      </label>
      <Space.Compact className="full-width">
        <Input id={id} readOnly value={value} onFocus={(e) => e.target.select()} className="copy-field-input" />
        <CopyButton value={value} />
      </Space.Compact>
    </div>
  );
}
