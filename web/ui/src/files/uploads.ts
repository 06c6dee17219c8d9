import { useSyncExternalStore } from 'react';
import { Upload, type DetailedError, type HttpRequest, type UploadOptions } from 'tus-js-client';
import { ApiError, parseRetryAfter, readCookie } from '../api/client';
import { uploadEndpoint } from './api';

/** UploadStatus is where one file's upload stands. */
export type UploadStatus = 'queued' | 'uploading' | 'retrying' | 'offline' | 'done' | 'error';

/** UploadRow is one file being uploaded, as the progress list shows it. */
export interface UploadRow {
  id: string;
  name: string;
  size: number;
  sent: number;
  status: UploadStatus;
  orgID: string;
  spaceID: string;
  /** The folder it goes to; undefined for the space's root. */
  folderID?: string;
  /** The stored file, from the Canopy-File-ID header of the last response. */
  fileID?: string;
  error?: unknown;
}

export type UploadAction =
  | { type: 'add'; rows: UploadRow[] }
  | { type: 'start'; id: string }
  | { type: 'progress'; id: string; sent: number; total: number }
  | { type: 'retrying'; id: string }
  | { type: 'offline'; id: string }
  | { type: 'done'; id: string; fileID?: string }
  | { type: 'error'; id: string; error: unknown }
  | { type: 'remove'; id: string }
  | { type: 'clearFinished' };

/** reduceUploads is the list's one state change, kept pure so it can be tested alone. */
export function reduceUploads(rows: UploadRow[], action: UploadAction): UploadRow[] {
  const patch = (id: string, change: Partial<UploadRow>) => rows.map((r) => (r.id === id ? { ...r, ...change } : r));
  switch (action.type) {
    case 'add':
      return [...rows, ...action.rows];
    case 'start':
      return patch(action.id, { status: 'uploading', error: undefined });
    case 'progress':
      // Bytes already acknowledged never go back, even when a resume resends from the server's offset.
      return rows.map((r) =>
        r.id === action.id
          ? { ...r, status: 'uploading', size: action.total || r.size, sent: Math.max(r.sent, Math.min(action.sent, action.total || r.size)) }
          : r,
      );
    case 'retrying':
      return patch(action.id, { status: 'retrying' });
    case 'offline':
      return patch(action.id, { status: 'offline' });
    case 'done': {
      const row = rows.find((r) => r.id === action.id);
      return patch(action.id, { status: 'done', sent: row?.size ?? 0, fileID: action.fileID, error: undefined });
    }
    case 'error':
      return patch(action.id, { status: 'error', error: action.error });
    case 'remove':
      return rows.filter((r) => r.id !== action.id);
    case 'clearFinished':
      return rows.filter((r) => r.status !== 'done');
  }
}

/** uploadPercent is how far along a row is, 0-100, whole numbers; an empty file is done when done. */
export function uploadPercent(row: Pick<UploadRow, 'sent' | 'size' | 'status'>): number {
  if (row.status === 'done') return 100;
  if (row.size <= 0) return 0;
  return Math.min(99, Math.floor((row.sent / row.size) * 100));
}

/** tusError turns what tus-js-client reports into an ApiError with the server's code, when it answered. */
export function tusError(err: Error | DetailedError): unknown {
  const response = (err as DetailedError).originalResponse;
  if (!response) return new TypeError(err.message);
  const status = response.getStatus();
  let code = `http_${status}`;
  let message = '';
  try {
    const body = JSON.parse(response.getBody()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON: keep the status.
  }
  return new ApiError(status, code, message, undefined, parseRetryAfter(response.getHeader('Retry-After') ?? null));
}

/** TusUpload is what the manager needs of tus-js-client's Upload, so tests can stand in for it. */
export interface TusUpload {
  start(): void;
  abort(shouldTerminate?: boolean): Promise<void>;
  findPreviousUploads(): Promise<unknown[]>;
  resumeFromPreviousUpload(previous: unknown): void;
}

export type TusFactory = (file: File, options: UploadOptions) => TusUpload;

const defaultFactory: TusFactory = (file, options) => new Upload(file, options) as unknown as TusUpload;

// Retries cover a network that comes back within about two minutes; past that the row waits
// for the browser's "online" event (see resumeOffline).
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10_000, 20_000, 30_000, 60_000];

function isOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

/**
 * shouldRetry retries what a second try may fix: no answer at all, a server error, or a PATCH
 * whose offset the server no longer agrees with (tus then asks the offset with HEAD and resumes
 * from there). A refusal (a quota, a size limit, a permission) is final.
 */
export function shouldRetry(err: DetailedError): boolean {
  if (!isOnline()) return false;
  const status = err.originalResponse?.getStatus() ?? 0;
  if (status === 0 || status >= 500) return true;
  const method = err.originalRequest?.getMethod?.().toUpperCase();
  return (status === 409 || status === 423) && method !== 'POST';
}

type Listener = () => void;

interface Job {
  file: File;
  upload?: TusUpload;
}

/**
 * UploadManager runs the uploads of a page's lifetime with tus, a few at a time, so that they
 * go on while the user moves between folders, resume by themselves after a dropped connection,
 * and tell the list how far each one is.
 */
export class UploadManager {
  private rows: UploadRow[] = [];
  private jobs = new Map<string, Job>();
  private listeners = new Set<Listener>();
  private finished = new Set<(row: UploadRow) => void>();
  private seq = 0;

  constructor(
    private readonly factory: TusFactory = defaultFactory,
    private readonly maxActive = 3,
  ) {}

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): UploadRow[] => this.rows;

  /** onFinished registers what to do when an upload completes (refresh the listing). */
  onFinished(fn: (row: UploadRow) => void): () => void {
    this.finished.add(fn);
    return () => this.finished.delete(fn);
  }

  private dispatch(action: UploadAction) {
    this.rows = reduceUploads(this.rows, action);
    for (const l of this.listeners) l();
  }

  /** add queues files for a space's root or one of its folders and starts as many as may run. */
  add(files: File[], target: { orgID: string; spaceID: string; folderID?: string }): string[] {
    const rows = files.map((file) => {
      const id = `u${++this.seq}-${Date.now().toString(36)}`;
      this.jobs.set(id, { file });
      return { id, name: file.name, size: file.size, sent: 0, status: 'queued' as const, ...target };
    });
    this.dispatch({ type: 'add', rows });
    this.pump();
    return rows.map((r) => r.id);
  }

  private active(): number {
    return this.rows.filter((r) => r.status === 'uploading' || r.status === 'retrying').length;
  }

  private pump() {
    for (const row of this.rows) {
      if (this.active() >= this.maxActive) return;
      if (row.status === 'queued') void this.begin(row);
    }
  }

  private async begin(row: UploadRow) {
    const job = this.jobs.get(row.id);
    if (!job) return;
    this.dispatch({ type: 'start', id: row.id });
    if (!job.upload) job.upload = this.create(row, job.file);
    const upload = job.upload;
    try {
      // The same file dropped again after a reload continues where the last attempt stopped.
      const previous = await upload.findPreviousUploads();
      if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
    } catch {
      // No stored uploads (private mode): start afresh.
    }
    upload.start();
  }

  private create(row: UploadRow, file: File): TusUpload {
    const id = row.id;
    return this.factory(file, {
      endpoint: uploadEndpoint(row.orgID),
      metadata: { filename: file.name, folder: row.folderID ?? row.spaceID },
      retryDelays: RETRY_DELAYS,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req: HttpRequest) => {
        // Cookie-authenticated writes carry the CSRF token, read afresh in case it was renewed.
        if (req.getMethod().toUpperCase() !== 'HEAD') {
          const token = readCookie('canopy_csrf');
          if (token) req.setHeader('X-CSRF-Token', token);
        }
      },
      onShouldRetry: (err) => {
        const retry = shouldRetry(err);
        if (retry) this.dispatch({ type: 'retrying', id });
        return retry;
      },
      onProgress: (sent, total) => this.dispatch({ type: 'progress', id, sent, total }),
      onSuccess: ({ lastResponse }) => {
        const fileID = lastResponse?.getHeader('Canopy-File-ID') || undefined;
        this.dispatch({ type: 'done', id, fileID });
        const done = this.rows.find((r) => r.id === id);
        this.jobs.delete(id);
        if (done) for (const fn of this.finished) fn(done);
        this.pump();
      },
      onError: (err) => {
        const error = tusError(err);
        // Without a network, wait for it to come back rather than give up.
        if (!isOnline() && !(err as DetailedError).originalResponse?.getStatus()) this.dispatch({ type: 'offline', id });
        else this.dispatch({ type: 'error', id, error });
        this.pump();
      },
    });
  }

  /** resumeOffline restarts the uploads that stopped for want of a network; called when it is back. */
  resumeOffline() {
    for (const row of this.rows) if (row.status === 'offline' || (row.status === 'error' && row.error instanceof TypeError)) this.retry(row.id);
  }

  /** retry starts a stopped upload again; tus asks the server's offset and sends only the rest. */
  retry(id: string) {
    const row = this.rows.find((r) => r.id === id);
    if (!row || !this.jobs.has(id) || row.status === 'uploading' || row.status === 'done') return;
    const upload = this.jobs.get(id)!.upload;
    if (!upload) {
      void this.begin(row);
      return;
    }
    this.dispatch({ type: 'start', id });
    upload.start();
  }

  /** cancel stops an upload, tells the server to drop what it has, and takes the row away. */
  cancel(id: string) {
    const job = this.jobs.get(id);
    this.jobs.delete(id);
    void job?.upload?.abort(true).catch(() => undefined);
    this.dispatch({ type: 'remove', id });
    this.pump();
  }

  /** clearFinished takes the completed rows off the list. */
  clearFinished() {
    this.dispatch({ type: 'clearFinished' });
  }
}

/** uploads is the app's one upload manager. */
export const uploads = new UploadManager();

if (typeof window !== 'undefined') window.addEventListener('online', () => uploads.resumeOffline());

/** useUploads follows a manager's rows. */
export function useUploads(manager: UploadManager = uploads): UploadRow[] {
  return useSyncExternalStore(manager.subscribe, manager.getSnapshot, manager.getSnapshot);
}
