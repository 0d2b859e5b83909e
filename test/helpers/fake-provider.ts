/**
 * The FAKE provider for unit tests: no server, an injected `fetch` that answers with real `Response` objects and
 * records every request (the network edge; nothing of ours is mocked). It owns its client id, rotates refresh tokens
 * and treats a reused one as oidc-provider does (invalid_grant, and the whole grant dies). Protocol behaviour is proven
 * against the real provider (real-provider.ts, oidc-provider) in test/integration and e2e; hostile responses against
 * hostile-provider.ts.
 */
import { vi } from 'vitest';
import type { UseStore } from 'idb-keyval';
import { PkceClient, type ClientOptions } from '../../src/index.js';
import type { Metadata } from '../../src/oauth.js';
import { jwks, signJwt, type Forgery } from './signing-key.js';
import { idbTestStore } from './idb-store.js';

export const ISSUER = 'https://op.example.test';
export const CLIENT_ID = 'spa';
export const REDIRECT_URI = 'https://app.example.test/callback';

export const metadata: Metadata = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  revocation_endpoint: `${ISSUER}/revoke`,
  end_session_endpoint: `${ISSUER}/logout`,
  jwks_uri: `${ISSUER}/jwks`,
  id_token_signing_alg_values_supported: ['RS256'],
  authorization_response_iss_parameter_supported: true,
};

export interface Recorded {
  url: string;
  body: URLSearchParams;
}

export type Handler = (req: Recorded) => Response | Promise<Response>;

/** A fetch that routes by pathname to handlers and records requests; `/jwks` serves the signing key unless replaced. */
export function fakeFetch(routes: Record<string, Handler>) {
  routes = { '/jwks': () => json(jwks()), ...routes };
  const requests: Recorded[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const body = new URLSearchParams(
      typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body : '',
    );
    const rec = { url, body };
    requests.push(rec);
    const handler = routes[new URL(url).pathname];
    if (!handler) return new Response('not found', { status: 404 });
    return handler(rec);
  }) as typeof fetch;
  return {
    fetch: fetchImpl,
    requests,
    count: (path: string) => requests.filter((r) => new URL(r.url).pathname === path).length,
  };
}

/** An ID token signed with the provider's key (signing-key.ts); `forgery` makes a hostile one. */
export function idToken(claims: Record<string, unknown>, forgery?: Forgery): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: ISSUER, aud: CLIENT_ID, sub: 'alice', iat: now, exp: now + 3600, ...claims }, forgery);
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

let counter = 0;
/** A token response; `refresh_token` rotates on every call. */
export function tokenResponse(extra: Record<string, unknown> = {}, claims: Record<string, unknown> = {}): Response {
  counter++;
  return json({
    access_token: `at-${counter}`,
    token_type: 'Bearer',
    expires_in: 300,
    refresh_token: `rt-${counter}`,
    scope: 'openid profile email offline_access',
    id_token: idToken(claims),
    ...extra,
  });
}

let clients = 0;
/** A client id of its own per provider, so that clients of earlier tests (still listening) never share a channel. */
export const freshClientId = (): string => `spa-${++clients}-${Math.random().toString(36).slice(2, 8)}`;

/** The IndexedDB record key the SDK uses for `clientId`. */
export const recordId = (clientId: string): string => `${new URL(ISSUER).href} ${clientId}`;

/**
 * The callback URL the provider sends the browser back to after the authorization request `auth`: a code, the
 * request's state and the issuer (RFC 9207). `params` adds or replaces parameters; an empty value removes one.
 */
export function callbackUrl(auth: URL | string, params: Record<string, string> = {}): string {
  const url = new URL(REDIRECT_URI);
  url.searchParams.set('code', 'the-code');
  url.searchParams.set('state', new URL(auth).searchParams.get('state')!);
  url.searchParams.set('iss', ISSUER);
  if (params.error !== undefined && params.code === undefined) url.searchParams.delete('code'); // RFC 6749 §4.1.2.1
  for (const [k, v] of Object.entries(params)) {
    if (v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return url.href;
}

/** Runs `start` (which calls location.assign) and returns the URL it navigated to; works whether or not a test already mocks assign. */
async function navigation(start: () => Promise<unknown>): Promise<URL> {
  const mocked = vi.isMockFunction(window.location.assign);
  const assign = mocked
    ? vi.mocked(window.location.assign)
    : vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  try {
    await start();
    return new URL(String(assign.mock.calls.at(-1)![0]));
  } finally {
    if (!mocked) assign.mockRestore();
  }
}

export interface FakeProviderOptions {
  /** Default: a fresh one ({@link freshClientId}). */
  clientId?: string;
  /** Replaces or adds endpoints (by pathname); the token endpoint otherwise rotates refresh tokens. */
  routes?: Record<string, Handler>;
  /** Only `routes` answer (every other path is a 404): for tests that script each response themselves. */
  onlyRoutes?: boolean;
  /** The IndexedDB its clients share, as the tabs of one browser do. Default: a fresh one ({@link idbTestStore}). */
  store?: UseStore;
}

export type FakeProvider = ReturnType<typeof fakeProvider>;

/** The fake provider: see the top of this file. */
export function fakeProvider({
  clientId = freshClientId(),
  routes = {},
  onlyRoutes = false,
  store = idbTestStore(),
}: FakeProviderOptions = {}) {
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
  const options = (): ClientOptions => ({
    issuer: ISSUER,
    clientId,
    redirectUri: REDIRECT_URI,
    metadata,
    fetch: provider.net.fetch,
  });
  const provider = {
    clientId,
    /** The IndexedDB of this provider's clients (`cache: 'indexeddb'`, DPoP redirect logins). */
    store,
    live,
    spent,
    invalidGrants: () => invalidGrants,
    /** Answers a refresh grant; tests may replace it to fail (network, invalid_grant). */
    refresh: (rt: string): Response | Promise<Response> => {
      if (!live.delete(rt)) {
        live.clear(); // reuse detected: the whole grant is revoked
        invalidGrants++;
        return json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400);
      }
      return issue();
    },
    net: fakeFetch(
      onlyRoutes
        ? routes
        : {
            '/token': (req): Response | Promise<Response> => {
              if (req.body.get('grant_type') === 'authorization_code') return issue({ nonce });
              const rt = req.body.get('refresh_token')!;
              spent.push(rt);
              return provider.refresh(rt);
            },
            '/revoke': () => new Response(null, { status: 200 }),
            ...routes,
          },
    ),
    /** The nonce the next ID token carries (set by {@link startLogin} from the authorization request). */
    setNonce: (value: string) => {
      nonce = value;
    },
    /** A client as a freshly loaded page constructs it (not started), with this provider's IndexedDB. */
    client: (extra: Partial<ClientOptions> = {}): PkceClient => new PkceClient({ ...options(), ...extra }, store),
    /** A started client ("a tab") talking to this provider: what createPkceClient returns. */
    async tab(extra: Partial<ClientOptions> = {}): Promise<PkceClient> {
      const client = provider.client(extra);
      await client.ready();
      return client;
    },
    /** Starts a redirect login in `client` and returns the callback URL this provider would send the browser back to. */
    async startLogin(client: PkceClient, params: Record<string, string> = {}): Promise<string> {
      const auth = await navigation(() => client.loginWithRedirect());
      provider.setNonce(auth.searchParams.get('nonce')!);
      return callbackUrl(auth, params);
    },
    /** Signs `client` in through a full redirect round trip. */
    async signIn(client: PkceClient): Promise<void> {
      await client.handleRedirectCallback(await provider.startLogin(client));
    },
    /** Starts a login in an earlier "page" and puts the provider's answer in the address bar, as the browser would. */
    async returnFromProvider(appState: unknown, answer: Record<string, string> = {}): Promise<void> {
      const auth = await navigation(() => provider.client().loginWithRedirect({ appState }));
      provider.setNonce(auth.searchParams.get('nonce')!);
      window.history.replaceState(null, '', callbackUrl(auth, answer));
      if (vi.isMockFunction(window.location.assign)) vi.mocked(window.location.assign).mockClear();
    },
  };
  return provider;
}
