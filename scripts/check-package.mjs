// `npm run package` (and npm test): packs the package as `npm publish` would and checks the tarball users get:
// - publint: package.json fields against the packed files (exports, types, files, sideEffects...);
// - @arethetypeswrong/cli: the types resolve for every entry point under moduleResolution node10, node16 and bundler.
//   pkce-spa is ESM only, so "require() resolves to ESM" is expected and ignored; everything else fails the check.
// - the files a user needs are in the tarball: types, the callback page, the ESM source maps, both IIFEs, LICENSE.
// Exits non-zero on any error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './stale.mjs';

const BIN = join(ROOT, 'node_modules', '.bin');
/** Files that must be in the tarball (paths inside it, under package/). */
export const REQUIRED_FILES = [
  'LICENSE',
  'README.md',
  'package.json',
  'dist/pkce-spa.mjs',
  'dist/pkce-spa.mjs.map',
  'dist/chunks/core.mjs',
  'dist/chunks/core.mjs.map',
  'dist/react.mjs',
  'dist/react.mjs.map',
  'dist/vue.mjs',
  'dist/vue.mjs.map',
  'dist/testing.mjs',
  'dist/testing.mjs.map',
  'dist/pkce-spa.min.js',
  'dist/pkce-spa.js',
  'dist/silent-callback.html',
  'dist/types/index.d.ts',
  'dist/types/react/index.d.ts',
  'dist/types/vue/index.d.ts',
  'dist/types/testing/index.d.ts',
];

const dir = mkdtempSync(join(tmpdir(), 'pkce-spa-pack-'));
let failed = false;
const step = (name, file, args) => {
  try {
    execFileSync(file, args, { cwd: ROOT, stdio: 'inherit' });
  } catch {
    console.error(`package: ${name} failed`);
    failed = true;
  }
};
try {
  const [{ filename, files }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const tarball = join(dir, filename);
  const packed = new Set(files.map((f) => f.path));
  const missing = REQUIRED_FILES.filter((f) => !packed.has(f));
  if (missing.length) {
    console.error(`package: the tarball lacks ${missing.join(', ')} (run npm run build first?)`);
    failed = true;
  }
  step('publint', join(BIN, 'publint'), ['run', tarball, '--level', 'warning']);
  step('attw', join(BIN, 'attw'), [
    tarball,
    '--ignore-rules',
    'cjs-resolves-to-esm',
    '--format',
    'table-flipped',
    '--no-emoji',
    '--no-color',
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log('package: publint and attw found no errors; the tarball has every required file');
