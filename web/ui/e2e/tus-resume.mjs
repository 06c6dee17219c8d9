// Uploads one file to Canopy with tus-js-client, the tus client the app and Uppy use, from Node,
// and prints the outcome as one line of JSON. The Go test TestTusJSClientResumes
// (cmd/canopy/tus_test.go) runs it through a TCP proxy that cuts the connection half-way, and
// checks that the client resumed from the server's offset and that the stored file is intact.
//
//   node tus-resume.mjs <endpoint> <file> <name>
//
// Environment: CANOPY_TUS_HEADERS, a JSON object of request headers (the session cookie and the
// CSRF token); CANOPY_TUS_CHUNK, the chunk size in bytes (unset: the whole rest in one PATCH);
// CANOPY_TUS_FOLDER, the folder or space id to upload into (unset: the personal space).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { Upload } = createRequire(import.meta.url)('tus-js-client');

const [endpoint, path, name] = process.argv.slice(2);
if (!endpoint || !path || !name) {
  console.error('usage: node tus-resume.mjs <endpoint> <file> <name>');
  process.exit(2);
}
const data = readFileSync(path);
const chunk = process.env.CANOPY_TUS_CHUNK ? Number(process.env.CANOPY_TUS_CHUNK) : Infinity;
const metadata = { filename: name };
if (process.env.CANOPY_TUS_FOLDER) metadata.folder = process.env.CANOPY_TUS_FOLDER;
// The errors the client recovered from by retrying, to show that it did.
const retried = [];

const upload = new Upload(data, {
  endpoint,
  metadata,
  chunkSize: chunk,
  headers: JSON.parse(process.env.CANOPY_TUS_HEADERS ?? '{}'),
  // Resume at once, then back off; a PATCH the server is still ending answers 409 upload_busy,
  // which tus-js-client retries too.
  retryDelays: [0, 100, 250, 500, 1000, 1000, 2000, 2000, 4000],
  onShouldRetry(err) {
    const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
    retried.push(status ? `${status}` : String(err.causingError ?? err).slice(0, 200));
    return !(status >= 400 && status < 500) || status === 409 || status === 423;
  },
  onError(err) {
    console.log(JSON.stringify({ ok: false, error: String(err).slice(0, 2000), retried }));
    process.exit(1);
  },
  onSuccess({ lastResponse }) {
    console.log(JSON.stringify({ ok: true, url: upload.url, fileId: lastResponse.getHeader('Canopy-File-ID') ?? '', retried }));
  },
});
upload.start();
