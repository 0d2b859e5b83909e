/**
 * The authorization code flow with PKCE against the real oidc-provider (demo/server.mjs): login, callback errors,
 * replays and logout. Only the browser edge (window.location / history, and a fetch that behaves like a page on the
 * app's origin, CORS included) is simulated.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createPkceClient, type PkceClient } from '../../src/index.js';
import {
  browserFetch,
  installBrowserShim,
  type BrowserFetch,
  type BrowserFetchOptions,
  type BrowserShim,
} from '../helpers/browser-shim.js';
import {
  authorizeWithCookies,
  buildAuthorizeUrl,
  createPkce,
  endSessionWithFetch,
  isInteractionUrl,
  loginWithFetch,
  startRealProvider,
  type DemoServers,
  type LoginOptions,
} from '../helpers/real-provider.js';

let op: DemoServers;
let shim: BrowserShim;

beforeAll(async () => {
  // Longer than the SDK's default leewaySeconds (60), so a new access token counts as fresh.
  op = await startRealProvider({ accessTokenTtlSeconds: 300 });
});
afterAll(async () => {
  await op?.close();
});
beforeEach(() => {
  op.resetStats();
  shim = installBrowserShim(`${op.appUrl}/`);
});
afterEach(() => {
  shim.uninstall();
});

/** A client on a page at `pageOrigin` (default: the app, which the provider allows for CORS). */
async function newClient(
  fetchOptions: BrowserFetchOptions = {},
  pageOrigin = op.appUrl,
): Promise<{ client: PkceClient; net: BrowserFetch }> {
  const net = browserFetch(pageOrigin, fetchOptions);
  const client = await createPkceClient({
    issuer: op.issuer,
    clientId: op.clientId,
    redirectUri: `${op.appUrl}/`,
    postLogoutRedirectUri: `${op.appUrl}/`,
    fetch: net.fetch,
  });
  return { client, net };
}

/** loginWithRedirect, then the OP's login and consent pages; the browser is left at the callback URL. */
async function authorize(client: PkceClient, login: LoginOptions = {}) {
  await client.loginWithRedirect();
  const result = await loginWithFetch(shim.lastAssigned(), login);
  shim.setLocation(result.callbackUrl);
  return result;
}

async function callApi(accessToken: string): Promise<Response> {
  return fetch(`${op.appUrl}/api/protected`, { headers: { authorization: `Bearer ${accessToken}` } });
}

describe('authorization code flow with PKCE', () => {
  it('full code flow signs the user in and the access token works at the protected API', async () => {
    const { client, net } = await newClient();
    expect(client.getState().status).toBe('unauthenticated');

    await client.loginWithRedirect({ appState: { returnTo: '/orders/7' } });
    const authorizeUrl = new URL(shim.lastAssigned());
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${op.issuer}/auth`);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'offline_access']),
    );

    const { callbackUrl } = await loginWithFetch(authorizeUrl.href, { login: 'alice' });
    expect(new URL(callbackUrl).searchParams.get('iss')).toBe(op.issuer);
    shim.setLocation(callbackUrl);
    const { appState } = await client.handleRedirectCallback(callbackUrl);

    expect(appState).toEqual({ returnTo: '/orders/7' });
    // The code and state are gone from the address bar.
    expect(shim.href()).toBe(`${op.appUrl}/`);
    expect(client.isAuthenticated()).toBe(true);
    expect(client.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    expect(client.getUser()).toMatchObject({ sub: 'alice', name: 'Demo alice', email: 'alice@example.test' });
    // The code was sent with its verifier, by a public client, over a CORS-checked request.
    const [tokenRequest] = net.to('/token');
    expect(tokenRequest?.body.get('grant_type')).toBe('authorization_code');
    expect(tokenRequest?.body.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(op.stats().tokenByGrant.authorization_code).toBe(1);

    const accessToken = await client.getAccessToken();
    const api = await callApi(accessToken);
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ ok: true, sub: 'alice' });
    // A fresh token comes from memory, not from another grant.
    expect(await client.getAccessToken()).toBe(accessToken);
    expect(op.stats().token).toBe(1);
  });

  it('access_denied at the consent page fails with the server description and stores nothing', async () => {
    const { client } = await newClient();
    const { callbackUrl } = await authorize(client, { consent: false });
    const params = new URL(callbackUrl).searchParams;
    expect(params.get('error')).toBe('access_denied');
    const serverDescription = params.get('error_description');
    expect(serverDescription).toBeTruthy();

    await expect(client.handleRedirectCallback(callbackUrl)).rejects.toMatchObject({
      name: 'AuthError',
      code: 'access_denied',
      description: serverDescription,
    });
    expect(client.isAuthenticated()).toBe(false);
    expect(client.getUser()).toBeUndefined();
    expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'access_denied' } });
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    // The transaction is gone too: the same callback cannot be retried.
    await expect(client.handleRedirectCallback(callbackUrl)).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(op.stats().token).toBe(0);
  });

  it('a replayed callback URL fails with state_mismatch and makes no token request', async () => {
    const { client } = await newClient();
    const { callbackUrl } = await authorize(client);
    await client.handleRedirectCallback(callbackUrl);
    const user = client.getUser();
    expect(op.stats().token).toBe(1);

    await expect(client.handleRedirectCallback(callbackUrl)).rejects.toMatchObject({ code: 'state_mismatch' });

    expect(op.stats().token).toBe(1);
    // The replay did not disturb the session it could not take over.
    expect(client.isAuthenticated()).toBe(true);
    expect(client.getUser()).toBe(user);
    expect(client.getState()).toMatchObject({ status: 'authenticated', error: { code: 'state_mismatch' } });
  });

  it('a code redeemed by someone else first fails with invalid_grant', async () => {
    let stolen: { access_token?: string } | undefined;
    const { client } = await newClient({
      // Whoever sees the token request (code + verifier) redeems it before the SDK's request arrives.
      before: async (url, body) => {
        if (url.pathname !== '/token' || body.get('grant_type') !== 'authorization_code') return;
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(response.status).toBe(200);
        stolen = (await response.json()) as { access_token?: string };
      },
    });
    const { callbackUrl } = await authorize(client);

    await expect(client.handleRedirectCallback(callbackUrl)).rejects.toMatchObject({
      code: 'invalid_grant',
      description: expect.any(String),
    });
    expect(stolen?.access_token).toEqual(expect.any(String));
    expect(client.isAuthenticated()).toBe(false);
    expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'invalid_grant' } });
    expect(op.stats().tokenByGrant.authorization_code).toBe(2);
    expect(op.stats().invalidGrant).toBe(1);
    // The provider revokes what the first redemption got (RFC 6749 §4.1.2).
    expect(await op.provider.AccessToken.find(stolen!.access_token!)).toBeUndefined();
  });

  it('a page on an origin the provider does not allow gets network_error from the token request (CORS)', async () => {
    const { client, net } = await newClient({}, 'http://127.0.0.1:9');
    const { callbackUrl } = await authorize(client);

    await expect(client.handleRedirectCallback(callbackUrl)).rejects.toMatchObject({
      code: 'network_error',
      message: expect.stringContaining('CORS'),
    });
    expect(net.to('/token')).toHaveLength(0); // the browser hid the response
    expect(client.isAuthenticated()).toBe(false);
  });

  it('logout revokes the refresh token and the end-session URL ends the provider session', async () => {
    const { client, net } = await newClient();
    const { callbackUrl, cookies } = await authorize(client);
    await client.handleRedirectCallback(callbackUrl);
    const refreshToken = net.to('/token')[0]?.json?.refresh_token;
    expect(refreshToken).toEqual(expect.any(String));
    expect(await op.provider.RefreshToken.find(refreshToken as string)).toBeDefined();
    // Control: while the provider session lives, a new authorization request needs no interaction.
    const probe = () =>
      buildAuthorizeUrl(op.issuer, { redirectUri: `${op.appUrl}/`, codeChallenge: createPkce().challenge, state: 's' });
    expect(new URL(await authorizeWithCookies(probe(), cookies.clone())).searchParams.get('code')).toBeTruthy();

    await client.logout();

    expect(client.isAuthenticated()).toBe(false);
    expect(client.getState()).toEqual({ status: 'unauthenticated' });
    expect(op.stats().revocation).toBe(1);
    expect(net.to('/token/revocation')[0]?.body.get('token')).toBe(refreshToken);
    expect(await op.provider.RefreshToken.find(refreshToken as string)).toBeUndefined();
    const replay = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken as string,
        client_id: op.clientId,
      }),
    });
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });

    const endSession = new URL(shim.lastAssigned());
    expect(endSession.origin + endSession.pathname).toBe(`${op.issuer}/session/end`);
    expect(endSession.searchParams.get('client_id')).toBe(op.clientId);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${op.appUrl}/`);
    expect(endSession.searchParams.get('id_token_hint')).toBe(net.to('/token')[0]?.json?.id_token);

    expect(await endSessionWithFetch(endSession.href, cookies)).toBe(`${op.appUrl}/`);
    expect(isInteractionUrl(await authorizeWithCookies(probe(), cookies))).toBe(true);
  });
});
