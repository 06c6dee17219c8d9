// Prints the gzipped size of the JavaScript a browser must fetch before the app route (/) can
// render: the entry script of dist/index.html and the chunks it modulepreloads. It fails the
// build when that is over the budget. It also reports the app route with its first lazy page,
// from Vite's manifest, which it then deletes so the manifest is not embedded and served.
// Last, it prints the bytes a first visit downloads as the server sends them: index.html, the
// entry script, its preloads and its stylesheets, in the brotli and gzip variants that
// scripts/compress-dist.mjs wrote (or as they are where there is none).
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET_KB = 300;
// A build elsewhere can be named as the first argument.
const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const attr = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]+)"`))?.[1];
const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
const entry = tags.filter((t) => t.startsWith('<script') && attr(t, 'type') === 'module').map((t) => attr(t, 'src'));
const preloads = tags.filter((t) => t.startsWith('<link') && attr(t, 'rel') === 'modulepreload').map((t) => attr(t, 'href'));
const styles = tags.filter((t) => t.startsWith('<link') && attr(t, 'rel') === 'stylesheet').map((t) => attr(t, 'href'));
if (entry.length === 0) {
  console.error('initial-js-size: no module entry script in dist/index.html');
  process.exit(1);
}
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
  console.error('initial-js-size: dist/index.html has an inline script, which the CSP forbids');
  process.exit(1);
}

const gz = (file) => gzipSync(readFileSync(join(dist, file.replace(/^\//, '')))).length;
const kB = (bytes) => (bytes / 1000).toFixed(1);
const initialFiles = [...new Set([...entry, ...preloads])];
const initial = initialFiles.reduce((sum, f) => sum + gz(f), 0);
for (const f of initialFiles) console.log(`  ${f}  ${kB(gz(f))} kB gzip`);
console.log(`initial JS (gzip): ${kB(initial)} kB (budget ${BUDGET_KB} kB)`);

const manifestPath = join(dist, '.vite', 'manifest.json');
if (existsSync(manifestPath)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const page = manifest['src/chat/ChatApp.tsx'];
  if (page) {
    const seen = new Set(initialFiles.map((f) => f.replace(/^\//, '')));
    const add = (key) => {
      const chunk = manifest[key];
      if (!chunk || seen.has(chunk.file)) return;
      seen.add(chunk.file);
      (chunk.imports ?? []).forEach(add);
    };
    add('src/chat/ChatApp.tsx');
    const total = [...seen].reduce((sum, f) => sum + gz(f), 0);
    console.log(`app route /messages with its lazy page (gzip): ${kB(total)} kB`);
  }
  rmSync(join(dist, '.vite'), { recursive: true, force: true });
}

// As served: the precompressed variant a browser gets, or the file itself.
const served = (file, ext) => {
  const path = join(dist, file.replace(/^\//, ''));
  return existsSync(path + ext) ? statSync(path + ext).size : statSync(path).size;
};
const firstVisit = ['/index.html', ...initialFiles, ...styles];
const raw = firstVisit.reduce((sum, f) => sum + statSync(join(dist, f.replace(/^\//, ''))).size, 0);
const br = firstVisit.reduce((sum, f) => sum + served(f, '.br'), 0);
const gzip = firstVisit.reduce((sum, f) => sum + served(f, '.gz'), 0);
console.log(`first visit (index.html, ${initialFiles.length} scripts, ${styles.length} stylesheets) as served: ` +
  `${kB(br)} kB brotli, ${kB(gzip)} kB gzip (${kB(raw)} kB uncompressed)`);

if (initial > BUDGET_KB * 1000) {
  console.error(`initial JS is over the ${BUDGET_KB} kB budget`);
  process.exit(1);
}
