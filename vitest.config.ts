import { defineConfig } from 'vitest/config';

// Unit tests: the DOM-free core (tests beside the code) and the CLI tests in tests/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'training/**/*.test.ts', 'tests/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/setup-tmp.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
