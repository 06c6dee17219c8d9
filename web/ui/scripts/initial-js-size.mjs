// Prints the gzipped size of the JavaScript a browser must fetch before the app route (/) can
// render: the entry script of dist/index.html and the chunks it modulepreloads. It fails the
// build when that is over the budget. It also reports the app route with its first lazy page,
// from Vite's manifest, which it then deletes so the manifest is not embedded and served.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET_KB = 300;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const attr = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]+)"`))?.[1];
const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
const entry = tags.filter((t) => t.startsWith('<script') && attr(t, 'type') === 'module').map((t) => attr(t, 'src'));
const preloads = tags.filter((t) => t.startsWith('<link') && attr(t, 'rel') === 'modulepreload').map((t) => attr(t, 'href'));
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
  const page = manifest['src/pages/ModulePage.tsx'];
  if (page) {
    const seen = new Set(initialFiles.map((f) => f.replace(/^\//, '')));
    const add = (key) => {
      const chunk = manifest[key];
      if (!chunk || seen.has(chunk.file)) return;
      seen.add(chunk.file);
      (chunk.imports ?? []).forEach(add);
    };
    add('src/pages/ModulePage.tsx');
    const total = [...seen].reduce((sum, f) => sum + gz(f), 0);
    console.log(`app route /messages with its lazy page (gzip): ${kB(total)} kB`);
  }
  rmSync(join(dist, '.vite'), { recursive: true, force: true });
}

if (initial > BUDGET_KB * 1000) {
  console.error(`initial JS is over the ${BUDGET_KB} kB budget`);
  process.exit(1);
}
