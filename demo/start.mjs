// `npm start` (scripts/start.sh runs it after scripts/install.sh), or `node demo/start.mjs`: builds what is stale, starts
// the demo servers meanwhile, and prints the URLs once each of them answers. OP_PORT / APP_PORT / ACCESS_TOKEN_TTL
// env vars; DEMO_ORIGINS adds your own app, e.g. DEMO_ORIGINS=http://localhost:5173: its redirect and post-logout
// URIs and CORS.
//
// What is stale is decided by scripts/stale.mjs (stamps of the inputs): when nothing changed, nothing is built and no
// build tool is loaded. The demo needs the bundles in dist/ (rollup) and, built from them, the React and Vue demos
// (vite); the declarations (tsc) are for `npm run build` and `npm test`.
//
// `node demo/start.mjs --check` prints what a start would build (one line per stale part) and exits 1 if anything is
// stale, 0 if nothing is (the warm-start test runs it).
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { join } from 'node:path';
import { ROOT, staleReason } from '../scripts/stale.mjs';

/** What `npm start` builds, in order (the demos are bundled from dist/), and how. */
const BUILDS = [
  { part: 'bundles', script: 'scripts/build.mjs', args: ['--only', 'bundles'] },
  { part: 'demos', script: 'scripts/build-demo.mjs', args: [] },
];

if (process.argv.includes('--check')) {
  let stale = 0;
  for (const { part } of BUILDS) {
    const reason = staleReason(part);
    if (reason) console.log(`${part}: ${reason}`);
    stale += reason ? 1 : 0;
  }
  if (stale === 0) console.log('nothing is stale');
  process.exit(stale === 0 ? 0 : 1);
}

const opPort = Number(process.env.OP_PORT ?? 4400);
const appPort = Number(process.env.APP_PORT ?? 4401);

const children = new Set();
let demo;
let stopping = false;

/** Stops every build and server this process started, then exits with `code`. */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  // Each build runs in its own process group (rollup, tsc and esbuild run under it): stop the whole group.
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM'); // no process groups (Windows), or already gone
    }
  }
  try {
    await demo?.close();
  } finally {
    process.exit(code);
  }
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** Runs `node script ...args` in the repository; resolves when it exits 0. */
function runNode(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: 'inherit',
      detached: process.platform !== 'win32',
    });
    children.add(child);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${script} exited with ${signal ?? code}`));
    });
  });
}

/** Builds the stale parts, one after the other (each may depend on the one before). */
async function buildStale() {
  const fresh = [];
  for (const { part, script, args } of BUILDS) {
    const reason = staleReason(part);
    if (!reason) {
      fresh.push(part);
      continue;
    }
    console.log(`${part}: ${reason}, building`);
    await runNode(script, args);
  }
  if (fresh.length === BUILDS.length) console.log('Nothing to build: dist/ and demo/build/ are up to date.');
}

/** Resolves with the HTTP status of a GET to `url` (the body is discarded). */
function statusOf(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', reject);
  });
}

async function main() {
  // The servers start while the builds run; they serve nothing stale, since the URLs are printed after both.
  await Promise.all([
    buildStale(),
    // oidc-provider's development notices are replaced by the last banner line, which says the same for this demo.
    startDemo({ opPort, appPort, quiet: false, providerNotices: false }),
  ]);

  const urls = {
    'Demo app: ': `${demo.appUrl}/`,
    'React:    ': `${demo.appUrl}/react/`,
    'Vue:      ': `${demo.appUrl}/vue/`,
  };
  const checks = [...Object.values(urls), `${demo.issuer}/.well-known/openid-configuration`];
  const statuses = await Promise.all(checks.map(statusOf));
  const broken = checks.map((url, i) => `${url} (HTTP ${statuses[i]})`).filter((text, i) => statuses[i] !== 200);
  if (broken.length > 0) throw new Error(`the demo does not answer: ${broken.join(', ')}`);

  console.log('');
  for (const [label, url] of Object.entries(urls)) console.log(`${label} ${url}`);
  console.log(
    `Authorization server: ${demo.issuer} (oidc-provider for development: in-memory, its built-in login pages)`,
  );
  if (!process.env.DEMO_ORIGINS)
    console.log('Your own app: DEMO_ORIGINS=http://localhost:5173 npm start (see docs/react.md).');
  console.log('Sign in with any username and password. Press Ctrl+C to stop.');
  console.log('');
}

/** Imported lazily so that `--check` loads no server code. */
async function startDemo(options) {
  const { startDemo: start } = await import('./server.mjs');
  try {
    demo = await start(options);
    return demo;
  } catch (err) {
    if (err?.code === 'EADDRINUSE')
      throw new Error(`Port ${err.port} is already in use. Stop the other process or set OP_PORT / APP_PORT.`);
    throw err;
  }
}

main().catch((err) => {
  console.error(`npm start: ${err.message}`);
  void stop(1);
});
