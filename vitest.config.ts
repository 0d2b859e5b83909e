import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The package's own entry points, as an app imports them (the demos' components), resolved to the sources. */
const self = (entry: string, file: string) => ({
  find: new RegExp(`^${entry.replace('/', '\\/')}$`),
  replacement: fileURLToPath(new URL(file, import.meta.url)),
});

export default defineConfig({
  test: {
    projects: [
      {
        // The demos' components are .tsx with the automatic JSX runtime, as their vite build compiles them.
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'examples/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup/unit.ts'],
          alias: [
            self('pkce-spa', './src/index.ts'),
            self('pkce-spa/react', './src/react/index.ts'),
            self('pkce-spa/vue', './src/vue/index.ts'),
            self('pkce-spa/testing', './src/testing/index.ts'),
          ],
          environment: 'happy-dom',
          environmentOptions: {
            happyDOM: {
              url: 'https://app.example.test/',
              settings: { navigation: { disableMainFrameNavigation: true } },
            },
          },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // The built files as users get them (needs `npm run build`): plain Node, the IIFE in a new realm, the sizes.
        test: {
          name: 'dist',
          include: ['test/dist/**/*.test.ts'],
          // vitest's default exclude has **/dist/**, which would also drop test/dist.
          exclude: ['**/node_modules/**', '**/.git/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'types',
          // Type tests of the public API (test/types/*.test-d.ts): checked by tsc, never executed.
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ['test/types/**/*.test-d.ts'],
            tsconfig: 'tsconfig.types.json',
          },
        },
      },
    ],
  },
});
