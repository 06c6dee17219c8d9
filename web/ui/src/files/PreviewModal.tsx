import { DownloadOutlined, ExportOutlined, InfoCircleOutlined } from '@ant-design/icons';
import { Button, Modal, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useIsMobile } from '../lib/useMediaQuery';
import { KindIcon } from './FileIcon';
import { fileKind, formatBytes } from './format';

export interface Previewed {
  name: string;
  size: number;
  contentType: string;
  /** Where the bytes are, served inline for the viewers. */
  src: string;
  /** The same bytes as an attachment. */
  downloadSrc: string;
}

/**
 * Viewer shows a file in the browser: an image, an audio or video player (which seek with HTTP
 * Range requests), or a PDF in the browser's own viewer; anything else gets a download button.
 */
export function Viewer({ file }: { file: Previewed }) {
  const { t, i18n } = useTranslation();
  const kind = fileKind(file.contentType);
  switch (kind) {
    case 'image':
      return <img className="preview-image" src={file.src} alt={file.name} />;
    case 'video':
      return (
        <video className="preview-video" src={file.src} controls preload="metadata" aria-label={file.name}>
          {t('files.preview.noVideo')}
        </video>
      );
    case 'audio':
      return <audio className="preview-audio" src={file.src} controls preload="metadata" aria-label={file.name} />;
    case 'pdf':
      return (
        <div className="preview-pdf">
          <iframe src={file.src} title={file.name} />
          <a href={file.src} target="_blank" rel="noopener noreferrer">
            <ExportOutlined aria-hidden /> {t('files.preview.openPdf')}
          </a>
        </div>
      );
    default:
      return (
        <div className="preview-none">
          <KindIcon contentType={file.contentType} />
          <p>{t('files.preview.none')}</p>
          <p className="muted">
            {file.contentType} · {formatBytes(file.size, i18n.language)}
          </p>
          <Button type="primary" icon={<DownloadOutlined aria-hidden />} href={file.downloadSrc}>
            {t('files.actions.download')}
          </Button>
        </div>
      );
  }
}

/** PreviewModal opens a file in a viewer, with its download and, in the app, its details. */
export function PreviewModal({ file, onClose, onDetails }: { file: Previewed; onClose: () => void; onDetails?: () => void }) {
  const { t, i18n } = useTranslation();
  const mobile = useIsMobile();
  return (
    <Modal
      open
      title={file.name}
      onCancel={onClose}
      width={mobile ? '100%' : 960}
      className="preview-modal"
      destroyOnHidden
      footer={
        <Space wrap>
          <span className="muted">{formatBytes(file.size, i18n.language)}</span>
          {onDetails && (
            <Button icon={<InfoCircleOutlined aria-hidden />} onClick={onDetails}>
              {t('files.actions.details')}
            </Button>
          )}
          <Button type="primary" icon={<DownloadOutlined aria-hidden />} href={file.downloadSrc}>
            {t('files.actions.download')}
          </Button>
        </Space>
      }
    >
      <div className="preview-body">
        <Viewer file={file} />
      </div>
    </Modal>
  );
}
