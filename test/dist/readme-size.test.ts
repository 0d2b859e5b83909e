// The README's size table shows what the build measures, byte for byte: after a change in size, run `npm run size`
// and copy its figures into README.md. Needs `npm run build` first (npm test builds before it runs this).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { IIFE_FILE, measureFile, measureMinimal } from '../../scripts/size.mjs';

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
