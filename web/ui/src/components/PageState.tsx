import { WarningOutlined } from '@ant-design/icons';
import { Button, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { errorText } from '../lib/errors';

/** PageLoading fills a page while its data loads, and tells screen readers so. */
export function PageLoading() {
  const { t } = useTranslation();
  return (
    <div className="page-state" role="status" aria-live="polite">
      <Spin />
      <span className="page-state-text">{t('common.loading')}</span>
    </div>
  );
}

/** PageError says that a page could not load, why, and offers to try again. */
export function PageError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <div className="page-state page-error" role="alert">
      <WarningOutlined className="page-error-icon" aria-hidden />
      <strong className="page-error-title">{t('errors.loadFailed')}</strong>
      <span>{errorText(t, error)}</span>
      {requestId && <span className="request-id">{t('errors.requestId', { id: requestId })}</span>}
      {onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
    </div>
  );
}
