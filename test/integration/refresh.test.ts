/**
 * Renewal with rotating refresh tokens against the real oidc-provider (demo/server.mjs rotates on every use and
 * revokes the whole grant when a rotated refresh token comes back).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createPkceClient, type AuthState, type PkceClient } from '../../src/index.js';
import {
  browserFetch,
  installBrowserShim,
  type BrowserFetch,
  type BrowserFetchOptions,
  type BrowserShim,
} from '../helpers/browser-shim.js';
import { loginWithFetch, startRealProvider, type DemoServers } from '../helpers/real-provider.js';

let op: DemoServers;
let shim: BrowserShim;

beforeAll(async () => {
  // Longer than the SDK's default leewaySeconds (60), so only forceRefresh renews.
  op = await startRealProvider({ accessTokenTtlSeconds: 300 });
});
afterAll(async () => {
  await op?.close();
});
beforeEach(() => {
  shim = installBrowserShim(`${op.appUrl}/`);
});
afterEach(() => {
  shim.uninstall();
});

/** A client signed in as alice through the real login flow; the server's counters start at zero afterwards. */
async function signedIn(fetchOptions: BrowserFetchOptions = {}): Promise<{ client: PkceClient; net: BrowserFetch }> {
  const net = browserFetch(op.appUrl, fetchOptions);
  const client = await createPkceClient({
    issuer: op.issuer,
    clientId: op.clientId,
    redirectUri: `${op.appUrl}/`,
    fetch: net.fetch,
  });
  await client.loginWithRedirect();
  const { callbackUrl } = await loginWithFetch(shim.lastAssigned());
  shim.setLocation(callbackUrl);
  await client.handleRedirectCallback(callbackUrl);
  expect(client.isAuthenticated()).toBe(true);
  op.resetStats();
  return { client, net };
}

const refreshRequests = (net: BrowserFetch) =>
  net.to('/token').filter((r) => r.body.get('grant_type') === 'refresh_token');

async function apiStatus(accessToken: string): Promise<number> {
  const response = await fetch(`${op.appUrl}/api/protected`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.body?.cancel();
  return response.status;
}

describe('refresh token rotation', () => {
  it('forceRefresh returns a new access token each time and spends each rotated refresh token once', async () => {
    const { client, net } = await signedIn();
    const first = await client.getAccessToken();
    const initialRefreshToken = net.to('/token')[0]?.json?.refresh_token as string;

    const second = await client.getAccessToken({ forceRefresh: true });
    const third = await client.getAccessToken({ forceRefresh: true });

    expect(new Set([first, second, third]).size).toBe(3);
    expect(op.stats().tokenByGrant.refresh_token).toBe(2);
    const [r1, r2] = refreshRequests(net);
    expect(r1?.body.get('refresh_token')).toBe(initialRefreshToken);
    expect(r2?.body.get('refresh_token')).toBe(r1?.json?.refresh_token);
    expect(r2?.body.get('refresh_token')).not.toBe(initialRefreshToken);
    expect((await op.provider.RefreshToken.find(initialRefreshToken))?.consumed).toBeTruthy();
    expect(await apiStatus(third)).toBe(200);
    // Without forceRefresh the newest token comes from memory.
    expect(await client.getAccessToken()).toBe(third);
    expect(op.stats().token).toBe(2);
    expect(client.getUser()).toMatchObject({ sub: 'alice' });
  });

  it('50 concurrent forceRefresh calls make exactly one refresh request', async () => {
    const { client } = await signedIn();
    const before = await client.getAccessToken();

    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken({ forceRefresh: true })));

    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before);
    expect(op.stats().tokenByGrant.refresh_token).toBe(1);
    expect(op.stats().token).toBe(1);
    expect(op.stats().invalidGrant).toBe(0);
    expect(await apiStatus(tokens[0]!)).toBe(200);
  });

  it('a lost refresh response keeps the session; spending the old refresh token again ends it with invalid_grant', async () => {
    let loseNextRefresh = false;
    let lost: Record<string, unknown> | undefined;
    const { client, net } = await signedIn({
      // The server rotates, then the connection drops before the SDK reads the answer.
      intercept: async (request, response) => {
        if (!loseNextRefresh || request.body.get('grant_type') !== 'refresh_token') return response;
        loseNextRefresh = false;
        lost = request.json;
        await response.body?.cancel();
        throw new TypeError('fetch failed');
      },
    });
    const accessToken = await client.getAccessToken();
    const states: AuthState[] = [];
    client.subscribe((s) => states.push(s));

    loseNextRefresh = true;
    await expect(client.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'network_error' });
    expect(lost?.refresh_token).toEqual(expect.any(String));
    expect(client.isAuthenticated()).toBe(true);
    expect(client.getState().status).toBe('authenticated');

    await expect(client.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ code: 'invalid_grant' });

    const [spent, reused] = refreshRequests(net);
    expect(reused?.body.get('refresh_token')).toBe(spent?.body.get('refresh_token'));
    expect(op.stats().tokenByGrant.refresh_token).toBe(2);
    expect(op.stats().invalidGrant).toBe(1);
    expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'invalid_grant' } });
    expect(states.at(-1)).toBe(client.getState());
    expect(client.isAuthenticated()).toBe(false);
    expect(client.getUser()).toBeUndefined();
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    // Reuse detection revoked the whole grant: the token the SDK never saw and the old access token are dead too.
    expect(await op.provider.RefreshToken.find(lost!.refresh_token as string)).toBeUndefined();
    expect(await apiStatus(accessToken)).toBe(401);
  });
});
