/**
 * The FAKE provider for unit tests: no server, an injected `fetch` that answers with real `Response` objects and
 * records every request (the network edge; nothing of ours is mocked). It owns its client id, rotates refresh tokens
 * and treats a reused one as oidc-provider does (invalid_grant, and the whole grant dies). Protocol behaviour is proven
 * against the real provider (real-provider.ts, oidc-provider) in test/integration and e2e; hostile responses against
 * hostile-provider.ts.
 */
import { vi } from 'vitest';
import type { UseStore } from 'idb-keyval';
import { PkceClient, type ClientOptions, type LoginOptions } from '../../src/index.js';
import type { Metadata } from '../../src/oauth.js';
import { callbackUrl as callbackFrom } from './callback-url.js';
import { jwks, signJwt, type Forgery } from './signing-key.js';
import { idbTestStore } from './idb-store.js';

export const ISSUER = 'https://op.example.test';
export const CLIENT_ID = 'spa';
export const REDIRECT_URI = 'https://app.example.test/callback';

/** The fake provider's metadata as if it were served at `issuer`. */
export const metadataFor = (issuer: string): Metadata => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  revocation_endpoint: `${issuer}/revoke`,
  end_session_endpoint: `${issuer}/logout`,
  jwks_uri: `${issuer}/jwks`,
  id_token_signing_alg_values_supported: ['RS256'],
  authorization_response_iss_parameter_supported: true,
});

export const metadata: Metadata = metadataFor(ISSUER);

export interface Recorded {
  url: string;
  /** The form body (token, PAR and revocation requests); empty for other bodies. */
  body: URLSearchParams;
  method: string;
  headers: Headers;
  /** The body as sent, whatever its type (an API request's payload). */
  text: string;
}

export type Handler = (req: Recorded) => Response | Promise<Response>;

/**
 * A fetch that routes to handlers and records every request (method, headers, body). A route is a pathname of the
 * provider (`/token`) or a whole origin + pathname (`https://api.example.test/orders`, for APIs); `/jwks` serves the
 * signing key unless replaced. `routes` stays live: a test may swap a handler between two calls.
 */
export function fakeFetch(routes: Record<string, Handler>) {
  routes = { '/jwks': () => json(jwks()), ...routes };
  const requests: Recorded[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : undefined;
    // A path is relative to the page, as in a browser (`fetch('/api/orders')`).
    const url = new URL(String(request ? request.url : input), globalThis.location?.href).href;
    const body = new URLSearchParams(
      typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body : '',
    );
    const text =
      typeof init?.body === 'string' || init?.body instanceof URLSearchParams
        ? String(init.body)
        : ((await request?.clone().text()) ?? '');
    const method = init?.method ?? request?.method ?? 'GET';
    const rec = { url, body, method, headers: new Headers(init?.headers ?? request?.headers), text };
    requests.push(rec);
    const { origin, pathname } = new URL(url);
    const handler = routes[`${origin}${pathname}`] ?? routes[pathname];
    if (!handler) return new Response('not found', { status: 404 });
    return handler(rec);
  }) as typeof fetch;
  /** The requests to `path` (a pathname), oldest first. */
  const at = (path: string) => requests.filter((r) => new URL(r.url).pathname === path);
  return {
    fetch: fetchImpl,
    requests,
    routes,
    at,
    count: (path: string) => at(path).length,
  };
}

/** An ID token signed with the provider's key (signing-key.ts); `forgery` makes a hostile one. */
export function idToken(claims: Record<string, unknown>, forgery?: Forgery): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: ISSUER, aud: CLIENT_ID, sub: 'alice', iat: now, exp: now + 3600, ...claims }, forgery);
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
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
 * The callback URL this provider sends the browser back to after the authorization request `auth`: a code, the
 * request's state and the issuer (RFC 9207). `params` adds or replaces parameters; an empty value removes one.
 */
export function callbackUrl(auth: URL | string, params: Record<string, string> = {}): string {
  return callbackFrom(auth, { issuer: ISSUER, redirectUri: REDIRECT_URI, params });
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
  /** Extra claims in every ID token it issues (custom claims such as `roles`). */
  claims?: Record<string, unknown>;
  /** The `token_type` of its token responses. Default `'Bearer'` (`'DPoP'` for sender-constrained tokens). */
  tokenType?: string;
  /** Options every client of this provider ({@link FakeProvider.client}, {@link FakeProvider.tab}) starts from. */
  clientOptions?: Partial<ClientOptions>;
  /** `expires_in` of its access tokens. Default 300. */
  expiresInSeconds?: number;
  /** How long its ID tokens live (`exp - iat`). Default 3600. */
  idTokenSeconds?: number;
  /** How many seconds its clock is behind the device's (negative: ahead): `iat`, `exp`, `Date`. Default 0. */
  clockBehindSeconds?: number;
  /** Whether token responses carry a `Date` header on its clock. Default false. */
  dateHeader?: boolean;
  /** The IndexedDB its clients share, as the tabs of one browser do. Default: a fresh one ({@link idbTestStore}). */
  store?: UseStore;
}

export type FakeProvider = ReturnType<typeof fakeProvider>;

/** The fake provider: see the top of this file. */
export function fakeProvider({
  clientId = freshClientId(),
  routes = {},
  onlyRoutes = false,
  claims: customClaims = {},
  tokenType = 'Bearer',
  clientOptions = {},
  expiresInSeconds = 300,
  idTokenSeconds = 3600,
  clockBehindSeconds = 0,
  dateHeader = false,
  store = idbTestStore(),
}: FakeProviderOptions = {}) {
  /** The provider's clock, in epoch seconds. */
  const now = () => Date.now() / 1000 - clockBehindSeconds;
  /** When each access token it issued expires, on its clock (epoch seconds). */
  const expiresAt = new Map<string, number>();
  let counter = 0;
  let nonce = '';
  const live = new Set<string>();
  const spent: string[] = [];
  let invalidGrants = 0;
  /** The resource of the refresh grant being answered (for {@link FakeProvider.refresh}, which sees the token only). */
  let lastResource: string | null = null;
  /** A token response; an access token for a resource (RFC 8707) names it: `at-3-https://api.example.test/`. */
  const issue = (
    claims: Record<string, unknown> = {},
    fields: Record<string, unknown> = {},
    resource?: string | null,
  ) => {
    const n = ++counter;
    live.add(`rt-${n}`);
    const accessToken = resource ? `at-${n}-${resource}` : `at-${n}`;
    const iat = Math.floor(now());
    expiresAt.set(accessToken, now() + expiresInSeconds);
    return json(
      {
        access_token: accessToken,
        token_type: tokenType,
        expires_in: expiresInSeconds,
        refresh_token: `rt-${n}`,
        scope: 'openid profile email offline_access',
        id_token: idToken({
          aud: clientId,
          iat,
          exp: iat + idTokenSeconds,
          ...provider.claims,
          ...claims,
        }),
        ...fields,
      },
      200,
      dateHeader ? { date: new Date(now() * 1000).toUTCString() } : {},
    );
  };
  const options = (): ClientOptions => ({
    issuer: ISSUER,
    clientId,
    redirectUri: REDIRECT_URI,
    metadata,
    fetch: provider.net.fetch,
    ...clientOptions,
  });
  const provider = {
    clientId,
    /** The IndexedDB of this provider's clients (`cache: 'indexeddb'`, DPoP redirect logins). */
    store,
    live,
    spent,
    now,
    expiresAt,
    /** Extra claims in every ID token it issues (the `claims` option); a test may replace them between grants. */
    claims: { ...customClaims } as Record<string, unknown>,
    invalidGrants: () => invalidGrants,
    /** Answers a refresh grant; tests may replace it to fail (network, invalid_grant). */
    refresh: (rt: string): Response | Promise<Response> => {
      if (!live.delete(rt)) {
        live.clear(); // reuse detected: the whole grant is revoked
        invalidGrants++;
        return json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400);
      }
      return issue({}, {}, lastResource);
    },
    /**
     * A token response of this provider (its client id, the nonce of the current login, a new refresh token):
     * `fields` adds or replaces response fields (`token_type: undefined` drops one), `claims` ID-token claims.
     */
    tokenResponse: (fields: Record<string, unknown> = {}, claims: Record<string, unknown> = {}): Response =>
      issue({ nonce, ...claims }, fields),
    net: fakeFetch(
      onlyRoutes
        ? routes
        : {
            '/token': (req): Response | Promise<Response> => {
              if (req.body.get('grant_type') === 'authorization_code')
                return issue({ nonce }, {}, req.body.get('resource'));
              lastResource = req.body.get('resource');
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
    /**
     * Starts a redirect login in `client` and returns the authorization URL it navigated to; the next ID token carries
     * that login's nonce. With PAR (RFC 9126) the URL holds only `client_id` and `request_uri`, and the nonce comes
     * from the pushed request.
     */
    async authorize(client: PkceClient, options: LoginOptions = {}): Promise<URL> {
      const auth = await navigation(() => client.loginWithRedirect(options));
      provider.setNonce(provider.authorizationRequest(auth).get('nonce')!);
      return auth;
    },
    /** The parameters of the authorization request behind `auth`: its query, or the pushed request (PAR). */
    authorizationRequest(auth: URL): URLSearchParams {
      return auth.searchParams.has('request_uri') ? provider.net.at('/par').at(-1)!.body : auth.searchParams;
    },
    /** The callback URL this provider sends the browser back to after the authorization request `auth`. */
    callbackFor(auth: URL, params: Record<string, string> = {}): string {
      return callbackUrl(auth, { state: provider.authorizationRequest(auth).get('state')!, ...params });
    },
    /** Starts a redirect login in `client` and returns the callback URL this provider would send the browser back to. */
    async startLogin(client: PkceClient, params: Record<string, string> = {}): Promise<string> {
      return provider.callbackFor(await provider.authorize(client), params);
    },
    /** Signs `client` in through a full redirect round trip. */
    async signIn(client: PkceClient): Promise<void> {
      await client.handleRedirectCallback(await provider.startLogin(client));
    },
    /** Starts a login in an earlier "page" and puts the provider's answer in the address bar, as the browser would. */
    async returnFromProvider(appState: unknown, answer: Record<string, string> = {}): Promise<string> {
      const callback = provider.callbackFor(await provider.authorize(provider.client(), { appState }), answer);
      window.history.replaceState(null, '', callback);
      if (vi.isMockFunction(window.location.assign)) vi.mocked(window.location.assign).mockClear();
      return callback;
    },
  };
  return provider;
}
