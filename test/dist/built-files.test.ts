/**
 * The built files, as a consumer gets them: the ESM build imported in plain Node (server-side rendering), the
 * minified IIFE evaluated with nothing but the globals it needs, and the package.json entry points.
 * `npm test` builds first; on its own, run `npm run build` before this file.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ESM = path.join(ROOT, 'dist/pkce-spa.mjs');
const IIFE = path.join(ROOT, 'dist/pkce-spa.min.js');
const IIFE_DEBUG = path.join(ROOT, 'dist/pkce-spa.js');
/** oauth4webapi messages (3.x) that the SDK's bundle reaches: kept in dist/pkce-spa.js, codes in dist/pkce-spa.min.js. */
const OAUTH4WEBAPI_MESSAGES = ['unexpected JWT "iss" (issuer) claim value', '"response" must be an instance of Response', '"response" body "access_token" property'];
const PUBLIC_EXPORTS = ['AuthError', 'PkceClient', 'createPkceClient', 'isAuthError'];
const OPTIONS = { issuer: 'https://id.example.test', clientId: 'spa', redirectUri: 'https://app.example.test/' };
/** Browser globals the core must not touch at import time or in a constructor. */
const BROWSER_GLOBALS = ['window', 'document', 'sessionStorage', 'localStorage', 'indexedDB', 'location', 'history'];

type Api = typeof import('../../src/index.js');

const run = promisify(execFile);

/** Runs an ES module in a fresh `node` process (no vitest, no shims) from the package root; returns its stdout JSON. */
// oxlint-disable-next-line typescript/no-explicit-any -- JSON from another process; each test reads its own shape
async function plainNode(source: string): Promise<any> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '--no-warnings', '-e', source], { cwd: ROOT });
  return JSON.parse(stdout);
}

/** Evaluates the IIFE in a new realm (like another window or iframe) holding only `globals`. */
function iifeInNewRealm(globals: Record<string, unknown>, file = IIFE): { api: Api; context: vm.Context } {
  const context = vm.createContext({ ...globals });
  vm.runInContext(readFileSync(file, 'utf8'), context, { filename: file });
  return { api: (context as { PkceSpa: Api }).PkceSpa, context };
}

/** Evaluates the IIFE in this realm (a second bundle on the same page) without touching globalThis. */
function iifeInThisRealm(): Api {
  return new Function(`${readFileSync(IIFE, 'utf8')}\n;return PkceSpa;`)() as Api;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

beforeAll(() => {
  for (const file of [ESM, IIFE]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` first (npm test builds before testing).`);
  }
});

describe('dist/pkce-spa.mjs in plain Node', () => {
  it('imports without browser globals, exports the public API and constructs a client without touching globals', async () => {
    const result = await plainNode(`
      const names = ${JSON.stringify(BROWSER_GLOBALS)};
      const present = names.filter((n) => n in globalThis);
      const touched = [];
      for (const name of names) {
        Object.defineProperty(globalThis, name, { configurable: true, get() { touched.push(name); return undefined; } });
      }
      const m = await import(${JSON.stringify(pathToFileURL(ESM).href)});
      const touchedByImport = [...touched];
      const client = new m.PkceClient(${JSON.stringify(OPTIONS)});
      let invalid;
      try { new m.PkceClient({ clientId: 'spa' }); } catch (e) {
        invalid = { code: e.code, isAuthError: m.isAuthError(e), instance: e instanceof m.AuthError, message: e.message };
      }
      console.log(JSON.stringify({
        present, touchedByImport, touched,
        exports: Object.keys(m).sort(),
        types: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v])),
        state: client.getState(), isAuthenticated: client.isAuthenticated(),
        invalid,
      }));
    `);

    expect(result.present).toEqual([]); // really plain Node: none of these exist
    expect(result.touchedByImport).toEqual([]);
    expect(result.touched).toEqual([]);
    expect(result.exports).toEqual(expect.arrayContaining(PUBLIC_EXPORTS));
    expect(result.types).toMatchObject({ createPkceClient: 'function', PkceClient: 'function', AuthError: 'function', isAuthError: 'function' });
    expect(result.state).toEqual({ status: 'loading' });
    expect(result.isAuthenticated).toBe(false);
    expect(result.invalid).toMatchObject({ code: 'invalid_options', isAuthError: true, instance: true, message: expect.stringContaining('issuer') });
  });

  it('imports nothing but its declared dependencies (no react, no vue in the core)', () => {
    // The entry and every chunk it reaches (relative imports, static or dynamic); only bare specifiers are dependencies.
    const files = [ESM];
    const specifiers: string[] = [];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/(?:(?:^|[\s;])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?|import\()['"]([^'"]+)['"]/g)) {
        const specifier = m[1]!;
        if (!specifier.startsWith('.')) specifiers.push(specifier);
        else if (!files.includes(path.resolve(path.dirname(file), specifier))) files.push(path.resolve(path.dirname(file), specifier));
      }
    }
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(files.length).toBeGreaterThan(1);
    expect(specifiers.length).toBeGreaterThan(0);
    for (const specifier of specifiers) expect(Object.keys(pkg.dependencies)).toContain(specifier);
    expect(specifiers).toContain('oauth4webapi');
  });
});

describe('dist/pkce-spa.min.js', () => {
  it('defines PkceSpa with the ESM build\'s exports in a fresh context holding only TextEncoder, TextDecoder and URL', async () => {
    const esm = (await import(ESM)) as Api;
    const touched: string[] = [];
    const traps = Object.fromEntries(BROWSER_GLOBALS.map((name) => [name, undefined]));
    const { api, context } = iifeInNewRealm({ TextEncoder, TextDecoder, URL, ...traps });
    for (const name of BROWSER_GLOBALS) {
      Object.defineProperty(context, name, { configurable: true, get: () => void touched.push(name) });
    }

    expect(Object.keys(api).sort()).toEqual(Object.keys(esm).sort());
    for (const name of PUBLIC_EXPORTS) expect(typeof api[name as keyof Api]).toBe(typeof esm[name as keyof Api]);
    // PkceSpa is the only global it adds.
    expect(Object.keys(context).filter((k) => !['TextEncoder', 'TextDecoder', 'URL', ...BROWSER_GLOBALS].includes(k))).toEqual(['PkceSpa']);

    const client = new api.PkceClient(OPTIONS);
    expect(client.getState()).toEqual({ status: 'loading' });
    expect(touched).toEqual([]);
    expect(thrown(() => new api.PkceClient({ ...OPTIONS, issuer: 'http://id.example.test' }))).toMatchObject({ code: 'invalid_options', name: 'AuthError' });
  });

  it('causes stay readable in the minified build: fixed names, messages, no Event for a timeout', async () => {
    const iife = iifeInThisRealm();
    const start = (fetch: typeof globalThis.fetch, extra: Record<string, unknown> = {}) =>
      iife.createPkceClient({ ...OPTIONS, fetch, ...extra } as never).then(() => undefined, (e: Error & { code: string }) => e);
    const noIssuer = await start((async () => new Response('{}', { headers: { 'content-type': 'application/json' } })) as typeof fetch);
    expect(noIssuer).toMatchObject({ name: 'AuthError', code: 'invalid_response' });
    // Our own message (the minified build carries only oauth4webapi's error codes, scripts/strip-messages.mjs).
    expect(noIssuer!.message).toContain('is not a discovery document (no "issuer")');
    const silent = await start((() => new Promise<Response>(() => {})) as typeof fetch, { timeoutMs: 50 });
    expect(silent).toMatchObject({ code: 'timeout' });
    expect(String(silent!.cause)).toBe('TimeoutError: aborted after 50 ms');
  });

  it('an AuthError from the IIFE copy on the same page is recognised by the ESM copy\'s isAuthError, and back', async () => {
    const esm = (await import(ESM)) as Api;
    const iife = iifeInThisRealm();
    expect(iife.AuthError).not.toBe(esm.AuthError); // really two copies

    const fromIife = thrown(() => new iife.PkceClient({ ...OPTIONS, clientId: '' }));
    const fromEsm = thrown(() => new esm.PkceClient({ ...OPTIONS, clientId: '' }));

    expect(fromIife instanceof esm.AuthError).toBe(false);
    expect(esm.isAuthError(fromIife)).toBe(true);
    expect(iife.isAuthError(fromEsm)).toBe(true);
    expect(fromIife).toMatchObject({ code: 'invalid_options' });
    expect(esm.isAuthError(new Error('plain'))).toBe(false);
    expect(esm.isAuthError({ name: 'AuthError', code: 'x' })).toBe(false);
  });

  it('an AuthError from a copy in another realm (another window or iframe) is recognised by isAuthError', async () => {
    // isAuthError's JSDoc: "works across bundles and windows"; a window is a separate JavaScript realm.
    const esm = (await import(ESM)) as Api;
    const { api } = iifeInNewRealm({ TextEncoder, TextDecoder, URL });

    const fromOtherRealm = thrown(() => new api.PkceClient({ ...OPTIONS, clientId: '' }));

    expect(fromOtherRealm).toMatchObject({ name: 'AuthError', code: 'invalid_options' });
    expect(esm.isAuthError(fromOtherRealm)).toBe(true);
  });
});

describe('dist/pkce-spa.js, the unminified IIFE for debugging', () => {
  it('defines the same PkceSpa as dist/pkce-spa.min.js', () => {
    const min = iifeInNewRealm({ TextEncoder, TextDecoder, URL }).api;
    const debug = iifeInNewRealm({ TextEncoder, TextDecoder, URL }, IIFE_DEBUG).api;
    expect(Object.keys(debug).sort()).toEqual(Object.keys(min).sort());
    expect(thrown(() => new debug.PkceClient({ ...OPTIONS, clientId: '' }))).toMatchObject({ code: 'invalid_options', name: 'AuthError' });
  });

  it("keeps oauth4webapi's messages, which the minified IIFE replaces with their codes", () => {
    const debug = readFileSync(IIFE_DEBUG, 'utf8');
    const min = readFileSync(IIFE, 'utf8');
    for (const message of OAUTH4WEBAPI_MESSAGES) {
      expect(debug).toContain(message);
      expect(min).not.toContain(message);
    }
    // The codes are still there: AuthError maps oauth4webapi's errors by code.
    expect(min).toContain('OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    expect(min).toContain('OAUTH_INVALID_RESPONSE');
  });
});

describe('dist/react.mjs and dist/vue.mjs', () => {
  const ADAPTERS = { react: path.join(ROOT, 'dist/react.mjs'), vue: path.join(ROOT, 'dist/vue.mjs') };
  /** The module specifiers of a file's static imports and exports. */
  const importsOf = (source: string) =>
    [...source.matchAll(/(?:^|[\s;])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(['"]([^'"]+)['"]/g)].map((m) => (m[1] ?? m[2])!);

  it('import the core only from ./pkce-spa.mjs and carry no second copy of it (no second AuthError)', () => {
    for (const [framework, file] of Object.entries(ADAPTERS)) {
      const source = readFileSync(file, 'utf8');
      expect(importsOf(source).sort(), file).toEqual(['./pkce-spa.mjs', framework].sort());
      expect(source).not.toMatch(/class\s+AuthError\b/);
      expect(source).not.toMatch(/oauth4webapi|idb-keyval|handleRedirectCallback\s*\(\s*url/);
    }
  });

  it("dist/react.mjs starts with 'use client' (React Server Components), dist/vue.mjs does not", () => {
    expect(readFileSync(ADAPTERS.react, 'utf8')).toMatch(/^'use client';\n/);
    expect(readFileSync(ADAPTERS.vue, 'utf8')).not.toContain('use client');
  });

  it('the core (ESM build, its chunks) and the IIFE reference neither react nor vue', () => {
    const chunks = path.join(ROOT, 'dist/chunks');
    const files = [ESM, IIFE, ...readdirSync(chunks).map((f) => path.join(chunks, f))];
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/['"`](react|react-dom|vue)(\/[^'"`]*)?['"`]/);
    // The IIFE keeps no comments, so not even the word.
    expect(readFileSync(IIFE, 'utf8')).not.toMatch(/\b(react|vue)\b/i);
  });

  it("in plain Node, 'pkce-spa/react' and 'pkce-spa/vue' resolve through exports, render on the server and throw the core's own AuthError", async () => {
    const result = await plainNode(`
      import { createElement } from 'react';
      import { renderToString } from 'react-dom/server';
      import { createSSRApp, h } from 'vue';
      import { renderToString as renderVue } from 'vue/server-renderer';
      const core = await import('pkce-spa');
      const react = await import('pkce-spa/react');
      const vue = await import('pkce-spa/vue');
      const describe = (e) => ({ instance: e instanceof core.AuthError, code: e.code, message: e.message });
      const client = new core.PkceClient(${JSON.stringify(OPTIONS)});
      const Status = () => createElement('p', null, react.useAuth().status);
      const reactHtml = renderToString(createElement(react.AuthProvider, { client }, createElement(Status)));
      let reactError;
      try { renderToString(createElement(Status)); } catch (e) { reactError = describe(e); }
      const app = createSSRApp({ setup() { const auth = vue.useAuth(); return () => h('p', auth.state.value.status); } });
      const vueHtml = await renderVue(app.use(vue.createAuth(client)));
      let vueError;
      try { vue.useAuth(); } catch (e) { vueError = describe(e); }
      console.log(JSON.stringify({
        resolved: [import.meta.resolve('pkce-spa/react'), import.meta.resolve('pkce-spa/vue')],
        reactHtml, vueHtml, reactError, vueError,
        guard: await vue.createAuthGuard(client)({ fullPath: '/orders' }),
        state: client.getState(),
      }));
    `);

    expect(result.resolved).toEqual([pathToFileURL(ADAPTERS.react).href, pathToFileURL(ADAPTERS.vue).href]);
    expect(result.reactHtml).toBe('<p>loading</p>');
    expect(result.vueHtml).toBe('<p>loading</p>');
    // One core: the adapters' AuthError is the class that 'pkce-spa' exports.
    expect(result.reactError).toMatchObject({ instance: true, code: 'invalid_options', message: expect.stringContaining('AuthProvider') });
    expect(result.vueError).toMatchObject({ instance: true, code: 'invalid_options', message: expect.stringContaining('createAuth') });
    expect(result.guard).toBe(true); // on the server the guard lets the page render `loading`; the browser's guard decides
    expect(result.state).toEqual({ status: 'loading' }); // nothing started on the server
  });
});

describe('package.json entry points', () => {
  // oxlint-disable-next-line typescript/no-explicit-any -- package.json as JSON; the tests check its shape
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;

  /** Every path string under `exports`, with where it was found. */
  function exportTargets(node: unknown, where = 'exports'): [string, string][] {
    if (typeof node === 'string') return [[where, node]];
    if (node && typeof node === 'object') {
      return Object.entries(node).flatMap(([key, value]) => exportTargets(value, `${where}[${JSON.stringify(key)}]`));
    }
    return [];
  }

  it('every file named by exports, main, module, types, unpkg and jsdelivr exists and is published by "files"', () => {
    const named: [string, string][] = [
      ...exportTargets(pkg.exports),
      ...['main', 'module', 'types', 'unpkg', 'jsdelivr'].filter((k) => typeof pkg[k] === 'string').map((k) => [k, pkg[k]] as [string, string]),
    ];
    expect(named.length).toBeGreaterThan(4);
    const files = (pkg.files as string[]).map((f) => path.posix.normalize(f).replace(/\/$/, ''));
    for (const [where, target] of named) {
      expect(target, where).toMatch(/^\.\//);
      expect(existsSync(path.join(ROOT, target)), `${where} -> ${target} exists`).toBe(true);
      const rel = path.posix.normalize(target);
      const published = rel === 'package.json' || files.some((f) => rel === f || rel.startsWith(`${f}/`));
      expect(published, `${where} -> ${target} is inside "files" (${files.join(', ')})`).toBe(true);
    }
    // "types" comes first in each condition object (TypeScript picks the first match).
    for (const [entry, conditions] of Object.entries(pkg.exports as Record<string, unknown>)) {
      if (conditions && typeof conditions === 'object') expect(Object.keys(conditions)[0], `exports["${entry}"]`).toBe('types');
    }
  });

  it("Node resolves 'pkce-spa' through exports to the ESM build, and keeps internal files private", async () => {
    const result = await plainNode(`
      const m = await import('pkce-spa');
      let internal;
      try { import.meta.resolve('pkce-spa/dist/pkce-spa.min.js'); internal = 'resolved'; } catch (e) { internal = e.code; }
      console.log(JSON.stringify({
        main: import.meta.resolve('pkce-spa'),
        pkg: import.meta.resolve('pkce-spa/package.json'),
        exports: Object.keys(m).sort(),
        internal,
      }));
    `);
    expect(result.main).toBe(pathToFileURL(ESM).href);
    expect(result.pkg).toBe(pathToFileURL(path.join(ROOT, 'package.json')).href);
    expect(result.exports).toEqual(expect.arrayContaining(PUBLIC_EXPORTS));
    expect(result.internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('the declared types entry exports what the runtime exports', () => {
    const types = readFileSync(path.join(ROOT, pkg.exports['.'].types), 'utf8');
    for (const name of PUBLIC_EXPORTS) expect(types).toMatch(new RegExp(`\\b${name}\\b`));
  });
});
