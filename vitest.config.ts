import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup/unit.ts'],
          environment: 'happy-dom',
          environmentOptions: {
            happyDOM: { url: 'https://app.example.test/', settings: { navigation: { disableMainFrameNavigation: true } } },
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
          typecheck: { enabled: true, only: true, include: ['test/types/**/*.test-d.ts'], tsconfig: 'tsconfig.types.json' },
        },
      },
    ],
  },
});
