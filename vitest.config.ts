import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Generated modules import `segc/runtime`; the tests run them against the sources.
    alias: [
      {
        find: /^segc\/runtime$/,
        replacement: fileURLToPath(new URL('./src/codegen/runtime/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { SEGC_VERIFY_IR: '1' },
  },
});
