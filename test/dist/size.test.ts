// The gzip size budget of the built files (issue 5), measured by the same code as `npm run size`.
// Needs `npm run build` first (npm test builds before it runs this).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { BUDGETS, IIFE_FILE, measureFile, measureMinimal } from '../../scripts/size.mjs';

describe('size budget', () => {
  it(`dist/pkce-spa.min.js stays within ${BUDGETS.iife} bytes gzip`, () => {
    const { gzip } = measureFile(IIFE_FILE);
    expect(gzip, `dist/pkce-spa.min.js is ${gzip} bytes gzip; run npm run size for the breakdown`).toBeLessThanOrEqual(BUDGETS.iife);
  });

  it(`the smallest real use, tree-shaken with its dependencies, stays within ${BUDGETS.minimal} bytes gzip`, async () => {
    const minimal = await measureMinimal();
    // The bundle must hold the flows it claims to measure, not a tree-shaken husk.
    expect(minimal.code).toContain('code_challenge_method');
    expect(minimal.code).toContain('authorization_code');
    expect(minimal.code).toContain('refresh_token');
    expect(minimal.gzip, `the minimal bundle is ${minimal.gzip} bytes gzip; run npm run size for the breakdown`).toBeLessThanOrEqual(BUDGETS.minimal);
  });
});
