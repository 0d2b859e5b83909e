import { beforeEach, describe, expect, it, vi } from 'vitest';
import { promisifyRequest } from 'idb-keyval';
import { dpop, type ClientOptions } from '../../src/index.js';
import { parseChallenges } from '../../src/fetch-with-auth.js';
import {
  ISSUER,
  REDIRECT_URI,
  fakeProvider,
  json,
  metadata,
  type Handler,
  type Recorded,
} from '../helpers/fake-provider.js';

// The network edge only: the fake provider (fake-provider.ts) answers the provider's endpoints and the APIs, and
// records method, URL, headers and body of every request.
let assign: ReturnType<typeof vi.fn>;
beforeEach(() => {
  assign = vi.fn();
  vi.spyOn(window.location, 'assign').mockImplementation(assign);
});

/** A signed-in client: one redirect login through `routes` (PAR endpoint and API routes as given). */
async function signedIn(routes: Record<string, Handler>, options: Partial<ClientOptions> = {}, as = metadata) {
  const provider = fakeProvider({ routes, tokenType: options.dpop ? 'DPoP' : 'Bearer' });
  const c = await provider.tab({ metadata: as, ...options });
  const auth = await provider.authorize(c);
  await c.handleRedirectCallback(provider.callbackFor(auth, { code: 'c' }));
  return { c, net: provider.net, auth, provider, store: provider.store };
}

const proofOf = (req: Recorded) =>
  JSON.parse(Buffer.from(req.headers.get('dpop')!.split('.')[1]!, 'base64url').toString());

describe('parseChallenges', () => {
  it('reads several challenges, quoted values with escapes, and skips token68', () => {
    expect(
      parseChallenges(
        'Basic abc==, DPoP error="use_dpop_nonce", error_description="Resource server requires nonce", algs="ES256 PS256", Bearer realm="a\\"b", error=invalid_token',
      ),
    ).toEqual([
      { scheme: 'basic', params: {} },
      {
        scheme: 'dpop',
        params: { error: 'use_dpop_nonce', error_description: 'Resource server requires nonce', algs: 'ES256 PS256' },
      },
      { scheme: 'bearer', params: { realm: 'a"b', error: 'invalid_token' } },
    ]);
    expect(parseChallenges(null)).toEqual([]);
  });
});

describe('fetchWithAuth (Bearer)', () => {
  it("sends each resource its own token and never one resource's token to another (RFC 8707)", async () => {
    const api = (req: Recorded) => json({ auth: req.headers.get('authorization') });
    const { c, net } = await signedIn(
      { 'https://a.example.test/x': api, 'https://b.example.test/y': api },
      {
        apiOrigins: ['https://a.example.test', 'https://b.example.test'],
      },
    );
    const a = await (
      await c.fetchWithAuth('https://a.example.test/x', undefined, { resource: 'https://a.example.test/' })
    ).json();
    const b = await (
      await c.fetchWithAuth('https://b.example.test/y', undefined, { resource: 'https://b.example.test/' })
    ).json();
    expect(a.auth).toMatch(/^Bearer at-\d+-https:\/\/a\.example\.test\/$/);
    expect(b.auth).toMatch(/^Bearer at-\d+-https:\/\/b\.example\.test\/$/);
    // A second call for resource A reuses A's cached token: no new grant.
    const grants = net.at('/token').length;
    expect(
      (
        await (
          await c.fetchWithAuth('https://a.example.test/x', undefined, { resource: 'https://a.example.test/' })
        ).json()
      ).auth,
    ).toBe(a.auth);
    expect(net.at('/token').length).toBe(grants);
  });

  it('refuses an origin outside apiOrigins before sending anything', async () => {
    const { c, net } = await signedIn({});
    const before = net.requests.length;
    await expect(c.fetchWithAuth('https://evil.example.test/steal')).rejects.toMatchObject({
      name: 'AuthError',
      code: 'origin_not_allowed',
    });
    expect(net.requests.length).toBe(before);
  });

  it('renews once on 401 invalid_token, resends the same body, and returns the second 401 as it is', async () => {
    const refused = () =>
      new Response('{}', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    const { c, net } = await signedIn({ 'https://app.example.test/api': refused });
    const grants = net.at('/token').length;
    const response = await c.fetchWithAuth('/api', { method: 'POST', body: 'payload' });
    expect(response.status).toBe(401);
    expect(net.at('/token').length - grants).toBe(1);
    const calls = net.at('/api');
    expect(calls.map((r) => [r.method, r.text])).toEqual([
      ['POST', 'payload'],
      ['POST', 'payload'],
    ]);
    expect(calls[0]!.headers.get('authorization')).not.toBe(calls[1]!.headers.get('authorization'));
  });

  it('turns a step-up challenge into insufficient_user_authentication with acr_values and max_age (RFC 9470)', async () => {
    const challenge = () =>
      new Response('', {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer error="insufficient_user_authentication", error_description="MFA please", acr_values="urn:mfa", max_age="60"',
        },
      });
    const { c, net } = await signedIn({ 'https://app.example.test/api': challenge });
    await expect(c.fetchWithAuth('/api')).rejects.toMatchObject({
      name: 'AuthError',
      code: 'insufficient_user_authentication',
      description: 'MFA please',
      stepUp: { acr_values: 'urn:mfa', max_age: '60' },
    });
    expect(net.at('/api').length).toBe(1);
  });
});

describe('DPoP', () => {
  it('binds the code with dpop_jkt and signs proofs for the code and refresh grants with one key', async () => {
    const { c, net, auth, store } = await signedIn({}, { dpop });
    const jkt = auth.searchParams.get('dpop_jkt');
    expect(jkt).toMatch(/^[\w-]{43}$/);
    await c.getAccessToken({ forceRefresh: true });
    const [code, refresh] = net.at('/token');
    const keys = [code!, refresh!].map(
      (r) => JSON.parse(Buffer.from(r.headers.get('dpop')!.split('.')[0]!, 'base64url').toString()).jwk,
    );
    expect(keys[0]).toEqual(keys[1]);
    expect(keys[0]).not.toHaveProperty('d');
    expect([proofOf(code!).htm, proofOf(code!).htu]).toEqual(['POST', `${ISSUER}/token`]);
    // The redirect login's key waited in IndexedDB (a CryptoKey cannot go to sessionStorage) and is gone now.
    const stored = await store('readonly', (st) => promisifyRequest(st.getAllKeys()));
    expect(stored.filter((k) => String(k).startsWith('#dpop-login'))).toEqual([]);
    expect(JSON.stringify(Object.values(sessionStorage))).not.toContain('privateKey');
  });

  it('answers use_dpop_nonce at the token endpoint with exactly one retry carrying the nonce', async () => {
    const { c, net, provider } = await signedIn({}, { dpop });
    const grant = provider.refresh;
    const challenge = () =>
      new Response(JSON.stringify({ error: 'use_dpop_nonce' }), {
        status: 400,
        headers: { 'content-type': 'application/json', 'dpop-nonce': 'n-1' },
      });
    let asked = 0;
    provider.refresh = (rt) => (asked++ === 0 ? challenge() : grant(rt));
    const before = net.at('/token').length;
    await c.getAccessToken({ forceRefresh: true });
    const [refused, retried] = net.at('/token').slice(before);
    expect(net.at('/token').length - before).toBe(2);
    expect(proofOf(refused!).nonce).toBeUndefined();
    expect(proofOf(retried!).nonce).toBe('n-1');

    // A server that keeps asking gets one retry, then the error: never a loop.
    provider.refresh = challenge;
    const again = net.at('/token').length;
    await expect(c.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'use_dpop_nonce',
    });
    expect(net.at('/token').length - again).toBe(2);
    expect(c.isAuthenticated()).toBe(true);
  });

  it('attaches Authorization: DPoP and a proof with ath; retries once on a resource server nonce challenge', async () => {
    const api: Handler = (req) =>
      proofOf(req).nonce === 'rs-nonce'
        ? json({ ok: true })
        : new Response('', {
            status: 401,
            headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-nonce' },
          });
    const { c, net } = await signedIn({ 'https://app.example.test/api': api }, { dpop });
    const response = await c.fetchWithAuth('/api?x=1', { method: 'PUT', body: 'b' });
    expect(response.status).toBe(200);
    const [first, second] = net.at('/api');
    const token = await c.getAccessToken();
    expect(second!.headers.get('authorization')).toBe(`DPoP ${token}`);
    const proof = proofOf(second!);
    expect(proof).toMatchObject({ htm: 'PUT', htu: 'https://app.example.test/api', nonce: 'rs-nonce' });
    expect(proof.ath).toBe(
      Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))).toString('base64url'),
    );
    expect(proofOf(first!).jti).not.toBe(proof.jti);
    expect(second!.text).toBe('b');

    // A resource server that keeps challenging gets one retry per call, and its 401 is returned as it is.
    net.routes['https://app.example.test/api'] = () =>
      new Response('', {
        status: 401,
        headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'other' },
      });
    const before = net.at('/api').length;
    expect((await c.fetchWithAuth('/api')).status).toBe(401);
    expect(net.at('/api').length - before).toBe(2);
  });

  it('the key is non-extractable ES256', async () => {
    const key = await dpop.createKey();
    expect(key.privateKey.extractable).toBe(false);
    expect(key.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
  });
});

describe('PAR', () => {
  it('pushes the whole authorization request and navigates with client_id and request_uri only', async () => {
    const par: Handler = () => json({ request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }, 201);
    const { c, net, auth } = await signedIn(
      { '/par': par },
      { par: true },
      { ...metadata, pushed_authorization_request_endpoint: `${ISSUER}/par` },
    );
    expect([...auth.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const pushed = net.at('/par')[0]!.body;
    expect(pushed.get('code_challenge_method')).toBe('S256');
    expect(pushed.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(pushed.get('scope')).toContain('openid');
    expect(c.isAuthenticated()).toBe(true);
  });

  it("is used without the option when the metadata requires it, and reports the server's error code", async () => {
    const provider = fakeProvider({
      routes: { '/par': () => json({ error: 'invalid_request', error_description: 'bad scope' }, 400) },
    });
    const c = await provider.tab({
      metadata: {
        ...metadata,
        pushed_authorization_request_endpoint: `${ISSUER}/par`,
        require_pushed_authorization_requests: true,
      },
    });
    await expect(c.loginWithRedirect()).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_request',
      description: 'bad scope',
    });
    expect(assign).not.toHaveBeenCalled();
  });

  it('a provider that redirects back with invalid_request_uri (expired request_uri) surfaces that code', async () => {
    const par: Handler = () => json({ request_uri: 'urn:ietf:params:oauth:request_uri:old', expires_in: 60 }, 201);
    const provider = fakeProvider({ routes: { '/par': par } });
    const c = await provider.tab({
      par: true,
      metadata: { ...metadata, pushed_authorization_request_endpoint: `${ISSUER}/par` },
    });
    const auth = await provider.authorize(c);
    await expect(
      c.handleRedirectCallback(provider.callbackFor(auth, { error: 'invalid_request_uri' })),
    ).rejects.toMatchObject({ name: 'AuthError', code: 'invalid_request_uri' });
    expect(sessionStorage.length).toBe(0);
  });

  it('fails with invalid_options when par is on and the provider has no PAR endpoint', async () => {
    const c = await fakeProvider().tab({ par: true });
    await expect(c.loginWithRedirect()).rejects.toMatchObject({ name: 'AuthError', code: 'invalid_options' });
  });
});
