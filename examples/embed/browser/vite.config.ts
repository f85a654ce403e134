/**
 * In an app that installed segc, Vite resolves `segc`, `segc/web` and `segc/runtime` from
 * node_modules and needs no aliases. Inside this repository the package is the sources.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const source = (path: string) => fileURLToPath(new URL(`../../../src/${path}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^segc$/, replacement: source('index.ts') },
      { find: /^segc\/web$/, replacement: source('web/index.ts') },
      { find: /^segc\/runtime$/, replacement: source('codegen/runtime/index.ts') },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
});
