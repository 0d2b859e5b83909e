/**
 * Unit-test stand-ins for what several tabs share: a token endpoint that rotates refresh tokens and treats a reused
 * one as oidc-provider does (invalid_grant, and the whole grant dies), and a Web Locks manager for happy-dom, which
 * has none. The real browser and provider are exercised in e2e/tabs.spec.ts and e2e/persistence.spec.ts.
 */
import { vi } from 'vitest';
import { createPkceClient, type ClientOptions, type PkceClient } from '../../src/index.js';
import { ISSUER, REDIRECT_URI, fakeFetch, idToken, json, metadata } from './fake-fetch.js';

let clients = 0;
/** A client id of its own per test, so that clients of earlier tests (still listening) never share a channel. */
export const freshClientId = (): string => `spa-${++clients}-${Math.random().toString(36).slice(2, 8)}`;

/** The IndexedDB record key the SDK uses for `clientId`. */
export const recordId = (clientId: string): string => `${new URL(ISSUER).href} ${clientId}`;

export type RotatingOp = ReturnType<typeof rotatingOp>;

/**
 * A token endpoint with rotating refresh tokens. `refresh` answers each refresh grant and may be replaced by a test to
 * fail (network, invalid_grant).
 */
export function rotatingOp(clientId: string) {
  let counter = 0;
  let nonce = '';
  const live = new Set<string>();
  const spent: string[] = [];
  let invalidGrants = 0;
  const issue = (claims: Record<string, unknown> = {}) => {
    const n = ++counter;
    live.add(`rt-${n}`);
    return json({
      access_token: `at-${n}`,
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: `rt-${n}`,
      scope: 'openid profile email offline_access',
      id_token: idToken({ aud: clientId, ...claims }),
    });
  };
  const op = {
    live,
    spent,
    invalidGrants: () => invalidGrants,
    /** Answers a refresh grant; tests may replace it to fail. */
    refresh: (rt: string): Response | Promise<Response> => {
      if (!live.delete(rt)) {
        live.clear(); // reuse detected: the whole grant is revoked
        invalidGrants++;
        return json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400);
      }
      return issue();
    },
    net: fakeFetch({
      '/token': (req): Response | Promise<Response> => {
        if (req.body.get('grant_type') === 'authorization_code') return issue({ nonce });
        const rt = req.body.get('refresh_token')!;
        spent.push(rt);
        return op.refresh(rt);
      },
      '/revoke': () => new Response(null, { status: 200 }),
    }),
    setNonce: (value: string) => {
      nonce = value;
    },
  };
  return op;
}

/** Creates a client ("a tab") talking to `op`. */
export function tab(op: RotatingOp, clientId: string, extra: Partial<ClientOptions> = {}): Promise<PkceClient> {
  return createPkceClient({ issuer: ISSUER, clientId, redirectUri: REDIRECT_URI, metadata, fetch: op.net.fetch, ...extra });
}

/** Starts a redirect login in `client` and returns the callback URL `op` would send the browser back to. */
export async function startLogin(client: PkceClient, op: RotatingOp): Promise<string> {
  const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  try {
    await client.loginWithRedirect();
    const auth = new URL(String(assign.mock.calls.at(-1)![0]));
    op.setNonce(auth.searchParams.get('nonce')!);
    const callback = new URL(REDIRECT_URI);
    callback.searchParams.set('code', 'the-code');
    callback.searchParams.set('state', auth.searchParams.get('state')!);
    callback.searchParams.set('iss', ISSUER);
    return callback.href;
  } finally {
    assign.mockRestore();
  }
}

/** Signs `client` in through a full redirect round trip against `op`. */
export async function signIn(client: PkceClient, op: RotatingOp): Promise<void> {
  await client.handleRedirectCallback(await startLogin(client, op));
}

/** Resolves with the first state of `client` that satisfies `accept` (now or later). */
export function stateOf(client: PkceClient, accept: (status: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    if (accept(client.getState().status)) return resolve(client.getState().status);
    const off = client.subscribe((s) => {
      if (accept(s.status)) {
        off();
        resolve(s.status);
      }
    });
  });
}

interface Held {
  name: string;
  mode: LockMode;
  clientId: string;
}

/**
 * A Web Locks manager with the spec's queueing (per name, FIFO; shared locks share, exclusive waits for everything
 * before it) and `query()`. Each request gets its own clientId, as a request from its own tab would.
 */
export function installFakeLocks(): { uninstall: () => void } {
  const held: Held[] = [];
  const queue: (Held & { run: () => void })[] = [];
  let ids = 0;
  const conflicts = (a: { name: string; mode: LockMode }, b: { name: string; mode: LockMode }) =>
    a.name === b.name && (a.mode === 'exclusive' || b.mode === 'exclusive');
  const pump = () => {
    for (let i = 0; i < queue.length; i++) {
      const r = queue[i]!;
      if (held.some((h) => conflicts(h, r)) || queue.slice(0, i).some((q) => conflicts(q, r))) continue;
      queue.splice(i--, 1);
      r.run();
    }
  };
  const locks = {
    request(name: string, a: unknown, b?: unknown): Promise<unknown> {
      const options = (typeof a === 'function' ? {} : a) as LockOptions;
      const callback = (typeof a === 'function' ? a : b) as (lock: Lock) => unknown;
      return new Promise((resolve, reject) => {
        const entry = { name, mode: options.mode ?? 'exclusive', clientId: `client-${++ids}` };
        queue.push({
          ...entry,
          run: () => {
            held.push(entry);
            // As in the spec: the lock is released when the callback's promise settles, then the request settles.
            Promise.resolve()
              .then(() => callback({ name, mode: entry.mode }))
              .finally(() => {
                held.splice(held.indexOf(entry), 1);
                pump();
              })
              .then(resolve, reject);
          },
        });
        pump();
      });
    },
    async query() {
      return { held: held.map((h) => ({ ...h })), pending: queue.map(({ name, mode, clientId }) => ({ name, mode, clientId })) };
    },
  };
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
  return { uninstall: () => delete (navigator as { locks?: unknown }).locks };
}
