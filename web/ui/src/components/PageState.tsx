import { Button, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/errors';
import { ApiError } from '../api/client';

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
    <div role="alert">
      <Result
        status="warning"
        title={t('errors.loadFailed')}
        subTitle={
          <>
            {errorText(t, error)}
            {requestId && <div className="request-id">{t('errors.requestId', { id: requestId })}</div>}
          </>
        }
        extra={onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
      />
    </div>
  );
}
