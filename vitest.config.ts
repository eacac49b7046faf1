import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Debian's chromium for the dashboard's browser tests: installed when missing (as root), never downloaded.
    globalSetup: ['test/dashboard/browser-install.ts'],
  },
});
