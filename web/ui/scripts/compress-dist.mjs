// Writes a brotli (.br) and a gzip (.gz) variant beside every compressible file of dist/, so
// that the Go server sends each file in the best encoding the browser accepts without
// compressing anything at run time (web/server/static.go). Both use node's own zlib at its
// highest settings: the cost is paid once per build. A variant that would not save at least
// 5 % is not written, and the file is then sent as it is. Each variant is decompressed again
// and compared, so a broken one fails the build rather than a browser.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';

// A build elsewhere can be named as the first argument.
const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const compressible = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.xml', '.webmanifest', '.map']);

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    // Vite's manifest (.vite/) is for the build scripts only and is deleted, never served.
    if (name.startsWith('.')) continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (compressible.has(extname(name))) files.push(path);
  }
};
walk(dist);

let plain = 0;
let brotli = 0;
for (const path of files) {
  const data = readFileSync(path);
  const variants = [
    ['.br', brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    }), brotliDecompressSync],
    ['.gz', gzipSync(data, { level: 9 }), gunzipSync],
  ];
  let sent = data.length;
  for (const [ext, packed, unpack] of variants) {
    if (packed.length > data.length * 0.95) continue;
    if (!unpack(packed).equals(data)) {
      console.error(`compress-dist: the ${ext} variant of ${relative(dist, path)} does not decompress to the file`);
      process.exit(1);
    }
    writeFileSync(path + ext, packed);
    sent = Math.min(sent, packed.length);
  }
  plain += data.length;
  brotli += sent;
}
console.log(`compress-dist: ${files.length} files, ${(plain / 1000).toFixed(1)} kB → ${(brotli / 1000).toFixed(1)} kB as served (brotli)`);
