// `npm run build`: dist/ from scratch. rollup (the bundles) and tsc (the declarations, and the type check of src/) run
// side by side. On success it stamps .cache/build-stamp.
//
// `node scripts/build.mjs --if-stale` (what `npm start` runs) builds only when an input changed since the last stamp:
// a file under src/ or static/, a build config, package.json or package-lock.json (mtimes). `npm test` always builds
// fresh.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStale, ROOT } from './stale.mjs';

const STAMP = join(ROOT, '.cache', 'build-stamp');
const INPUTS = [
  'src',
  'static',
  'rollup.config.mjs',
  'scripts/build.mjs',
  'scripts/strip-messages.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];
/** What a build leaves in dist/; any of them missing means build again. */
const OUTPUTS = [
  'pkce-spa.mjs',
  'pkce-spa.min.js',
  'pkce-spa.js',
  'react.mjs',
  'vue.mjs',
  'types/index.d.ts',
  'silent-callback.html',
];

if (
  process.argv.includes('--if-stale') &&
  !isStale(
    STAMP,
    INPUTS,
    OUTPUTS.map((f) => join('dist', f)),
  )
) {
  console.log('build: dist/ is up to date');
  process.exit(0);
}

/** Runs a command from node_modules/.bin; resolves when it exits 0. */
const run = (command, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', command), args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });

const started = performance.now();
rmSync(STAMP, { force: true });
rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
try {
  await Promise.all([run('rollup', ['-c', '--silent']), run('tsc', ['-p', 'tsconfig.build.json'])]);
} catch (e) {
  console.error(`build: ${e.message}`);
  process.exit(1);
}
for (const file of OUTPUTS)
  if (!existsSync(join(ROOT, 'dist', file))) throw new Error(`build: dist/${file} was not written`);
mkdirSync(join(ROOT, '.cache'), { recursive: true });
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
console.log(`build: dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
