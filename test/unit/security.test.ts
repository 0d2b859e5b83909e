/**
 * Issue 9's findings, one test each where happy-dom can show it (Chromium shows the browser cases in
 * e2e/security.spec.ts; hostile ID tokens against a real HTTP server are in test/integration/id-token-signatures.test.ts).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPkceClient } from '../../src/index.js';
import {
  ISSUER,
  REDIRECT_URI,
  callbackUrl,
  fakeFetch,
  fakeProvider,
  idToken,
  json,
  metadata,
  tokenResponse,
} from '../helpers/fake-provider.js';
import { installFakeLocks } from '../helpers/fake-locks.js';
import { waitForState } from '../helpers/wait.js';

let assign: ReturnType<typeof vi.fn>;

beforeEach(() => {
  localStorage.clear();
  assign = vi.fn();
  vi.spyOn(window.location, 'assign').mockImplementation(assign);
});

/** A channel of the SDK's name, as any same-origin page can open one. */
const channelOf = (clientId: string) => new BroadcastChannel(`pkce-spa:${new URL(ISSUER).href} ${clientId}`);
const sessionMessage = (session: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'session',
  version: Date.now() + 60_000,
  isLogin: false,
  session: {
    refreshToken: 'rt-forged',
    claims: { sub: 'mallory' },
    user: { sub: 'mallory' },
    tokens: new Map([
      ['|', { accessToken: 'at-forged', tokenType: 'bearer', expiresAt: Date.now() / 1000 + 3600, scope: undefined }],
    ]),
    ...session,
  },
  ...extra,
});
/** Lets the channel deliver and the verification (WebCrypto, JWKS from the cache) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('sessions from the channel are verified like those from the token endpoint', () => {
  const forgeries: [string, (aud: string) => string][] = [
    ['an unsigned ID token (alg: none)', (aud) => idToken({ sub: 'mallory', aud }, { forge: 'none' })],
    ['an ID token signed with another key', (aud) => idToken({ sub: 'mallory', aud }, { forge: 'stranger' })],
    [
      'an ID token "signed" with HS256 keyed by the public key',
      (aud) => idToken({ sub: 'mallory', aud }, { forge: 'hs256' }),
    ],
    ['a genuine ID token for another audience', () => idToken({ sub: 'mallory', aud: 'another-client' })],
    [
      'an expired genuine ID token of another user claiming to be a login',
      (aud) => idToken({ sub: 'mallory', aud, iat: 1, exp: 2 }),
    ],
  ];
  it.each(forgeries)('a signed-in tab ignores a session with %s', async (_what, forged) => {
    const op = fakeProvider();
    const clientId = op.clientId;
    const a = await op.tab();
    await op.signIn(a);
    const token = await a.getAccessToken();
    const evil = channelOf(clientId);
    evil.postMessage(sessionMessage({ idToken: forged(clientId) }, { isLogin: true }));
    await settle();
    evil.close();
    expect(a.getUser()).toMatchObject({ sub: 'alice' });
    expect(await a.getAccessToken()).toBe(token);
  });

  it('a genuine ID token for another user is refused unless it comes from a fresh login, which the state announces', async () => {
    const op = fakeProvider();
    const clientId = op.clientId;
    const a = await op.tab();
    await op.signIn(a);
    const evil = channelOf(clientId);
    evil.postMessage(sessionMessage({ idToken: idToken({ sub: 'bob', aud: clientId }) }));
    await settle();
    expect(a.getUser()).toMatchObject({ sub: 'alice' });

    const states: string[] = [];
    a.subscribe((s) => states.push(String(s.user?.sub)));
    evil.postMessage(sessionMessage({ idToken: idToken({ sub: 'bob', aud: clientId }) }, { isLogin: true }));
    await settle();
    evil.close();
    expect(a.getUser()).toMatchObject({ sub: 'bob' });
    expect(states).toEqual(['bob']);
  });

  it('claims that travel beside the ID token are replaced by the verified ones', async () => {
    const op = fakeProvider();
    const clientId = op.clientId;
    const a = await op.tab();
    const evil = channelOf(clientId);
    const joined = waitForState(a, (s) => s.status === 'authenticated');
    evil.postMessage(
      sessionMessage({
        idToken: idToken({ sub: 'alice', aud: clientId, name: 'Alice' }),
        claims: { sub: 'alice', admin: true },
        user: { sub: 'alice', admin: true },
      }),
    );
    await joined;
    evil.close();
    expect(a.getUser()).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect(a.getUser()).not.toHaveProperty('admin');
    expect(a.getIdTokenClaims()).not.toHaveProperty('admin');
  });

  it('metadata sent over the channel never redirects a token request', async () => {
    const locks = installFakeLocks();
    try {
      const op = fakeProvider();
      const clientId = op.clientId;
      const a = await op.tab();
      await op.signIn(a);
      const evil = channelOf(clientId);
      const stolen: string[] = [];
      // An answer to the next tab's hello from a page that wants the refresh token at its own host (old and new shapes).
      evil.onmessage = ({ data }) => {
        if (data?.type === 'hello') {
          evil.postMessage({
            ...sessionMessage({ idToken: idToken({ aud: clientId }) }),
            m: { ...metadata, token_endpoint: 'https://evil.example/token' },
          });
        }
      };
      const b = await op.tab();
      await b.getAccessToken({ forceRefresh: true }).catch(() => undefined);
      evil.close();
      for (const r of op.net.requests) stolen.push(new URL(r.url).host);
      expect(stolen).not.toContain('evil.example');
    } finally {
      locks.uninstall();
    }
  });
});

describe('logout', () => {
  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '/relative', 'not a url'])(
    'returnTo %s is invalid_options and nobody is signed out',
    async (returnTo) => {
      const op = fakeProvider();
      const a = await op.tab();
      await op.signIn(a);
      await expect(a.logout({ returnTo })).rejects.toMatchObject({
        code: 'invalid_options',
        message: expect.stringContaining('returnTo'),
      });
      expect(a.isAuthenticated()).toBe(true);
      expect(assign).not.toHaveBeenCalledWith(expect.stringContaining('alert'));
    },
  );

  it('without an end-session endpoint, another origin as returnTo is refused before anything ends', async () => {
    const op = fakeProvider();
    const a = await op.tab({ metadata: { ...metadata, end_session_endpoint: undefined } });
    await op.signIn(a);
    assign.mockClear();
    await expect(a.logout({ returnTo: 'https://evil.example/' })).rejects.toMatchObject({ code: 'invalid_options' });
    expect(a.isAuthenticated()).toBe(true);
    expect(assign).not.toHaveBeenCalled();
  });

  it('without an end-session endpoint it goes to a same-origin returnTo and warns that the provider session is open', async () => {
    const op = fakeProvider();
    const a = await op.tab({ metadata: { ...metadata, end_session_endpoint: undefined } });
    await op.signIn(a);
    await a.logout({ returnTo: 'https://app.example.test/bye' });
    expect(assign).toHaveBeenLastCalledWith('https://app.example.test/bye');
    expect(a.getState()).toMatchObject({ status: 'unauthenticated', warning: { code: 'provider_session_active' } });
  });

  it('with an end-session endpoint, returnTo goes to the provider, which checks it against the registration', async () => {
    const op = fakeProvider();
    const a = await op.tab();
    await op.signIn(a);
    await a.logout({ returnTo: 'https://elsewhere.example.test/' });
    const url = new URL(String(assign.mock.calls.at(-1)![0]));
    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/logout`);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('https://elsewhere.example.test/');
    expect(url.searchParams.get('id_token_hint')).toBeTruthy();
  });

  it('a revocation the provider refuses (401) leaves a warning, and the user is signed out', async () => {
    const op = fakeProvider();
    const a = await op.tab({
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) =>
        String(input).endsWith('/revoke')
          ? json({ error: 'invalid_client' }, 401)
          : op.net.fetch(input, init)) as typeof fetch,
    });
    await op.signIn(a);
    await a.logout({ localOnly: true });
    expect(a.getState()).toMatchObject({
      status: 'unauthenticated',
      warning: { code: 'revocation_failed', message: expect.stringContaining('/revoke') },
    });
  });

  it('no revocation endpoint leaves a warning too', async () => {
    const op = fakeProvider();
    const a = await op.tab({ metadata: { ...metadata, revocation_endpoint: undefined } });
    await op.signIn(a);
    await a.logout({ localOnly: true });
    expect(a.getState().warning?.code).toBe('revocation_failed');
  });

  it('after a logout no tab signs in silently until an interactive login', async () => {
    const op = fakeProvider();
    const silent = { refreshTokens: false, silentRedirectUri: 'https://app.example.test/silent.html' };
    const a = await op.tab({ ...silent, silentLoginOnStart: false });
    await op.signIn(a);
    const b = await op.tab({ ...silent, silentLoginOnStart: false });
    await a.logout({ localOnly: true });
    const frames = vi.spyOn(document, 'createElement');
    await expect(b.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'login_required' });
    // A reload: start-up makes no silent attempt either.
    const c = await op.tab({ ...silent, timeoutMs: 500 });
    expect(c.getState().status).toBe('unauthenticated');
    expect(frames.mock.calls.filter(([tag]) => tag === 'iframe')).toHaveLength(0);
    // An interactive login lifts it.
    await op.signIn(c);
    expect(localStorage.length).toBe(0);
  });
});

describe('callbacks and transactions', () => {
  it("two clients of two providers on one page never finish each other's logins", async () => {
    const net = fakeFetch({ '/token': () => tokenResponse() });
    const other = 'https://other-op.example.test';
    const a = await createPkceClient({
      issuer: ISSUER,
      clientId: 'shared-id',
      redirectUri: REDIRECT_URI,
      metadata,
      fetch: net.fetch,
    });
    const b = await createPkceClient({
      issuer: other,
      clientId: 'shared-id',
      redirectUri: 'https://app.example.test/other-callback',
      metadata: {
        ...metadata,
        issuer: other,
        authorization_endpoint: `${other}/authorize`,
        token_endpoint: `${other}/token`,
      },
      fetch: net.fetch,
    });
    await a.loginWithRedirect();
    const callback = callbackUrl(String(assign.mock.calls.at(-1)![0]), { code: 'honest-code' });
    // The other issuer's client gets the honest provider's callback: no transaction of its own, no exchange.
    await expect(b.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(net.requests.filter((r) => r.url.startsWith(other))).toHaveLength(0);
    expect(Object.keys(sessionStorage).filter((k) => k.startsWith('pkce-spa:tx:'))).toEqual([
      `pkce-spa:tx:${ISSUER}/ shared-id`,
    ]);
  });

  it("a callback at another path than the login's redirect URI is redirect_uri_mismatch and exchanges nothing", async () => {
    const provider = fakeProvider();
    const c = await provider.tab();
    const callback = new URL(await provider.startLogin(c, { code: 'c' }));
    callback.pathname = '/elsewhere';
    await expect(c.handleRedirectCallback(callback.href)).rejects.toMatchObject({
      code: 'redirect_uri_mismatch',
      message: expect.stringContaining(REDIRECT_URI),
    });
    expect(provider.net.count('/token')).toBe(0);
  });

  it('a page opened by a window that waits for no login handles its callback itself, promptly', async () => {
    const postMessage = vi.fn();
    vi.spyOn(window, 'opener', 'get').mockReturnValue({
      postMessage,
      sessionStorage: { getItem: () => null },
    } as unknown as Window);
    const c = await fakeProvider().tab();
    await expect(c.handleRedirectCallback(`${REDIRECT_URI}?code=x&state=y`)).rejects.toMatchObject({
      code: 'state_mismatch',
    });
    expect(postMessage).not.toHaveBeenCalled();
  });

  it('a page opened by another site (cross-origin opener) handles its callback itself', async () => {
    const crossOrigin = {
      postMessage: vi.fn(),
      get sessionStorage(): Storage {
        throw new DOMException('Blocked', 'SecurityError');
      },
    };
    vi.spyOn(window, 'opener', 'get').mockReturnValue(crossOrigin as unknown as Window);
    const c = await fakeProvider().tab();
    await expect(c.handleRedirectCallback(`${REDIRECT_URI}?code=x&state=y`)).rejects.toMatchObject({
      code: 'state_mismatch',
    });
    expect(crossOrigin.postMessage).not.toHaveBeenCalled();
  });

  it.each(['request', 'request_uri'])('authorizationParams.%s is reserved', async (name) => {
    const c = await fakeProvider().tab();
    await expect(c.loginWithRedirect({ authorizationParams: { [name]: 'x' } })).rejects.toMatchObject({
      code: 'invalid_options',
    });
  });

  it('each popup login opens its own window name', async () => {
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    const c = await fakeProvider().tab();
    await c.loginWithPopup().catch(() => undefined);
    await c.loginWithPopup().catch(() => undefined);
    const names = open.mock.calls.map((call) => call[1]);
    expect(names).toHaveLength(2);
    expect(names[0]).not.toBe(names[1]);
  });

  it('max_age is checked against auth_time', async () => {
    const authTime = Math.floor(Date.now() / 1000) - 3600;
    const provider = fakeProvider({ claims: { auth_time: authTime } });
    const c = await provider.tab();
    const auth = await provider.authorize(c, { authorizationParams: { max_age: '60' } });
    expect(auth.searchParams.get('max_age')).toBe('60');
    const callback = provider.callbackFor(auth, { code: 'c' });
    await expect(c.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'invalid_id_token' });
    expect(c.isAuthenticated()).toBe(false);
  });
});
