import { defineConfig } from 'vitest/config';

// Browser tests drive a real Chromium (playwright-core) against the built site served on 127.0.0.1.
// They run one file at a time: two cores cannot host several browsers without timing out.
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/setup-tmp.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
