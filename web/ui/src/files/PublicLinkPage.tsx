import type { TFunction } from 'i18next';
import { DownloadOutlined, EyeOutlined, LockOutlined } from '@ant-design/icons';
import { Button, Form, Input, List, Result } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PageLoading } from '../components/PageState';
import { errorText, tryAgainText } from '../lib/errors';
import { browserTimeZone, formatDateTime } from '../lib/format';
import { useTitle } from '../lib/hooks';
import { Brand } from '../shell/Brand';
import { filesApi, linkContentUrl, useLinkPreview, type LinkEntry } from './api';
import { KindIcon } from './FileIcon';
import { fileKind, formatBytes, previewable } from './format';
import { PreviewModal, Viewer, type Previewed } from './PreviewModal';
import './files.css';

function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-layout public-layout">
      <header className="auth-header">
        <Brand />
        <LanguageSwitch />
      </header>
      <main id="main" className="auth-main">
        <div className="auth-card public-card">{children}</div>
      </main>
    </div>
  );
}

/** unlockErrorText says why a link's password was refused: wrong, or too many tries (and when to try again). */
export function unlockErrorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'wrong_password' || err.status === 403) return t('files.public.wrongPassword');
    if (err.status === 429) return tryAgainText(t, err.retryAfter);
  }
  return errorText(t, err);
}

/** isGone is whether the server said the link does not work (unknown, revoked, expired, used up). */
function isGone(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 410);
}

/**
 * PublicLinkPage is where a share link leads (/s/:token), for anyone who has it, signed in or
 * not: it asks for the password when the link has one, then shows the file (with a viewer
 * where the browser has one) or the folder's files, to preview and download.
 */
export default function PublicLinkPage() {
  const { t, i18n } = useTranslation();
  const { token = '' } = useParams();
  const preview = useLinkPreview(token);
  const [unlocked, setUnlocked] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<Previewed>();
  const zone = browserTimeZone();
  useTitle(preview.data?.name ?? t('files.public.title'));

  if (preview.isPending) {
    return (
      <PublicLayout>
        <PageLoading />
      </PublicLayout>
    );
  }
  if (preview.isError) {
    const gone = isGone(preview.error);
    return (
      <PublicLayout>
        <Result
          status={gone ? 'warning' : 'error'}
          title={<h1 className="result-title">{t('files.public.unavailableTitle')}</h1>}
          subTitle={gone ? t('files.public.unavailable') : errorText(t, preview.error)}
          extra={gone ? undefined : <Button onClick={() => preview.refetch()}>{t('common.retry')}</Button>}
        />
      </PublicLayout>
    );
  }

  const link = preview.data;
  const locked = link.password_required && !link.unlocked && !unlocked;

  if (locked) {
    const unlock = async () => {
      setBusy(true);
      setError(undefined);
      try {
        await filesApi.unlockLink(token, password);
        setUnlocked(true);
        await preview.refetch();
      } catch (err) {
        setError(unlockErrorText(t, err));
      } finally {
        setBusy(false);
      }
    };
    return (
      <PublicLayout>
        <h1>
          <LockOutlined aria-hidden /> {link.name || t('files.public.title')}
        </h1>
        <p>{t('files.public.passwordNeeded')}</p>
        <ErrorAlert error={error} />
        <Form layout="vertical" requiredMark={false} disabled={busy} onFinish={unlock} name="unlock">
          <Form.Item label={t('files.public.password')} name="password" rules={[{ required: true, message: t('files.public.passwordRequired') }]}>
            <Input.Password autoFocus autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} block>
            {t('files.public.open')}
          </Button>
        </Form>
      </PublicLayout>
    );
  }

  const name = link.name ?? '';
  const meta = [
    formatBytes(link.size, i18n.language) || undefined,
    link.expires_at ? t('files.public.expires', { date: formatDateTime(link.expires_at, i18n.language, zone) }) : undefined,
  ]
    .filter(Boolean)
    .join(' · ');

  if (link.type === 'file') {
    const contentType = link.content_type ?? '';
    const file: Previewed = {
      name,
      size: link.size ?? 0,
      contentType,
      src: linkContentUrl(token),
      downloadSrc: linkContentUrl(token, { download: true }),
    };
    const kind = fileKind(contentType);
    return (
      <PublicLayout>
        <h1 className="public-name">
          <KindIcon contentType={contentType} /> {name}
        </h1>
        {meta && <p className="muted">{meta}</p>}
        {previewable(kind) && (
          <div className="public-preview">
            <Viewer file={file} />
          </div>
        )}
        <Button type="primary" icon={<DownloadOutlined aria-hidden />} href={file.downloadSrc} size="large">
          {t('files.actions.download')}
        </Button>
      </PublicLayout>
    );
  }

  const entries = link.entries ?? [];
  const entryName = (e: LinkEntry) => [...e.path, e.name].join(' / ');
  const asPreviewed = (e: LinkEntry): Previewed => ({
    name: e.name,
    size: e.size,
    contentType: e.content_type,
    src: linkContentUrl(token, { fileID: e.id }),
    downloadSrc: linkContentUrl(token, { fileID: e.id, download: true }),
  });
  return (
    <PublicLayout>
      <h1 className="public-name">{name}</h1>
      {meta && <p className="muted">{meta}</p>}
      {link.truncated && <p className="muted">{t('files.public.truncated')}</p>}
      <section aria-label={t('files.public.folderFiles')}>
        <List
          dataSource={entries}
          locale={{ emptyText: t('files.public.emptyFolder') }}
          renderItem={(e) => (
            <List.Item
              actions={[
                previewable(fileKind(e.content_type)) ? (
                  <Button key="view" size="small" icon={<EyeOutlined aria-hidden />} onClick={() => setOpen(asPreviewed(e))} aria-label={t('files.public.previewName', { name: e.name })} />
                ) : null,
                <Button
                  key="dl"
                  size="small"
                  icon={<DownloadOutlined aria-hidden />}
                  href={linkContentUrl(token, { fileID: e.id, download: true })}
                  aria-label={t('files.public.downloadName', { name: e.name })}
                />,
              ].filter(Boolean)}
            >
              <List.Item.Meta avatar={<KindIcon contentType={e.content_type} />} title={entryName(e)} description={formatBytes(e.size, i18n.language)} />
            </List.Item>
          )}
        />
      </section>
      {open && <PreviewModal file={open} onClose={() => setOpen(undefined)} />}
    </PublicLayout>
  );
}
