import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Unit tests: the DOM-free core (tests beside the code), the state classes (src/state/*.svelte.ts, compiled by the
// Svelte plugin and run on Svelte's client runtime so $derived and $effect behave as in the page) and the CLI
// tests in tests/.
export default defineConfig({
  plugins: [svelte({ configFile: false })],
  resolve: { conditions: ['browser'] },
  test: {
    include: ['src/**/*.test.ts', 'training/**/*.test.ts', 'tests/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/setup-tmp.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
