import type { DetailedError, HttpRequest, HttpResponse, UploadOptions } from 'tus-js-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { UploadManager, reduceUploads, shouldRetry, tusError, uploadPercent, type TusUpload, type UploadRow } from './uploads';

/** FakeUpload stands in for tus-js-client's Upload: the test plays the server's side through its options. */
class FakeUpload implements TusUpload {
  started = 0;
  aborted?: boolean;
  constructor(
    readonly file: File,
    readonly options: UploadOptions,
  ) {}
  start() {
    this.started++;
  }
  abort(shouldTerminate?: boolean) {
    this.aborted = !!shouldTerminate;
    return Promise.resolve();
  }
  findPreviousUploads() {
    return Promise.resolve([]);
  }
  resumeFromPreviousUpload() {}
}

function response(status: number, body = '', headers: Record<string, string> = {}): HttpResponse {
  return {
    getStatus: () => status,
    getHeader: (h: string) => headers[h],
    getBody: () => body,
    getUnderlyingObject: () => null,
  };
}

function request(method: string): HttpRequest & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return {
    headers,
    getMethod: () => method,
    getURL: () => '/api/v1/orgs/o1/uploads/',
    setHeader: (k: string, v: string) => {
      headers[k] = v;
    },
    getHeader: (k: string) => headers[k],
    setProgressHandler: () => {},
    send: () => Promise.reject(new Error('not sent')),
    abort: () => Promise.resolve(),
    getUnderlyingObject: () => null,
  };
}

function detailed(status: number | undefined, method = 'PATCH'): DetailedError {
  const err = new Error('failed') as DetailedError;
  err.originalRequest = request(method);
  err.originalResponse = status === undefined ? null : response(status);
  err.causingError = null;
  return err;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(maxActive = 3) {
  const made: FakeUpload[] = [];
  const manager = new UploadManager((file, options) => {
    const u = new FakeUpload(file, options);
    made.push(u);
    return u;
  }, maxActive);
  return { manager, made };
}

const file = (name: string, size: number) => new File([new Uint8Array(size)], name);
const target = { orgID: 'o1', spaceID: 's1', folderID: 'f1' };

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'canopy_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('the upload rows', () => {
  it('show each file’s own progress, and never go backwards when a resume resends bytes', () => {
    let rows: UploadRow[] = [];
    const row = (id: string, size: number): UploadRow => ({ id, name: id, size, sent: 0, status: 'queued', orgID: 'o', spaceID: 's' });
    rows = reduceUploads(rows, { type: 'add', rows: [row('a', 1000), row('b', 4000)] });
    rows = reduceUploads(rows, { type: 'progress', id: 'a', sent: 500, total: 1000 });
    rows = reduceUploads(rows, { type: 'progress', id: 'b', sent: 1000, total: 4000 });
    expect(rows.map(uploadPercent)).toEqual([50, 25]);
    // After a dropped connection tus resumes from the server's offset, which may be lower than what the browser sent.
    rows = reduceUploads(rows, { type: 'retrying', id: 'a' });
    rows = reduceUploads(rows, { type: 'progress', id: 'a', sent: 300, total: 1000 });
    expect(uploadPercent(rows[0])).toBe(50);
    expect(rows[0].status).toBe('uploading');
    rows = reduceUploads(rows, { type: 'progress', id: 'a', sent: 1000, total: 1000 });
    // Only the server's answer makes it done.
    expect(uploadPercent(rows[0])).toBe(99);
    rows = reduceUploads(rows, { type: 'done', id: 'a', fileID: 'file-a' });
    expect(rows[0]).toMatchObject({ status: 'done', fileID: 'file-a', sent: 1000 });
    expect(uploadPercent(rows[0])).toBe(100);
    rows = reduceUploads(rows, { type: 'clearFinished' });
    expect(rows.map((r) => r.id)).toEqual(['b']);
  });
});

describe('UploadManager', () => {
  it('uploads several files with tus to the folder, a few at a time, and reads the file id on completion', async () => {
    const { manager, made } = setup(2);
    const finished: string[] = [];
    manager.onFinished((r) => finished.push(r.fileID ?? ''));
    manager.add([file('a.png', 100), file('b.mp4', 200), file('c.pdf', 300)], target);
    await flush();
    expect(made).toHaveLength(2);
    expect(made[0].options.endpoint).toBe('/api/v1/orgs/o1/uploads/');
    expect(made[0].options.metadata).toEqual({ filename: 'a.png', folder: 'f1' });
    expect(made.every((u) => u.started === 1)).toBe(true);
    expect(manager.getSnapshot().map((r) => r.status)).toEqual(['uploading', 'uploading', 'queued']);

    made[0].options.onProgress!(50, 100);
    expect(uploadPercent(manager.getSnapshot()[0])).toBe(50);
    made[0].options.onSuccess!({ lastResponse: response(204, '', { 'Canopy-File-ID': 'file-a' }) });
    await flush();
    // The third starts once one finishes.
    expect(made).toHaveLength(3);
    expect(manager.getSnapshot()[0]).toMatchObject({ status: 'done', fileID: 'file-a' });
    expect(finished).toEqual(['file-a']);
  });

  it('sends the uploads of a space’s root to the space', async () => {
    const { manager, made } = setup();
    manager.add([file('x', 1)], { orgID: 'o1', spaceID: 's1' });
    await flush();
    expect(made[0].options.metadata).toEqual({ filename: 'x', folder: 's1' });
  });

  it('sends the CSRF token with every write, read afresh', async () => {
    const { manager, made } = setup();
    manager.add([file('x', 1)], target);
    await flush();
    document.cookie = 'canopy_csrf=tok-2';
    const patch = request('PATCH');
    await made[0].options.onBeforeRequest!(patch);
    expect(patch.headers['X-CSRF-Token']).toBe('tok-2');
    const head = request('HEAD');
    await made[0].options.onBeforeRequest!(head);
    expect(head.headers['X-CSRF-Token']).toBeUndefined();
  });

  it('shows a refusal with the server’s code, and retries a stopped upload from where the server is', async () => {
    const { manager, made } = setup();
    const [id] = manager.add([file('big.iso', 10)], target);
    await flush();
    const err = detailed(409, 'POST');
    err.originalResponse = response(409, JSON.stringify({ error: { code: 'quota_exceeded', message: 'quota', request_id: 'r' } }));
    made[0].options.onError!(err);
    const row = manager.getSnapshot()[0];
    expect(row.status).toBe('error');
    expect(row.error).toBeInstanceOf(ApiError);
    expect((row.error as ApiError).code).toBe('quota_exceeded');
    manager.retry(id);
    expect(made[0].started).toBe(2);
    expect(manager.getSnapshot()[0].status).toBe('uploading');
  });

  it('waits while offline and resumes by itself when the network is back', async () => {
    const { manager, made } = setup();
    manager.add([file('clip.mp4', 10)], target);
    await flush();
    made[0].options.onProgress!(4, 10);
    vi.stubGlobal('navigator', { onLine: false });
    made[0].options.onError!(detailed(undefined));
    expect(manager.getSnapshot()[0].status).toBe('offline');
    vi.stubGlobal('navigator', { onLine: true });
    manager.resumeOffline();
    expect(made[0].started).toBe(2);
    expect(uploadPercent(manager.getSnapshot()[0])).toBe(40);
  });

  it('cancels an upload and asks the server to drop what it has', async () => {
    const { manager, made } = setup();
    const [id] = manager.add([file('x', 10)], target);
    await flush();
    manager.cancel(id);
    expect(made[0].aborted).toBe(true);
    expect(manager.getSnapshot()).toEqual([]);
  });
});

describe('shouldRetry', () => {
  it('retries a lost connection, a server error and a PATCH whose offset is out of date, not a refusal', () => {
    expect(shouldRetry(detailed(undefined))).toBe(true);
    expect(shouldRetry(detailed(503))).toBe(true);
    expect(shouldRetry(detailed(409, 'PATCH'))).toBe(true);
    expect(shouldRetry(detailed(409, 'POST'))).toBe(false);
    expect(shouldRetry(detailed(413, 'POST'))).toBe(false);
    expect(shouldRetry(detailed(403, 'PATCH'))).toBe(false);
  });
});

describe('tusError', () => {
  it('keeps the server’s code and Retry-After, and calls a missing answer a network failure', () => {
    const err = detailed(429);
    err.originalResponse = response(429, '{"error":{"code":"rate_limited","message":"slow down"}}', { 'Retry-After': '30' });
    const api = tusError(err) as ApiError;
    expect(api).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 30 });
    expect(tusError(detailed(undefined))).toBeInstanceOf(TypeError);
  });
});
