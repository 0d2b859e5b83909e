/**
 * Starts the django-oauth-toolkit test server (test/providers/dot/serve.py, Debian's python3-django-oauth-toolkit)
 * on a free loopback port and stops it again. The server also stops by itself when this process ends (it watches its
 * stdin), so a crashed test run leaves nothing behind.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DotServer {
  /** `http://localhost:<port>/o`, DOT's issuer for its stock URLs (it listens on 127.0.0.1). */
  readonly issuer: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  close(): Promise<void>;
}

const SERVE = fileURLToPath(new URL('../test/providers/dot/serve.py', import.meta.url));
/** Debian's interpreter, where Debian's python3-django-oauth-toolkit is installed (not a pyenv or venv python). */
const PYTHON = '/usr/bin/python3';

export async function startDot(appOrigin: string, redirectUris: string[]): Promise<DotServer> {
  const child = spawn(
    PYTHON,
    [SERVE, '--quiet', '--app-origin', appOrigin, ...redirectUris.flatMap((u) => ['--redirect-uri', u])],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (process.env.DOT_LOG) process.stderr.write(d);
  });
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /listening (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('error', (e) =>
      reject(new Error(`Could not start ${PYTHON} ${SERVE}: ${e.message} (run node scripts/ensure-dot.mjs)`)),
    );
    child.once('exit', (code) =>
      reject(
        new Error(
          `The django-oauth-toolkit server exited (${code}) before listening:\n${stderr}\n(run node scripts/ensure-dot.mjs)`,
        ),
      ),
    );
  });
  // Django loads views, templates and the signing key on first use (~2 s on a busy machine): pay that here, not
  // inside the first test's timings.
  for (const path of ['/o/.well-known/openid-configuration/', '/o/.well-known/jwks.json', '/accounts/login/'])
    await (await fetch(origin + path)).text();
  return {
    // localhost, not 127.0.0.1: the e2e Chromium resolves no other name (CHROMIUM_ARGS), and the demo app is there too.
    issuer: `${origin.replace('127.0.0.1', 'localhost')}/o`,
    clientId: 'spa',
    username: 'alice',
    password: 'alice-password',
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
