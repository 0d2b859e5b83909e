// What each build step makes, from what, and whether it must run again. Shared by scripts/build.mjs,
// scripts/build-demo.mjs and `npm start` (demo/start.mjs), which builds only the stale parts.
//
// A part is fresh when its stamp (.cache/<part>.json, written when the part was last built) exists, every output
// exists, and no input changed since. "Changed" is checked in two steps so that a warm start costs a few stat calls:
// 1. mtimes: no input file is newer than the time the last build started -> fresh;
// 2. otherwise the contents: a hash of every input file (path and bytes) equal to the stamp's -> fresh (a `touch`, a
//    `git checkout` of another branch and back), and the stamp moves forward so that step 1 answers next time.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The parts: inputs and outputs are paths relative to the repository (a directory means every file under it). */
export const PARTS = {
  /** rollup: the ESM builds, the adapters and both IIFEs (what the demos serve). */
  bundles: {
    inputs: [
      'src',
      'static',
      'rollup.config.mjs',
      'scripts/build.mjs',
      'scripts/stale.mjs',
      'scripts/strip-messages.mjs',
      'tsconfig.json',
      'package.json',
      'package-lock.json',
    ],
    outputs: [
      'dist/pkce-spa.mjs',
      'dist/chunks/core.mjs',
      'dist/pkce-spa.min.js',
      'dist/pkce-spa.js',
      'dist/react.mjs',
      'dist/vue.mjs',
      'dist/testing.mjs',
      'dist/silent-callback.html',
    ],
  },
  /** tsc: the declarations in dist/types (and the type check of src/). `npm start` does not need them. */
  types: {
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'package.json', 'package-lock.json'],
    outputs: ['dist/types/index.d.ts', 'dist/types/react/index.d.ts', 'dist/types/vue/index.d.ts'],
  },
  /** vite: the React and Vue demos, bundled from the BUILT files in dist/ (so a change of src/ that leaves them as
   * they were rebuilds nothing here). */
  demos: {
    inputs: [
      'demo/react',
      'demo/vue',
      'dist/pkce-spa.mjs',
      'dist/chunks',
      'dist/react.mjs',
      'dist/vue.mjs',
      'scripts/build-demo.mjs',
      'scripts/stale.mjs',
      'package-lock.json',
    ],
    outputs: ['demo/build/react/index.html', 'demo/build/vue/index.html'],
  },
};

const stampPath = (root, part) => join(root, '.cache', `${part}.json`);

/** Adds `path` (a file, or a directory with everything under it, sorted) to `found`; nothing if it does not exist. */
function walk(path, found) {
  if (!existsSync(path)) return found;
  if (!statSync(path).isDirectory()) {
    found.files.push(path);
    return found;
  }
  found.dirs.push(path); // a deleted file shows only in its directory's mtime
  for (const entry of readdirSync(path).sort()) walk(join(path, entry), found);
  return found;
}

function inputsOf(root, part) {
  const found = { files: [], dirs: [] };
  for (const input of PARTS[part].inputs) walk(join(root, input), found);
  return found;
}

/** sha256 over the inputs' relative paths and contents: what the part was built from. */
function hashInputs(root, files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.slice(root.length)}\0`).update(readFileSync(file));
  return hash.digest('base64url');
}

function readStamp(root, part) {
  try {
    return JSON.parse(readFileSync(stampPath(root, part), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeStamp(root, part, stamp) {
  mkdirSync(join(root, '.cache'), { recursive: true });
  writeFileSync(stampPath(root, part), `${JSON.stringify(stamp)}\n`);
}

/**
 * Why `part` must be built ('no stamp', 'missing dist/x', 'src/a.ts changed', ...), or undefined when it is fresh.
 * A part whose inputs were only touched (same contents) is fresh, and its stamp is moved forward.
 */
export function staleReason(part, root = ROOT) {
  const stamp = readStamp(root, part);
  if (!stamp || typeof stamp.startedAt !== 'number') return 'never built';
  const missing = PARTS[part].outputs.find((output) => !existsSync(join(root, output)));
  if (missing) return `${missing} is missing`;
  const { files, dirs } = inputsOf(root, part);
  const newer = [...files, ...dirs].find((path) => statSync(path).mtimeMs > stamp.startedAt);
  if (!newer) return undefined;
  if (hashInputs(root, files) !== stamp.inputs) return `${newer.slice(root.length + 1) || '.'} changed`;
  writeStamp(root, part, { ...stamp, startedAt: Date.now() });
  return undefined;
}

/**
 * Call when a build of `part` starts; call the returned function once it succeeded. The stamp records the start time
 * (so an input edited during the build makes the next start build again) and the hash of the inputs as they were then.
 */
export function buildStarted(part, root = ROOT) {
  const startedAt = Date.now();
  const inputs = hashInputs(root, inputsOf(root, part).files);
  return () => writeStamp(root, part, { startedAt, inputs });
}

/** Forgets that `part` was built (before a build that deletes its outputs, or after a failed one). */
export function forget(part, root = ROOT) {
  rmSync(stampPath(root, part), { force: true });
}
