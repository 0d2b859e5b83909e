// `npm run build`: dist/ from scratch. rollup (the bundles) and tsc (the declarations in dist/types, and the type check
// of src/) run side by side; each stamps its part (scripts/stale.mjs) when it succeeds.
//
// `node scripts/build.mjs --if-stale` builds only the parts whose inputs changed since their stamp, and `--only bundles`
// or `--only types` builds one part. `npm start` builds the bundles only when stale (the demos need no declarations);
// `npm test` always builds everything fresh.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildStarted, forget, PARTS, ROOT, staleReason } from './stale.mjs';

/** Each part: the command that builds it and what to delete first. */
const STEPS = {
  bundles: {
    command: ['rollup', ['-c', '--silent']],
    // Everything rollup writes (dist/types belongs to tsc).
    clean: () => {
      rmSync(join(ROOT, 'dist', 'chunks'), { recursive: true, force: true });
      for (const file of ['pkce-spa', 'react', 'vue', 'testing'].flatMap((n) => [`${n}.mjs`, `${n}.mjs.map`]))
        rmSync(join(ROOT, 'dist', file), { force: true });
      for (const file of ['pkce-spa.min.js', 'pkce-spa.js', 'silent-callback.html'])
        rmSync(join(ROOT, 'dist', file), { force: true });
    },
  },
  types: {
    command: ['tsc', ['-p', 'tsconfig.build.json']],
    clean: () => rmSync(join(ROOT, 'dist', 'types'), { recursive: true, force: true }),
  },
};

/** Runs a command from node_modules/.bin; resolves when it exits 0. */
const run = (command, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', command), args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`)),
    );
  });

/** Builds one part: clean, run, check the outputs, stamp. */
async function buildPart(part) {
  const { command, clean } = STEPS[part];
  forget(part);
  clean();
  const built = buildStarted(part);
  await run(...command);
  const missing = PARTS[part].outputs.filter((output) => !existsSync(join(ROOT, output)));
  if (missing.length > 0) throw new Error(`${command[0]} did not write ${missing.join(', ')}`);
  built();
}

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && !(only in STEPS)) {
  console.error(`build: --only takes ${Object.keys(STEPS).join(' or ')}, got ${only}`);
  process.exit(2);
}
const parts = only ? [only] : Object.keys(STEPS);
const todo = argv.includes('--if-stale') ? parts.filter((part) => staleReason(part) !== undefined) : parts;
if (todo.length === 0) {
  console.log(`build: dist/ is up to date (${parts.join(', ')})`);
  process.exit(0);
}

const started = performance.now();
if (todo.length === Object.keys(STEPS).length) rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
try {
  await Promise.all(todo.map(buildPart));
} catch (e) {
  console.error(`build: ${e.message}`);
  process.exit(1);
}
console.log(`build: ${todo.join(' and ')} in dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
