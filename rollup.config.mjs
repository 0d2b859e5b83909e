// Builds and nothing more: the ESM build for bundlers (dependencies external) and the self-contained minified IIFE
// for <script> tags (global PkceSpa). Types come from `tsc -p tsconfig.build.json`.
import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';

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

const ts = () => typescript({ tsconfig: './tsconfig.json', declaration: false, compilerOptions: { declaration: false } });

export default [
  {
    input: 'src/index.ts',
    external: ['oauth4webapi', 'idb-keyval'],
    // Optional features loaded with import() (popup/iframe, the IndexedDB cache) become chunks that an app's bundler
    // splits off, so the minimal use does not download them.
    output: { dir: 'dist', entryFileNames: 'pkce-spa.mjs', chunkFileNames: (chunk) => `chunks/${chunk.isDynamicEntry ? chunk.name : 'core'}.mjs`, format: 'es' },
    plugins: [ts(), copyCallbackPage()],
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/pkce-spa.min.js', format: 'iife', name: 'PkceSpa', inlineDynamicImports: true },
    plugins: [resolve({ browser: true }), ts(), terser({ format: { comments: false }, compress: { passes: 2 } }), printIntegrity()],
  },
];
