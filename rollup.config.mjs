// Builds and nothing more: the ESM build for bundlers (dependencies external), the React and Vue adapters (which
// import the core from ./pkce-spa.mjs, never a copy of it) and the self-contained minified IIFE for <script> tags
// (global PkceSpa). Types come from `tsc -p tsconfig.build.json`.
import typescriptCompiler from 'typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripMessages } from './scripts/strip-messages.mjs';

/** Ships the ready-made callback page for silentRedirectUri / popups next to the bundles. */
const copyCallbackPage = () => ({
  name: 'copy-callback-page',
  writeBundle() {
    mkdirSync('dist', { recursive: true });
    copyFileSync('static/silent-callback.html', 'dist/silent-callback.html');
  },
});

/** Prints the SRI value of each written chunk, for `<script src=... integrity=... crossorigin>`. */
const printIntegrity = () => ({
  name: 'print-integrity',
  writeBundle(options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk') continue;
      const digest = createHash('sha384').update(chunk.code).digest('base64');
      console.log(`dist/${chunk.fileName} integrity="sha384-${digest}"`);
    }
  },
});

/** src/index.ts, which an adapter imports as '../index.js': the core, kept external and imported from ./pkce-spa.mjs. */
const CORE = fileURLToPath(new URL('src/index.ts', import.meta.url));
const isCore = (id, importer) =>
  (importer && id.startsWith('.') ? resolvePath(dirname(importer), id) : id).replace(/\.js$/, '.ts') === CORE;

/**
 * An adapter entry: ESM, with its framework and the core external. A second core would be a second state, and
 * `instanceof AuthError` would fail for the core's errors.
 */
const adapter = (name, frameworks, banner) => ({
  input: `src/${name}/index.ts`,
  external: (id, importer) => frameworks.some((f) => id === f || id.startsWith(`${f}/`)) || isCore(id, importer),
  output: {
    file: `dist/${name}.mjs`,
    format: 'es',
    banner,
    sourcemap: true,
    paths: (id) => (isCore(id) ? './pkce-spa.mjs' : id),
  },
  plugins: [ts({ sourceMap: true })],
});

/**
 * TypeScript to JavaScript, file by file (`ts.transpileModule`, which tsconfig's `isolatedModules` makes equivalent to a
 * whole-program emit). Type checking is `tsc -p tsconfig.build.json`'s job (the declarations, in the same build), so
 * the six rollup builds do not each load a program: that cost most of the build's time.
 * `sourceMap` for the ESM builds, which ship their maps (sources included) so that a debugger shows src/.
 */
const ts = ({ sourceMap = false } = {}) => ({
  name: 'transpile-typescript',
  resolveId(id, importer) {
    // src/ imports its siblings as './x.js' (the ESM convention); the file on disk is x.ts.
    if (!importer || !id.startsWith('.') || !id.endsWith('.js')) return null;
    const file = resolvePath(dirname(importer), id).replace(/\.js$/, '.ts');
    return existsSync(file) ? file : null;
  },
  transform(code, id) {
    if (!id.endsWith('.ts') || id.includes('/node_modules/')) return null;
    const { outputText, sourceMapText } = typescriptCompiler.transpileModule(code, {
      fileName: id,
      compilerOptions: {
        ...compilerOptions,
        sourceMap,
        inlineSourceMap: false,
        inlineSources: sourceMap,
        declaration: false,
      },
    });
    return {
      code: outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''),
      map: sourceMapText ? JSON.parse(sourceMapText) : null,
    };
  },
});

const { options: compilerOptions } = typescriptCompiler.convertCompilerOptionsFromJson(
  typescriptCompiler.readConfigFile('tsconfig.json', (file) => readFileSync(file, 'utf8')).config.compilerOptions,
  '.',
);

export default [
  {
    input: 'src/index.ts',
    external: ['oauth4webapi', 'idb-keyval'],
    // Optional features loaded with import() (popup/iframe, the IndexedDB cache) become chunks that an app's bundler
    // splits off, so the minimal use does not download them.
    output: {
      dir: 'dist',
      entryFileNames: 'pkce-spa.mjs',
      chunkFileNames: (chunk) => `chunks/${chunk.isDynamicEntry ? chunk.name : 'core'}.mjs`,
      format: 'es',
      sourcemap: true,
    },
    plugins: [ts({ sourceMap: true }), copyCallbackPage()],
  },
  // Rollup drops module-level directives, so the React entry gets 'use client' (React Server Components) as a banner.
  adapter('react', ['react', 'react-dom'], "'use client';"),
  adapter('vue', ['vue']),
  // pkce-spa/testing: the test client, for apps' tests; never in the main bundle.
  adapter('testing', []),
  // The <script> build: minified, with oauth4webapi's messages replaced by their codes (scripts/strip-messages.mjs).
  {
    input: 'src/index.ts',
    output: {
      file: 'dist/pkce-spa.min.js',
      format: 'iife',
      name: 'PkceSpa',
      inlineDynamicImports: true,
      // Rollup's own glue (the inlined import() namespaces) as arrows and unfrozen objects: 24 bytes gzip. Nothing
      // outside the bundle sees those namespaces.
      generatedCode: { preset: 'es2015', symbols: false },
      freeze: false,
    },
    plugins: [
      resolve({ browser: true }),
      ts(),
      stripMessages(),
      terser({ format: { comments: false }, compress: { passes: 2 } }),
      printIntegrity(),
    ],
  },
  // The same, unminified and with every message, for debugging: swap pkce-spa.min.js for pkce-spa.js.
  {
    input: 'src/index.ts',
    output: { file: 'dist/pkce-spa.js', format: 'iife', name: 'PkceSpa', inlineDynamicImports: true },
    plugins: [resolve({ browser: true }), ts()],
  },
];
