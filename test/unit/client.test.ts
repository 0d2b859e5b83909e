import { beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { AuthError, createPkceClient, type PkceClient } from '../../src/index.js';
import {
  CLIENT_ID,
  ISSUER,
  REDIRECT_URI,
  callbackUrl,
  fakeProvider,
  idToken,
  json,
  metadata,
  tokenResponse,
  type Handler,
} from '../helpers/fake-provider.js';

let assign: MockInstance<Location['assign']>;

beforeEach(() => {
  assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
});

async function client(routes: Record<string, Handler>, extra: Record<string, unknown> = {}) {
  const provider = fakeProvider({ clientId: CLIENT_ID, routes, onlyRoutes: true });
  return { c: await provider.tab(extra), net: provider.net };
}

/** Runs loginWithRedirect and returns the authorization request it navigated to. */
async function startLogin(c: PkceClient, appState?: unknown): Promise<URL> {
  await c.loginWithRedirect({ appState });
  return new URL(assign.mock.calls.at(-1)![0] as string);
}

/** Signs in through a full redirect round trip; `routes['/token']`, when given, answers everything but the code exchange. */
async function signedIn(routes: Record<string, Handler> = {}, extra: Record<string, unknown> = {}) {
  let nonce = '';
  const { '/token': later = () => tokenResponse(), ...rest } = routes;
  const { c, net } = await client(
    {
      '/token': (req) =>
        req.body.get('grant_type') === 'authorization_code' ? tokenResponse({}, { nonce }) : later(req),
      ...rest,
    },
    extra,
  );
  const auth = await startLogin(c, { returnTo: '/inbox' });
  nonce = auth.searchParams.get('nonce')!;
  window.history.replaceState(null, '', callbackUrl(auth));
  const result = await c.handleRedirectCallback();
  return { c, net, auth, result };
}

describe('redirect login', () => {
  it('sends a PKCE S256 authorization request with state, nonce and the default scope', async () => {
    const { c } = await client({});
    const auth = await startLogin(c);
    const q = auth.searchParams;
    expect(`${auth.origin}${auth.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.get('scope')).toBe('openid profile email offline_access');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    const tx = JSON.parse(sessionStorage.getItem(`pkce-spa:tx:${ISSUER}/ ${CLIENT_ID}`)!);
    expect(tx.state).toBe(q.get('state'));
    expect(tx.codeVerifier).not.toBe(q.get('code_challenge'));
  });

  it('signs in, returns appState, removes the transaction and cleans the address bar', async () => {
    const { c, net, result } = await signedIn();
    expect(result.appState).toEqual({ returnTo: '/inbox' });
    expect(c.isAuthenticated()).toBe(true);
    expect(c.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    expect(c.getUser()).not.toHaveProperty('nonce');
    expect(c.getIdTokenClaims()).toMatchObject({ iss: ISSUER, sub: 'alice' });
    expect(sessionStorage.getItem(`pkce-spa:tx:${ISSUER}/ ${CLIENT_ID}`)).toBeNull();
    expect(window.location.href).toBe(REDIRECT_URI);
    const exchange = net.requests.find((r) => r.body.get('grant_type') === 'authorization_code')!;
    expect(exchange.body.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(exchange.body.get('code')).toBe('the-code');
  });

  it('rejects a tampered state with state_mismatch and stores nothing', async () => {
    const { c, net } = await client({ '/token': () => tokenResponse() });
    const auth = await startLogin(c);
    window.history.replaceState(null, '', callbackUrl(auth, { state: 'forged' }));
    await expect(c.handleRedirectCallback()).rejects.toMatchObject({ name: 'AuthError', code: 'state_mismatch' });
    expect(net.count('/token')).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(c.getState()).toMatchObject({
      status: 'unauthenticated',
      error: { name: 'AuthError', code: 'state_mismatch' },
    });
    expect(window.location.search).toBe('');
  });

  it('handles a callback only once', async () => {
    const { c } = await signedIn();
    await expect(c.handleRedirectCallback(callbackUrl(new URL(`${ISSUER}/authorize?state=x`)))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'state_mismatch',
    });
  });

  it('maps an error response to its OAuth code and keeps the description', async () => {
    const { c } = await client({});
    const auth = await startLogin(c);
    const url = callbackUrl(auth, { code: '', error: 'access_denied', error_description: 'User said no' });
    const failed = c.handleRedirectCallback(url);
    await expect(failed).rejects.toBeInstanceOf(AuthError);
    await expect(failed).rejects.toMatchObject({ code: 'access_denied', description: 'User said no' });
    expect(sessionStorage.length).toBe(0);
  });

  it('rejects a callback from another issuer (RFC 9207) with issuer_mismatch', async () => {
    const { c, net } = await client({ '/token': () => tokenResponse() });
    const auth = await startLogin(c);
    await expect(
      c.handleRedirectCallback(callbackUrl(auth, { iss: 'https://evil.example.test' })),
    ).rejects.toMatchObject({ name: 'AuthError', code: 'issuer_mismatch' });
    const again = await startLogin(c);
    await expect(c.handleRedirectCallback(callbackUrl(again, { iss: '' }))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'issuer_mismatch',
    });
    expect(net.count('/token')).toBe(0);
  });

  it('rejects an ID token with the wrong nonce or audience as invalid_id_token', async () => {
    for (const claims of [{ nonce: 'wrong' }, { aud: 'someone-else' }]) {
      const { c } = await client({ '/token': () => tokenResponse({}, claims) });
      const auth = await startLogin(c);
      await expect(c.handleRedirectCallback(callbackUrl(auth))).rejects.toMatchObject({
        name: 'AuthError',
        code: 'invalid_id_token',
      });
      expect(c.isAuthenticated()).toBe(false);
    }
  });

  it('maps a non-JSON token response to invalid_response', async () => {
    const { c } = await client({ '/token': () => new Response('<html>oops</html>', { status: 200 }) });
    const auth = await startLogin(c);
    await expect(c.handleRedirectCallback(callbackUrl(auth))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_response',
    });
  });

  it('maps fetch failures to network_error and slow servers to timeout', async () => {
    const { c } = await client({ '/token': () => Promise.reject(new TypeError('Failed to fetch')) });
    const auth = await startLogin(c);
    await expect(c.handleRedirectCallback(callbackUrl(auth))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'network_error',
    });

    const slow = await client({ '/token': () => new Promise(() => {}) }, { timeoutMs: 50 });
    const auth2 = await startLogin(slow.c);
    await expect(slow.c.handleRedirectCallback(callbackUrl(auth2))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'timeout',
    });
  });

  it('fails with storage_unavailable before leaving the page when sessionStorage is refused', async () => {
    const { c } = await client({});
    const real = Object.getOwnPropertyDescriptor(globalThis, 'sessionStorage')!;
    const refusing = {
      getItem: () => null,
      removeItem: () => {},
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    };
    Object.defineProperty(globalThis, 'sessionStorage', { configurable: true, get: () => refusing });
    try {
      await expect(c.loginWithRedirect()).rejects.toMatchObject({
        name: 'AuthError',
        code: 'storage_unavailable',
        message: expect.stringContaining('loginWithPopup'),
      });
    } finally {
      Object.defineProperty(globalThis, 'sessionStorage', real);
    }
    expect(assign).not.toHaveBeenCalled();
  });

  it('rejects appState that is not JSON with invalid_options', async () => {
    const { c } = await client({});
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(c.loginWithRedirect({ appState: cyclic })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_options',
    });
  });
});

describe('getAccessToken', () => {
  it('returns the cached token while it has more than leewaySeconds left', async () => {
    const { c, net } = await signedIn();
    expect(await c.getAccessToken()).toMatch(/^at-/);
    expect(net.count('/token')).toBe(1);
  });

  it('renews with the refresh token inside the renewal margin, rotating it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { c, net } = await signedIn();
    const first = await c.getAccessToken();
    vi.setSystemTime(Date.now() + 271_000); // 300 s token: 29 s left < 30 s margin (a tenth of the lifetime)
    const second = await c.getAccessToken();
    expect(second).not.toBe(first);
    const refreshes = net.requests.filter((r) => r.body.get('grant_type') === 'refresh_token');
    expect(refreshes.map((r) => r.body.get('refresh_token'))).toHaveLength(1);
    await c.getAccessToken({ forceRefresh: true });
    const spent = net.requests
      .filter((r) => r.body.get('grant_type') === 'refresh_token')
      .map((r) => r.body.get('refresh_token'));
    expect(new Set(spent).size).toBe(2);
  });

  it('honours minTtlSeconds above the leeway', async () => {
    const { c, net } = await signedIn();
    await c.getAccessToken({ minTtlSeconds: 400 });
    expect(net.count('/token')).toBe(2);
  });

  it('makes exactly one token request for 50 concurrent calls', async () => {
    const { c, net } = await signedIn();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => c.getAccessToken({ forceRefresh: true })));
    expect(new Set(tokens).size).toBe(1);
    expect(net.count('/token')).toBe(2); // the code exchange and one refresh
  });

  it('serialises renewals for different scopes so a rotating refresh token is spent once', async () => {
    const { c, net } = await signedIn();
    await Promise.all([c.getAccessToken({ scope: 'read' }), c.getAccessToken({ scope: 'write' })]);
    const spent = net.requests
      .filter((r) => r.body.get('grant_type') === 'refresh_token')
      .map((r) => r.body.get('refresh_token'));
    expect(spent).toHaveLength(2);
    expect(spent[0]).not.toBe(spent[1]);
    expect(net.requests.at(-1)!.body.get('scope')).toBe('write');
  });

  it('ends the session on invalid_grant', async () => {
    const { c } = await signedIn({
      '/token': (req) =>
        req.body.get('grant_type') === 'refresh_token'
          ? json({ error: 'invalid_grant', error_description: 'grant revoked' }, 400)
          : tokenResponse(),
    });
    await expect(c.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_grant',
    });
    expect(c.isAuthenticated()).toBe(false);
    expect(c.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'invalid_grant' } });
  });

  it('keeps the session and its refresh token when renewal fails on the network', async () => {
    let fail = true;
    let nonce = '';
    const routes: Record<string, Handler> = {
      '/token': (req) => {
        if (req.body.get('grant_type') === 'authorization_code') return tokenResponse({}, { nonce });
        return fail ? Promise.reject(new TypeError('offline')) : tokenResponse();
      },
    };
    const { c, net } = await client(routes);
    const auth = await startLogin(c);
    nonce = auth.searchParams.get('nonce')!;
    await c.handleRedirectCallback(callbackUrl(auth));
    await expect(c.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'network_error',
    });
    expect(c.isAuthenticated()).toBe(true);
    fail = false;
    await c.getAccessToken({ forceRefresh: true });
    const spent = net.requests
      .filter((r) => r.body.get('grant_type') === 'refresh_token')
      .map((r) => r.body.get('refresh_token'));
    expect(spent[0]).toBe(spent[1]); // the same, still-good refresh token was used again
  });

  it('rejects a refreshed ID token for another subject and keeps the old session', async () => {
    const { c } = await signedIn({
      '/token': (req) =>
        req.body.get('grant_type') === 'refresh_token' ? tokenResponse({}, { sub: 'mallory' }) : tokenResponse(),
    });
    const before = await c.getAccessToken();
    await expect(c.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_id_token',
    });
    expect(c.getUser()?.sub).toBe('alice');
    expect(await c.getAccessToken()).toBe(before);
  });

  it('says login_required when nobody is signed in', async () => {
    const { c } = await client({});
    await expect(c.getAccessToken()).rejects.toMatchObject({ name: 'AuthError', code: 'login_required' });
  });

  it('says missing_refresh_token when the provider issued none', async () => {
    const { c } = await signedIn({}, { refreshTokens: false });
    await expect(c.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'missing_refresh_token',
    });
    expect(c.isAuthenticated()).toBe(true);
  });
});

describe('state and logout', () => {
  it('notifies subscribers with a new snapshot only when something changed', async () => {
    const { c } = await client({ '/token': () => tokenResponse() });
    const seen: string[] = [];
    const off = c.subscribe((s) => seen.push(s.status));
    const s1 = c.getState();
    expect(c.getState()).toBe(s1);
    await c.logout({ localOnly: true });
    off();
    expect(seen).toEqual([]);
    expect(c.getState()).toBe(s1);
  });

  it('revokes the refresh token and redirects to the end-session endpoint with id_token_hint', async () => {
    const { c, net } = await signedIn({ '/revoke': () => new Response(null, { status: 200 }) });
    await c.logout({ returnTo: 'https://app.example.test/bye' });
    expect(c.getState().status).toBe('unauthenticated');
    expect(net.requests.find((r) => r.url.endsWith('/revoke'))!.body.get('token')).toMatch(/^rt-/);
    const url = new URL(assign.mock.calls.at(-1)![0] as string);
    expect(url.pathname).toBe('/logout');
    expect(url.searchParams.get('id_token_hint')).toBeTruthy();
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('https://app.example.test/bye');
  });

  it('still logs out locally when revocation fails', async () => {
    const { c } = await signedIn({ '/revoke': () => Promise.reject(new TypeError('offline')) });
    const navigations = assign.mock.calls.length;
    await c.logout({ localOnly: true });
    expect(c.isAuthenticated()).toBe(false);
    expect(assign.mock.calls.length).toBe(navigations);
  });

  it('stays loading on a callback URL for a pending login until it is handled', async () => {
    const { c } = await client({});
    const auth = await startLogin(c);
    window.history.replaceState(null, '', callbackUrl(auth));
    const fresh = await createPkceClient({ issuer: ISSUER, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, metadata });
    expect(fresh.getState().status).toBe('loading');
    expect(c.getState().status).toBe('unauthenticated');
    expect(idToken({})).toContain('.');
  });
});
