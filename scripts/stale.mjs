// What each build step makes, from what, and whether it must run again. Shared by scripts/build.mjs,
// scripts/build-demo.mjs and `npm start` (demo/start.mjs), which builds only the stale parts.
//
// A part is fresh when its stamp (.cache/<part>.json, written when the part was last built) exists, every output
// exists, and no input changed since. "Changed" is checked in two steps so that a warm start costs a few stat calls:
// 1. mtimes: no input file is newer than the time the last build started (less a little slack, below) -> fresh;
// 2. otherwise the contents: a hash of every input file (path and bytes) equal to the stamp's -> fresh (a `touch`, a
//    `git checkout` of another branch and back), and the stamp moves forward so that step 1 answers next time.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
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

/**
 * File times are coarse (a few ms on Linux, 1-2 s on some file systems): a file written just before or just after a
 * build started may carry an earlier time than the start. Files that recent are compared by content.
 */
const MTIME_SLACK_MS = 2000;

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

/** The sha256 of each input file, by path relative to the repository: what the part was built from. */
function hashInputs(root, files) {
  return Object.fromEntries(
    files.map((file) => [
      relative(root, file).split(sep).join('/'),
      createHash('sha256').update(readFileSync(file)).digest('base64url'),
    ]),
  );
}

/** The first difference between two hashInputs() results, in words; undefined when they are equal. */
function difference(built, now) {
  for (const [file, hash] of Object.entries(now)) {
    if (!(file in built)) return `${file} is new`;
    if (built[file] !== hash) return `${file} changed`;
  }
  const deleted = Object.keys(built).find((file) => !(file in now));
  return deleted && `${deleted} was deleted`;
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
 * Why `part` must be built ('never built', 'dist/x is missing', 'src/a.ts changed', ...), or undefined when it is fresh.
 * A part whose inputs were only touched (same contents) is fresh, and its stamp is moved forward.
 */
export function staleReason(part, root = ROOT) {
  const stamp = readStamp(root, part);
  if (typeof stamp?.startedAt !== 'number' || typeof stamp.inputs !== 'object' || !stamp.inputs) return 'never built';
  const missing = PARTS[part].outputs.find((output) => !existsSync(join(root, output)));
  if (missing) return `${missing} is missing`;
  const { files, dirs } = inputsOf(root, part);
  const recent = [...files, ...dirs].some((path) => statSync(path).mtimeMs > stamp.startedAt - MTIME_SLACK_MS);
  if (!recent) return undefined;
  const changed = difference(stamp.inputs, hashInputs(root, files));
  if (changed) return changed;
  writeStamp(root, part, { ...stamp, startedAt: Date.now() });
  return undefined;
}

/**
 * Call when a build of `part` starts; call the returned function once it succeeded. The stamp records the start time
 * (so an input edited during the build makes the next start build again) and the hash of each input as it was then.
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
