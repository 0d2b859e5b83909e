// The reference tables in docs/ follow the code: every error code and every option, with the defaults the code
// applies and the `@defaultValue` its JSDoc states.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions, type ClientOptions } from '../../src/options.js';

const read = (file: string) => readFileSync(resolve(import.meta.dirname, '../..', file), 'utf8');

/** The rows of the first Markdown table under `heading`, as cells (backticks kept). */
function tableRows(markdown: string, heading: string): string[][] {
  const section = markdown.split(new RegExp(`^#+ ${heading}$`, 'm'))[1]?.split(/^#+ /m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

const name = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1] ?? cell;

describe('docs/errors.md', () => {
  it('documents every error code of ours, and no other', () => {
    const union = read('src/errors.ts').split('export type PkceErrorCode =')[1]!.split("';")[0]! + "'";
    const codes = [...union.matchAll(/\| '(\w+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(5);
    const documented = tableRows(read('docs/errors.md'), 'Codes of pkce-spa').map((row) => name(row[0]!));
    expect(documented.sort()).toEqual(codes.sort());
  });
});

describe('docs/options.md', () => {
  const minimal: ClientOptions = {
    issuer: 'https://op.example.test',
    clientId: 'x',
    redirectUri: 'https://app.example.test/',
  };
  const rows = tableRows(read('docs/options.md'), 'Client options');
  const required = ['issuer', 'clientId', 'redirectUri'];

  it('documents every option, and no other', () => {
    const internal = ['issuerUrl', 'allowHttp'];
    const options = Object.keys(resolveOptions(minimal)).filter((k) => !internal.includes(k));
    expect(rows.map((row) => name(row[0]!)).sort()).toEqual(options.sort());
  });

  it('states the default each option gets, as the code applies it', () => {
    const resolved = resolveOptions(minimal) as unknown as Record<string, unknown>;
    // The scope default is normalised: offline_access is added while refreshTokens is on.
    resolved.scope = resolveOptions({ ...minimal, refreshTokens: false }).scope;
    const shown = (v: unknown) =>
      v === undefined ? '—' : `\`${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}\``;
    for (const [option, defaultCell] of rows) {
      const key = name(option!);
      expect(defaultCell, key).toBe(required.includes(key) ? 'required' : shown(resolved[key]));
    }
  });

  it('agrees with the @defaultValue of each option in src/options.ts', () => {
    const source = read('src/options.ts').split('export interface ClientOptions {')[1]!.split('\n}')[0]!;
    const jsdoc = new Map([...source.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+)\??:/g)].map((m) => [m[2]!, m[1]!]));
    for (const [option, defaultCell] of rows) {
      const key = name(option!);
      const tag = /@defaultValue\s+(\S+)/.exec(jsdoc.get(key) ?? '')?.[1];
      if (required.includes(key)) {
        expect(tag, `${key} is required and has no default`).toBeUndefined();
        expect(jsdoc.get(key), key).toContain('Required');
        continue;
      }
      expect(tag, `${key} needs a @defaultValue in src/options.ts`).toBeDefined();
      const fromTag = tag!.replace(/:$/, '') === 'undefined' ? '—' : `\`${tag}\``;
      // Multi-word defaults ('openid profile email') continue past the first space.
      const full = /@defaultValue\s+('[^']*'|\S+)/.exec(jsdoc.get(key)!)![1]!;
      expect(defaultCell, key).toBe(fromTag.startsWith('`') ? `\`${full}\`` : fromTag);
    }
  });
});

describe('links between the docs', () => {
  const root = resolve(import.meta.dirname, '../..');
  const files = [
    'README.md',
    'CONTRIBUTING.md',
    ...readdirSync(resolve(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  const anchors = (markdown: string) =>
    new Set(
      [...markdown.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    );

  it.each(files)('every relative link in %s points at a file and heading that exist', (file) => {
    const text = read(file).replace(/```[\s\S]*?```/g, '');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    for (const link of links) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? join(dirname(file), path) : file;
      expect(existsSync(resolve(root, target)), `${file}: ${link} points at a missing file`).toBe(true);
      if (anchor && target.endsWith('.md')) expect([...anchors(read(target))], `${file}: ${link}`).toContain(anchor);
    }
  });
});
