// The gzip size of the built files, measured by the same code as `npm run size`. Issue 5's budgets (BUDGETS:
// 12,000 for the IIFE, 9,000 for the smallest real use) are not met yet; `npm run size` reports the gap. Until they
// are, these tests hold the CEILINGS (today's sizes plus ~2%) so that nothing grows unnoticed.
// Needs `npm run build` first (npm test builds before it runs this).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { BUDGETS, CEILINGS, IIFE_FILE, OPTIONAL_FEATURE_MARKERS, measureFile, measureMinimal } from '../../scripts/size.mjs';

describe('size ceiling (budget not yet met)', () => {
  it(`dist/pkce-spa.min.js stays within ${CEILINGS.iife} bytes gzip (target ${BUDGETS.iife})`, () => {
    const { gzip } = measureFile(IIFE_FILE);
    expect(CEILINGS.iife).toBeGreaterThanOrEqual(BUDGETS.iife);
    expect(gzip, `dist/pkce-spa.min.js is ${gzip} bytes gzip; run npm run size for the breakdown`).toBeLessThanOrEqual(CEILINGS.iife);
  });

  it(`the smallest real use, tree-shaken with its dependencies, stays within ${CEILINGS.minimal} bytes gzip (target ${BUDGETS.minimal})`, async () => {
    const minimal = await measureMinimal();
    // The bundle must hold the flows it claims to measure, not a tree-shaken husk.
    expect(minimal.code).toContain('code_challenge_method');
    expect(minimal.code).toContain('authorization_code');
    expect(minimal.code).toContain('refresh_token');
    // Optional features stay out of what the minimal use loads at start: popup/iframe and IndexedDB are lazy chunks.
    expect(minimal.lazy.length).toBeGreaterThanOrEqual(2);
    expect(minimal.code).not.toContain('AES-GCM');
    // DPoP's signer is reached only through the dpop export; PAR and fetchWithAuth are lazy chunks.
    for (const marker of Object.values(OPTIONAL_FEATURE_MARKERS)) expect(minimal.code).not.toContain(marker);
    expect(readFileSync(IIFE_FILE, 'utf8')).toContain(OPTIONAL_FEATURE_MARKERS.dpop);
    expect(minimal.gzip, `the minimal bundle is ${minimal.gzip} bytes gzip; run npm run size for the breakdown`).toBeLessThanOrEqual(CEILINGS.minimal);
  });
});
