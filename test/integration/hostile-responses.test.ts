/**
 * Responses a conforming provider never sends, from a scripted server: each must end the callback with a stable
 * AuthError code and leave nobody signed in. A well-formed response from the same script signs in, so each failure
 * is caused by the one thing the test changed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createPkceClient, type PkceClient } from '../../src/index.js';
import { browserFetch, installBrowserShim, type BrowserShim } from '../helpers/browser-shim.js';
import { callbackUrl } from '../helpers/callback-url.js';
import {
  jsonResponse,
  startHostileProvider,
  type ScriptedOp,
  type ScriptedResponse,
} from '../helpers/hostile-provider.js';

const APP = 'http://localhost:5173';
let sop: ScriptedOp;
let other: ScriptedOp;
let shim: BrowserShim;

beforeAll(async () => {
  [sop, other] = await Promise.all([startHostileProvider(), startHostileProvider()]);
});
afterAll(async () => {
  await Promise.all([sop?.close(), other?.close()]);
});
beforeEach(() => {
  shim = installBrowserShim(`${APP}/`);
  sop.requests.length = 0;
});
afterEach(() => {
  shim.uninstall();
});

/** Starts a login and returns the callback the scripted server "redirects" to, with the login's state and nonce. */
async function startLogin(): Promise<{ client: PkceClient; callback: URL; nonce: string }> {
  const client = await createPkceClient({
    issuer: sop.issuer,
    clientId: sop.clientId,
    redirectUri: `${APP}/`,
    fetch: browserFetch(APP).fetch,
  });
  await client.loginWithRedirect();
  const authorize = new URL(shim.lastAssigned());
  expect(authorize.href.startsWith(`${sop.issuer}/authorize?`)).toBe(true);
  const callback = new URL(callbackUrl(authorize, { issuer: sop.issuer, params: { code: 'scripted-code' } }));
  shim.setLocation(callback.href);
  return { client, callback, nonce: authorize.searchParams.get('nonce')! };
}

function tokenBody(idToken: string): Record<string, unknown> {
  return {
    access_token: 'at-1',
    token_type: 'Bearer',
    expires_in: 300,
    refresh_token: 'rt-1',
    scope: 'openid profile email offline_access',
    id_token: idToken,
  };
}

function expectSignedOut(client: PkceClient, code: string): void {
  expect(client.isAuthenticated()).toBe(false);
  expect(client.getUser()).toBeUndefined();
  expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code } });
}

describe('hostile token and callback responses', () => {
  it('a well-formed scripted token response signs in (control)', async () => {
    const { client, callback, nonce } = await startLogin();
    sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce, name: 'Alice' }))));

    await client.handleRedirectCallback(callback.href);

    expect(client.getUser()).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect(await client.getAccessToken()).toBe('at-1');
    expect(sop.requests.find((r) => r.pathname === '/token')?.body.get('code')).toBe('scripted-code');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const badIdTokens: [string, (nonce: string) => string][] = [
    ['another issuer', (nonce) => sop.idToken({ nonce, iss: other.issuer })],
    ['another audience', (nonce) => sop.idToken({ nonce, aud: 'someone-else' })],
    ['an expired exp', (nonce) => sop.idToken({ nonce, iat: now() - 7200, exp: now() - 3600 })],
    ['a wrong nonce', () => sop.idToken({ nonce: 'not-the-login-nonce' })],
    ['no nonce', () => sop.idToken({})],
    ['no sub', (nonce) => sop.idToken({ nonce, sub: undefined })],
    ['a payload that is not JSON', () => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.bm90IGpzb24.c2ln`],
  ];
  it.each(badIdTokens)('an ID token with %s fails with invalid_id_token', async (_what, idToken) => {
    const { client, callback, nonce } = await startLogin();
    sop.on('/token', () => jsonResponse(tokenBody(idToken(nonce))));

    await expect(client.handleRedirectCallback(callback.href)).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_id_token',
    });
    expect(sop.count('/token')).toBe(1);
    expectSignedOut(client, 'invalid_id_token');
  });

  const badBodies: [string, ScriptedResponse][] = [
    [
      'HTML instead of JSON',
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<!doctype html><h1>Welcome to nginx!</h1>' },
    ],
    [
      'a 500 without a JSON body',
      { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' },
    ],
    [
      'a 502 HTML error page labelled as JSON',
      { status: 502, headers: { 'content-type': 'application/json' }, body: '<html>Bad Gateway</html>' },
    ],
    [
      'a 200 body labelled as JSON that is not JSON',
      { status: 200, headers: { 'content-type': 'application/json' }, body: '<html>maintenance</html>' },
    ],
    ['JSON without an access_token', jsonResponse({ token_type: 'Bearer' })],
  ];
  it.each(badBodies)('a token response with %s fails with invalid_response', async (_what, answer) => {
    const { client, callback } = await startLogin();
    sop.on('/token', () => answer);

    await expect(client.handleRedirectCallback(callback.href)).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_response',
    });
    expect(sop.count('/token')).toBe(1);
    expectSignedOut(client, 'invalid_response');
  });

  it("a callback carrying another server's iss fails with issuer_mismatch before any token request", async () => {
    const { client, callback, nonce } = await startLogin();
    sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce }))));
    callback.searchParams.set('iss', other.issuer);

    await expect(client.handleRedirectCallback(callback.href)).rejects.toMatchObject({
      code: 'issuer_mismatch',
      message: expect.stringContaining(other.issuer),
    });
    expect(sop.count('/token')).toBe(0);
    expectSignedOut(client, 'issuer_mismatch');
    // The transaction is spent: the same callback with the right iss is no longer accepted.
    callback.searchParams.set('iss', sop.issuer);
    await expect(client.handleRedirectCallback(callback.href)).rejects.toMatchObject({ code: 'state_mismatch' });
  });

  it('a callback without iss fails with issuer_mismatch when the server advertises RFC 9207', async () => {
    const { client, callback, nonce } = await startLogin();
    sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce }))));
    callback.searchParams.delete('iss');

    await expect(client.handleRedirectCallback(callback.href)).rejects.toMatchObject({ code: 'issuer_mismatch' });
    expect(sop.count('/token')).toBe(0);
  });

  describe('during renewal', () => {
    async function signedIn(): Promise<PkceClient> {
      const { client, callback, nonce } = await startLogin();
      sop.on('/token', () => jsonResponse(tokenBody(sop.idToken({ nonce }))));
      await client.handleRedirectCallback(callback.href);
      expect(client.isAuthenticated()).toBe(true);
      return client;
    }

    it('a refreshed ID token for another subject fails with invalid_id_token and keeps the session', async () => {
      const client = await signedIn();
      const user = client.getUser();
      sop.on('/token', () =>
        jsonResponse({ ...tokenBody(sop.idToken({ sub: 'mallory' })), access_token: 'at-mallory' }),
      );

      await expect(client.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'invalid_id_token' });

      expect(client.getUser()).toBe(user);
      expect(await client.getAccessToken()).toBe('at-1');
    });

    it('a refresh answered with HTML fails with invalid_response and keeps the session', async () => {
      const client = await signedIn();
      sop.on('/token', () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<h1>Login</h1>' }));

      await expect(client.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'invalid_response' });

      expect(client.getState().status).toBe('authenticated');
      expect(await client.getAccessToken()).toBe('at-1');
    });
  });
});
