// Is a build output older than what it is built from? Shared by scripts/build.mjs and scripts/build-demo.mjs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest mtime (ms) of a file, or of any file under a directory; 0 when it does not exist. */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'build') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * True when `stamp` (written at the end of a successful build) is missing, when an output is missing, or when an input
 * (paths relative to the repository, files or directories) changed after the stamp.
 */
export function isStale(stamp, inputs, outputs = []) {
  if (!existsSync(stamp) || outputs.some((f) => !existsSync(join(ROOT, f)))) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => newestMtime(join(ROOT, input)) > built);
}
