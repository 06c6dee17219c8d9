import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The build lands in dist/, which the Go package web/ui embeds. dist/.gitkeep must survive a
// build (the embed pattern needs the folder in a fresh clone), so Vite does not empty the
// folder: scripts/clean-dist.mjs does, sparing .gitkeep.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    // The manifest lets scripts/initial-js-size.mjs measure lazy route chunks; the script
    // deletes it afterwards so it is not embedded and served.
    manifest: true,
    sourcemap: false,
    target: 'es2022',
    // Every browser Canopy supports has native modulepreload; the polyfill only costs bytes.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': process.env.CANOPY_DEV_API ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    css: false,
    testTimeout: 60000,
    // Pre-bundle the UI libraries once instead of loading hundreds of small ES modules per test.
    deps: { optimizer: { web: { enabled: true } } },
  },
});
