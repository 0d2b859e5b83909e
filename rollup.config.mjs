// Builds and nothing more: the ESM build for bundlers (dependencies external) and the self-contained minified IIFE
// for <script> tags (global PkceSpa). Types come from `tsc -p tsconfig.build.json`.
import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const ts = () => typescript({ tsconfig: './tsconfig.json', declaration: false, compilerOptions: { declaration: false } });

export default [
  {
    input: 'src/index.ts',
    external: ['oauth4webapi', 'idb-keyval'],
    output: { file: 'dist/pkce-spa.mjs', format: 'es' },
    plugins: [ts()],
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/pkce-spa.min.js', format: 'iife', name: 'PkceSpa' },
    plugins: [resolve({ browser: true }), ts(), terser({ format: { comments: false }, compress: { passes: 2 } })],
  },
];
