import { LockOutlined, SafetyOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../lib/hooks';
import { stillRetained } from './format';

/**
 * AvailableUntil shows when a file may first be deleted, in the user's time zone: until then
 * Canopy and the object store both refuse. A legal hold outlasts any date, so it says so instead.
 */
export function AvailableUntil({ iso, held, long }: { iso: string | null | undefined; held?: boolean; long?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (held) {
    return (
      <Tag icon={<SafetyOutlined aria-hidden />} color="purple" className="hold-tag">
        {t('files.hold.tag')}
      </Tag>
    );
  }
  if (!iso) return null;
  const date = format.dateTime(iso);
  if (!stillRetained(iso)) {
    return <span className="muted">{long ? t('files.retention.deletableSince', { date }) : t('files.retention.deletable')}</span>;
  }
  return (
    <Tooltip title={t('files.retention.explain')}>
      <span className="available-until">
        <LockOutlined aria-hidden /> {long ? t('files.retention.availableUntil', { date }) : date}
      </span>
    </Tooltip>
  );
}
