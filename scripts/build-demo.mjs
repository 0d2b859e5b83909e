// Bundles the React and Vue demos (demo/react, demo/vue) with vite into demo/build/{react,vue}, served at /react/ and
// /vue/ by demo/server.mjs. 'pkce-spa', 'pkce-spa/react' and 'pkce-spa/vue' resolve to the BUILT files in dist/, so the
// demos (and e2e/adapters.spec.ts) exercise what npm ships. Run `npm run build` first.
//
// `--if-stale`: only when the demos, the built files they import or the dependencies changed
// (scripts/stale.mjs).
//
// The React demo is a development build on purpose: StrictMode runs effects twice only in development, and the demo is
// there to show that the callback is still handled once. The Vue demo is a production build.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildStarted, forget, ROOT, staleReason } from './stale.mjs';

const DIST = join(ROOT, 'dist');
const CORE = join(DIST, 'pkce-spa.mjs');

const entries = { 'pkce-spa': CORE, 'pkce-spa/react': join(DIST, 'react.mjs'), 'pkce-spa/vue': join(DIST, 'vue.mjs') };
for (const file of Object.values(entries)) {
  if (!existsSync(file)) {
    console.error(`build-demo: ${file} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}
// Exact matches only: a string `find` would also rewrite 'pkce-spa/react' through the 'pkce-spa' entry.
const alias = Object.entries(entries).map(([name, file]) => ({
  find: new RegExp(`^${name.replace('/', '\\/')}$`),
  replacement: file,
}));

const demos = [
  {
    name: 'react',
    mode: 'development',
    define: { 'process.env.NODE_ENV': JSON.stringify('development') },
  },
  {
    name: 'vue',
    mode: 'production',
    // The esm-bundler build of Vue expects these flags (render functions only: no template compiler is bundled).
    define: {
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
  },
];

if (process.argv.includes('--if-stale') && staleReason('demos') === undefined) {
  console.log('build-demo: demo/build is up to date');
  process.exit(0);
}
forget('demos');
const built = buildStarted('demos');
// Imported after the check: loading vite alone takes a second or two.
const { build } = await import('vite');

const started = performance.now();
for (const { name, mode, define } of demos) {
  const graph = { ids: [], importersOfCore: [] };
  await build({
    configFile: false,
    envFile: false,
    root: join(ROOT, 'demo', name),
    base: `/${name}/`,
    mode,
    logLevel: 'warn',
    publicDir: false,
    define,
    resolve: { alias },
    esbuild: { jsx: 'automatic' },
    plugins: [recordGraph(graph)],
    build: {
      outDir: join(ROOT, 'demo', 'build', name),
      emptyOutDir: true,
      target: 'es2022',
      reportCompressedSize: false,
      minify: mode === 'production',
      rollupOptions: {
        // dist/react.mjs starts with 'use client' for React Server Components; a browser bundle drops it, as expected.
        onwarn(warning, warn) {
          // So do react-router's; neither matters in a browser bundle.
          if (
            warning.code === 'MODULE_LEVEL_DIRECTIVE' &&
            (warning.id === entries['pkce-spa/react'] || /[\\/]react-router[\\/]/.test(warning.id ?? ''))
          )
            return;
          warn(warning);
        },
      },
    },
  });
  assertOneCore(name, graph);
}
built();
console.log(`build-demo: demo/build/react and demo/build/vue in ${Math.round(performance.now() - started)} ms`);

/** A vite plugin that records the module graph: every module id, and who imports dist/pkce-spa.mjs. */
function recordGraph(graph) {
  return {
    name: 'record-graph',
    buildEnd() {
      graph.ids = [...this.getModuleIds()];
      graph.importersOfCore = this.getModuleInfo(CORE)?.importers ?? [];
    },
  };
}

/**
 * One core per bundle: the adapter's `./pkce-spa.mjs` import and the app's 'pkce-spa' import must be the same module
 * (dist/pkce-spa.mjs), and nothing may come from src/. A second core would be a second auth state.
 */
function assertOneCore(name, { ids, importersOfCore }) {
  const adapter = entries[`pkce-spa/${name}`];
  const app = join(ROOT, 'demo', name, name === 'react' ? 'main.tsx' : 'main.ts');
  const problems = [];
  if (!importersOfCore.includes(adapter)) problems.push(`the adapter ${adapter} does not import ${CORE}`);
  if (!importersOfCore.includes(app)) problems.push(`the app ${app} does not import ${CORE}`);
  const fromSrc = ids.filter((id) => id.startsWith(join(ROOT, 'src')));
  if (fromSrc.length > 0) problems.push(`sources instead of dist/: ${fromSrc.join(', ')}`);
  const cores = ids.filter((id) => /[\\/]dist[\\/](pkce-spa\.mjs|chunks[\\/]core\.mjs)$/.test(id));
  if (cores.length !== 2)
    problems.push(`expected dist/pkce-spa.mjs + dist/chunks/core.mjs once each, got ${cores.join(', ')}`);
  if (problems.length > 0) {
    console.error(`build-demo (${name}): ${problems.join('; ')}`);
    process.exit(1);
  }
}
