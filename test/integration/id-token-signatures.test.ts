/**
 * ID-token signatures against a real HTTP server (the hostile provider (hostile-provider.ts), which signs with the key it publishes at
 * /jwks): forged tokens fail with invalid_id_token at the code exchange and on refresh, the JWKS is fetched during the
 * exchange and reused, and a key rotated in later is fetched once more. Real oidc-provider signatures are verified by
 * every login in code-flow.test.ts and the e2e suite.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createPkceClient, isAuthError, type ClientOptions, type PkceClient } from '../../src/index.js';
import { browserFetch, installBrowserShim, type BrowserShim } from '../helpers/browser-shim.js';
import { callbackUrl } from '../helpers/callback-url.js';
import { jsonResponse, startHostileProvider, type ScriptedOp } from '../helpers/hostile-provider.js';
import { jwks, rotatedJwks, signJwt } from '../helpers/signing-key.js';

const APP = 'http://localhost:5173';
let sop: ScriptedOp;
let shim: BrowserShim;

beforeAll(async () => {
  sop = await startHostileProvider();
});
afterAll(async () => {
  await sop?.close();
});
beforeEach(() => {
  shim = installBrowserShim(`${APP}/`);
  sop.requests.length = 0;
  sop.on('/jwks', () => jsonResponse(jwks()));
});
afterEach(() => {
  shim.uninstall();
});

const now = () => Math.floor(Date.now() / 1000);
const tokenBody = (idToken: string, rt = 'rt-1') => ({
  access_token: 'at-1',
  token_type: 'Bearer',
  expires_in: 300,
  refresh_token: rt,
  id_token: idToken,
});

/** A client whose login is at the callback; `answer(nonce)` makes the code exchange's ID token. */
async function atCallback(
  extra: Partial<ClientOptions> = {},
  op = sop,
): Promise<{ client: PkceClient; finish: () => Promise<unknown>; nonce: string }> {
  const client = await createPkceClient({
    issuer: op.issuer,
    clientId: op.clientId,
    redirectUri: `${APP}/`,
    fetch: browserFetch(APP).fetch,
    ...extra,
  });
  await client.loginWithRedirect();
  const authorize = new URL(shim.lastAssigned());
  const callback = callbackUrl(authorize, { issuer: op.issuer, params: { code: 'c' } });
  shim.setLocation(callback);
  return { client, nonce: authorize.searchParams.get('nonce')!, finish: () => client.handleRedirectCallback(callback) };
}

describe('ID-token signatures', () => {
  const forged: [string, (claims: Record<string, unknown>) => string][] = [
    ['alg: none', (claims) => sop.idToken(claims, { forge: 'none' })],
    ['an alg the provider does not advertise (PS256)', (claims) => sop.idToken(claims, { header: { alg: 'PS256' } })],
    ['a bad signature', (claims) => sop.idToken(claims, { forge: 'garbage' })],
    ['a key the provider never published', (claims) => sop.idToken(claims, { forge: 'stranger' })],
    ['HS256 keyed with the public key', (claims) => sop.idToken(claims, { forge: 'hs256' })],
    ['iat in the future beyond leewaySeconds', (claims) => sop.idToken({ ...claims, iat: now() + 600 })],
  ];

  it.each(forged)('%s at the code exchange is invalid_id_token and nobody is signed in', async (_what, make) => {
    const { client, finish, nonce } = await atCallback();
    sop.on('/token', () => jsonResponse(tokenBody(make({ nonce }))));
    const error = await finish().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAuthError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_id_token' });
    expect(client.isAuthenticated()).toBe(false);
  });

  it.each(forged)('%s on refresh is invalid_id_token and the session is kept', async (_what, make) => {
    const { client, finish, nonce } = await atCallback();
    sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce }))));
    await finish();
    sop.on('/token', () => jsonResponse({ ...tokenBody(make({}), 'rt-2'), access_token: 'at-forged' }));
    await expect(client.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'invalid_id_token' });
    expect(client.getUser()).toMatchObject({ sub: 'alice' });
    expect(await client.getAccessToken()).toBe('at-1');
  });

  it('the JWKS is fetched while the code is exchanged, once, and reused by the refresh', async () => {
    // A provider of its own: the JWKS cache is per issuer and per page, and the other tests filled sop's.
    const fresh = await startHostileProvider();
    try {
      const { finish, nonce, client } = await atCallback({}, fresh);
      const order: string[] = [];
      fresh.on('/jwks', () => (order.push('jwks'), jsonResponse(jwks())));
      fresh.on('/token', async () => {
        order.push('token');
        // The token endpoint answers only once the JWKS request has arrived: proof that the two run in parallel.
        for (let i = 0; i < 100 && !order.includes('jwks'); i++) await new Promise((r) => setTimeout(r, 10));
        return jsonResponse(tokenBody(fresh.idToken({ nonce })));
      });
      await finish();
      expect(order.sort()).toEqual(['jwks', 'token']);
      fresh.on('/token', () => jsonResponse(tokenBody(fresh.idToken({}), 'rt-2')));
      await client.getAccessToken({ forceRefresh: true });
      expect(fresh.count('/jwks')).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('a key id the cached JWKS lacks fetches it once more (rotation), and an unknown one fails after that single retry', async () => {
    const { finish, nonce, client } = await atCallback();
    sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce }))));
    await finish();
    const before = sop.count('/jwks');
    // The provider rotates: its JWKS now has the new key, and the refresh's ID token is signed with it.
    sop.on('/jwks', () => jsonResponse(rotatedJwks()));
    sop.on('/token', () =>
      jsonResponse(
        tokenBody(
          signJwt(
            { iss: sop.issuer, aud: sop.clientId, sub: 'alice', iat: now(), exp: now() + 600 },
            { forge: 'stranger', header: { kid: 'rotated-key' } },
          ),
          'rt-2',
        ),
      ),
    );
    await client.getAccessToken({ forceRefresh: true });
    expect(sop.count('/jwks')).toBe(before + 1);
    sop.on('/token', () =>
      jsonResponse(
        tokenBody(
          signJwt(
            { iss: sop.issuer, aud: sop.clientId, sub: 'alice', iat: now(), exp: now() + 600 },
            { header: { kid: 'nobody-has-this' } },
          ),
          'rt-3',
        ),
      ),
    );
    await expect(client.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'invalid_id_token' });
    expect(sop.count('/jwks')).toBe(before + 2);
  });

  it('verifyIdTokenSignature: false trusts the TLS channel alone (OIDC Core §3.1.3.7) and fetches no JWKS', async () => {
    const { finish, nonce, client } = await atCallback({ verifyIdTokenSignature: false });
    sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce }, { forge: 'garbage' }))));
    await finish();
    expect(client.isAuthenticated()).toBe(true);
    expect(sop.count('/jwks')).toBe(0);
  });

  it('max_age: an auth_time older than max_age is invalid_id_token; a recent one signs in', async () => {
    const old = await atCallback({ authorizationParams: { max_age: '300' } });
    sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce: old.nonce, auth_time: now() - 3600 }))));
    await expect(old.finish()).rejects.toMatchObject({ code: 'invalid_id_token' });
    const recent = await atCallback({ authorizationParams: { max_age: '300' } });
    sop.on('/token', () =>
      jsonResponse(tokenBody(sop.idToken({ nonce: recent.nonce, auth_time: now() - 10, acr: 'urn:mfa' }))),
    );
    await recent.finish();
    expect(recent.client.getIdTokenClaims()).toMatchObject({ acr: 'urn:mfa' });
  });
});
