import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/options.js';

const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** The first-column values of the Markdown table under `heading`. */
function tableKeys(heading: string): string[] {
  const section = readme.split(`## ${heading}`)[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

describe('README', () => {
  it('documents every error code of ours, and no other', () => {
    const source = readFileSync(resolve(import.meta.dirname, '../../src/errors.ts'), 'utf8');
    const union = source.split('export type PkceErrorCode =')[1]!.split("';")[0]! + "'";
    const codes = [...union.matchAll(/\| '(\w+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(5);
    expect(tableKeys('Error codes').sort()).toEqual(codes.sort());
  });

  it('documents every option, and no other', () => {
    const resolved = resolveOptions({ issuer: 'https://op.example.test', clientId: 'x', redirectUri: 'https://app.example.test/' });
    const internal = ['issuerUrl', 'allowHttp'];
    const options = Object.keys(resolved).filter((k) => !internal.includes(k));
    expect(tableKeys('Options').sort()).toEqual(options.sort());
  });
});
