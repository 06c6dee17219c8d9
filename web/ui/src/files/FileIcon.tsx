import {
  FileImageOutlined,
  FileOutlined,
  FilePdfOutlined,
  FileTextOutlined,
  FileZipOutlined,
  FolderFilled,
  PlaySquareOutlined,
  SoundOutlined,
} from '@ant-design/icons';
import { useState } from 'react';
import { thumbnailUrl, type FileItem } from './api';
import { fileKind, type FileKind } from './format';

const ICONS: Record<FileKind, typeof FileOutlined> = {
  image: FileImageOutlined,
  video: PlaySquareOutlined,
  audio: SoundOutlined,
  pdf: FilePdfOutlined,
  text: FileTextOutlined,
  archive: FileZipOutlined,
  other: FileOutlined,
};

/** KindIcon is the icon of a content type. */
export function KindIcon({ contentType }: { contentType: string }) {
  const Icon = ICONS[fileKind(contentType)];
  return <Icon className={`file-icon file-icon-${fileKind(contentType)}`} aria-hidden />;
}

/** FolderIcon is a folder's icon. */
export function FolderIcon() {
  return <FolderFilled className="file-icon file-icon-folder" aria-hidden />;
}

/**
 * FileThumb shows a file's thumbnail when the server made one, else the icon of its type; a
 * thumbnail that fails to load falls back to the icon.
 */
export function FileThumb({ orgID, file }: { orgID: string; file: FileItem }) {
  const [failed, setFailed] = useState(false);
  if (file.has_thumbnail && !failed) {
    return <img className="file-thumb" src={thumbnailUrl(orgID, file.id)} alt="" loading="lazy" onError={() => setFailed(true)} />;
  }
  return <KindIcon contentType={file.content_type} />;
}
