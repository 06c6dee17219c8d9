import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';
import { errorText } from '../lib/errors';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** formatBytes shows a size in the largest binary unit under 1024 of it: 1.5 MB, 912 KB, 12 B. */
export function formatBytes(bytes: number | null | undefined, lang = 'en'): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return '';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value)} ${UNITS[unit]}`;
}

/** FileKind is what a viewer can do with a file's bytes. */
export type FileKind = 'image' | 'video' | 'audio' | 'pdf' | 'text' | 'archive' | 'other';

/**
 * fileKind sorts a content type into what the app can preview. SVG is not an image here: the
 * server never serves it inline, since it can carry script.
 */
export function fileKind(contentType: string | null | undefined): FileKind {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'image/svg+xml') return 'other';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  if (type === 'application/pdf') return 'pdf';
  if (type.startsWith('text/')) return 'text';
  if (/zip|x-7z|x-rar|x-tar|gzip/.test(type)) return 'archive';
  return 'other';
}

/** previewable reports whether the app has a viewer for the kind. */
export function previewable(kind: FileKind): boolean {
  return kind === 'image' || kind === 'video' || kind === 'audio' || kind === 'pdf';
}

const UNTIL = /available until (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))/i;

/** untilFromMessage reads the date out of a retention_active message ("available until <RFC 3339>; ..."). */
export function untilFromMessage(message: string): string | undefined {
  return UNTIL.exec(message)?.[1];
}

/** stillRetained reports whether a date of availability is still ahead, so deleting will be refused. */
export function stillRetained(availableUntil: string | null | undefined, now: number = Date.now()): boolean {
  if (!availableUntil) return false;
  const at = Date.parse(availableUntil);
  return Number.isFinite(at) && at > now;
}

/**
 * deleteRefusal says, in words, why the server refused to delete something: the retention
 * window (with the date it ends, in the user's time zone) or a legal hold. The date comes from
 * the server's answer, which is the authority, and otherwise from what the list showed.
 * Undefined for any other failure.
 */
export function deleteRefusal(
  t: TFunction,
  err: unknown,
  formatDateTime: (iso: string) => string,
  knownUntil?: string | null,
): string | undefined {
  if (!(err instanceof ApiError) || err.status !== 409) return undefined;
  if (err.code === 'retention_active') {
    const iso = untilFromMessage(err.message) ?? knownUntil ?? undefined;
    return iso ? t('files.retention.refused', { date: formatDateTime(iso) }) : t('files.retention.refusedNoDate');
  }
  if (err.code === 'legal_hold') return t('files.retention.held');
  return undefined;
}

/** filesErrorText is errorText with the files module's own codes, whose words differ from elsewhere. */
export function filesErrorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'name_taken':
        return t('files.errors.nameTaken');
      case 'cycle':
        return t('files.errors.cycle');
      case 'too_deep':
        return t('files.errors.tooDeep');
      case 'quota_exceeded':
        return t('files.errors.quotaExceeded');
      case 'too_large':
        return t('files.errors.tooLarge');
      case 'legal_hold':
        return t('files.retention.held');
      case 'links_not_allowed':
        return t('files.errors.linksNotAllowed');
      case 'retention_below_floor':
        return t('files.errors.retentionBelowFloor');
      case 'other_space':
        return t('files.errors.otherSpace');
      case 'not_in_trash':
        return t('files.errors.notInTrash');
    }
    if (err.status === 503) return t('files.errors.unavailable');
    if (err.status === 413) return t('files.errors.tooLarge');
  }
  return errorText(t, err);
}
