import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useTitle } from '../lib/hooks';

/** NotFoundPage answers an address the app has no page for; standalone outside the shells. */
export default function NotFoundPage({ standalone = false }: { standalone?: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  useTitle(t('notFound.title'));
  const result = (
    <Result
      status="404"
      title={<h1 className="result-title">{t('notFound.title')}</h1>}
      subTitle={t('notFound.text')}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('notFound.home')}
        </Button>
      }
    />
  );
  return standalone ? (
    <main id="main" className="centered-page">
      {result}
    </main>
  ) : (
    result
  );
}
