import { CheckCircleFilled, CloseOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Progress } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatBytes, filesErrorText } from './format';
import { uploadPercent, type UploadRow } from './uploads';

interface Props {
  rows: UploadRow[];
  onCancel: (id: string) => void;
  onRetry: (id: string) => void;
  onClear: () => void;
  onOpen?: (row: UploadRow) => void;
}

/** UploadList shows each file being uploaded with its own progress bar, and what to do when one stops. */
export function UploadList({ rows, onCancel, onRetry, onClear, onOpen }: Props) {
  const { t, i18n } = useTranslation();
  if (rows.length === 0) return null;
  const done = rows.filter((r) => r.status === 'done').length;
  return (
    <section className="upload-list" aria-label={t('files.upload.region')}>
      <header className="upload-list-header">
        <strong>{t('files.upload.summary', { done, count: rows.length })}</strong>
        {done > 0 && (
          <Button size="small" type="link" onClick={onClear}>
            {t('files.upload.clear')}
          </Button>
        )}
      </header>
      <ul>
        {rows.map((row) => {
          const percent = uploadPercent(row);
          const status =
            row.status === 'done'
              ? t('files.upload.done')
              : row.status === 'error'
                ? filesErrorText(t, row.error)
                : row.status === 'offline'
                  ? t('files.upload.offline')
                  : row.status === 'retrying'
                    ? t('files.upload.retrying')
                    : row.status === 'queued'
                      ? t('files.upload.queued')
                      : t('files.upload.progress', { sent: formatBytes(row.sent, i18n.language), size: formatBytes(row.size, i18n.language) });
          return (
            <li key={row.id} className={`upload-row upload-${row.status}`} data-status={row.status}>
              <div className="upload-row-top">
                <span className="upload-name">
                  {row.status === 'done' && <CheckCircleFilled className="upload-ok" aria-hidden />}{' '}
                  {row.status === 'done' && row.fileID && onOpen ? (
                    <Button type="link" size="small" className="upload-open" onClick={() => onOpen(row)}>
                      {row.name}
                    </Button>
                  ) : (
                    row.name
                  )}
                </span>
                <span className={`upload-status${row.status === 'error' ? ' upload-error-text' : ''}`} role={row.status === 'error' ? 'alert' : undefined}>
                  {status}
                </span>
                <span className="upload-actions">
                  {(row.status === 'error' || row.status === 'offline') && (
                    <Button size="small" type="text" icon={<ReloadOutlined aria-hidden />} onClick={() => onRetry(row.id)} aria-label={t('files.upload.retry', { name: row.name })} />
                  )}
                  {row.status !== 'done' && (
                    <Button size="small" type="text" icon={<CloseOutlined aria-hidden />} onClick={() => onCancel(row.id)} aria-label={t('files.upload.cancel', { name: row.name })} />
                  )}
                </span>
              </div>
              <Progress
                percent={percent}
                size="small"
                status={row.status === 'error' ? 'exception' : row.status === 'done' ? 'success' : 'active'}
                aria-label={t('files.upload.progressOf', { name: row.name })}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
