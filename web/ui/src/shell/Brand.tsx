import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';

/** Brand is Canopy's mark and name, linking home; in the console it says so. */
export function Brand({ area, to = '/' }: { area?: 'app' | 'console'; to?: string }) {
  const { t } = useTranslation();
  return (
    <Link to={to} className="brand" aria-label={area === 'console' ? t('console.title') : t('common.appName')}>
      <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" fill="#177245" />
        <path d="M16 5c-5 0-9 4-9 8.5 0 3.2 2 5.9 5 7.1V27h8v-6.4c3-1.2 5-3.9 5-7.1C25 9 21 5 16 5z" fill="#fff" />
        <rect x="15" y="17" width="2" height="10" fill="#177245" />
      </svg>
      <span className="brand-name">{t('common.appName')}</span>
      {area === 'console' && <span className="brand-area">{t('console.short')}</span>}
    </Link>
  );
}
