// The README's size table and CDN snippet show what the build makes, byte for byte: after a change in the build, run
// `npm run size` and copy its figures and the integrity into README.md. Needs `npm run build` first (npm test builds
// before it runs this).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { IIFE_FILE, measureFile, measureMinimal, sriHash } from '../../scripts/size.mjs';

const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** The min and gzip figures of the README's size row that starts with `label`. */
function figures(label: string): { min: number; gzip: number } {
  const row = readme.split('\n').find((line) => line.startsWith(`| ${label}`));
  expect(row, `README.md has no size row starting with "${label}"`).toBeDefined();
  const cells = row!.split('|').slice(1, -1).map((c) => c.trim());
  const number = (cell: string) => Number(cell.replace(/[*,]/g, ''));
  return { min: number(cells.at(-2)!), gzip: number(cells.at(-1)!) };
}

describe('README size figures', () => {
  it('the IIFE row shows the measured size of dist/pkce-spa.min.js', () => {
    expect(figures('`dist/pkce-spa.min.js`'), 'README.md: update the size table from `npm run size`').toEqual(measureFile(IIFE_FILE));
  });

  it('the smallest-real-use row shows the measured size of the tree-shaken minimal bundle', async () => {
    const { min, gzip } = await measureMinimal();
    expect(figures('smallest real use'), 'README.md: update the size table from `npm run size`').toEqual({ min, gzip });
  });
});

describe('README CDN snippet', () => {
  const script = /<script src="https:\/\/cdn\.jsdelivr\.net\/npm\/pkce-spa@([^/]+)\/dist\/pkce-spa\.min\.js"\s+integrity="([^"]+)"/.exec(
    readme,
  );

  it('loads the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(script?.[1], 'README.md: the CDN <script> names no version').toBe(version);
  });

  it('carries the integrity of the built dist/pkce-spa.min.js', () => {
    expect(script?.[2], 'README.md: copy the integrity that `npm run size` prints').toBe(sriHash(IIFE_FILE));
  });
});
