import { test, expect } from './fixtures.js';
import { callApi, collectIssuedTokens, readStore } from './tabs-fixtures.js';

test.describe("sessions that survive a reload (cache: 'indexeddb')", () => {
  test('a reload is authenticated with exactly one token request and zero authorize requests', async ({
    app,
    page,
    demo,
  }) => {
    const issued = collectIssuedTokens(page, demo);
    await app.open({ cache: 'indexeddb' });
    await app.login();
    demo.resetStats();
    await page.reload();
    await app.settled();

    expect(await app.status()).toBe('authenticated');
    expect(await page.evaluate(() => window.client.getUser())).toMatchObject({ sub: 'alice' });
    const stats = demo.stats();
    expect({
      authorize: stats.authorize,
      token: stats.token,
      refresh: stats.tokenByGrant.refresh_token,
      invalidGrant: stats.invalidGrant,
    }).toEqual({ authorize: 0, token: 1, refresh: 1, invalidGrant: 0 });
    expect(await page.evaluate(() => window.e2e.events)).not.toContain('unauthenticated');
    expect(await callApi(page, await app.getAccessToken())).toBe(200);
    expect(demo.stats().token).toBe(1);

    // What is stored: one AES key kept as a non-extractable CryptoKey, and one record that holds no token in clear.
    const stored = await readStore(page);
    expect(stored.map((e) => e.key).sort()).toEqual(['#key', `${demo.issuer}/ ${demo.clientId}`]);
    expect(stored.find((e) => e.cryptoKey)!.cryptoKey).toEqual({
      extractable: false,
      algorithm: 'AES-GCM',
      usages: ['encrypt', 'decrypt'],
    });
    const record = stored.find((e) => e.record)!.record!;
    expect(record.ivLength).toBe(12);
    await expect.poll(() => issued.length).toBeGreaterThanOrEqual(6); // login and restore: access, refresh and ID tokens
    const everywhere = await page.evaluate(
      () => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie + location.href,
    );
    for (const secret of issued) {
      expect(record.data).not.toContain(secret);
      expect(everywhere).not.toContain(secret);
    }
  });

  test('a stored refresh token that the provider rejects clears the cache and starts signed out', async ({
    app,
    page,
    demo,
  }) => {
    const issued = collectIssuedTokens(page, demo);
    await app.open({ cache: 'indexeddb' });
    await app.login();
    // Revoke the session's refresh token at the provider, behind the page's back.
    await expect.poll(() => issued.length).toBeGreaterThanOrEqual(3);
    const refreshToken = issued[1]!;
    const revoked = await fetch(`${demo.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token', client_id: demo.clientId }),
    });
    expect(revoked.status).toBe(200);
    demo.resetStats();

    await page.reload();
    await app.settled();
    expect(await app.status()).toBe('unauthenticated');
    expect(await page.evaluate(() => window.client.getState().error?.code)).toBe('invalid_grant');
    expect(demo.stats()).toMatchObject({ authorize: 0, token: 1 });
    expect((await readStore(page)).filter((e) => e.record)).toEqual([]);

    await page.reload();
    await app.settled();
    expect(await app.status()).toBe('unauthenticated');
    expect(demo.stats().token).toBe(1); // nothing left to try
  });

  test('a network failure during renewal keeps the stored refresh token: signed in after the network returns, even across a reload', async ({
    app,
    page,
    demo,
  }) => {
    await app.open({ cache: 'indexeddb' });
    await app.login();
    await page.route(`${demo.issuer}/token`, (route) => route.abort('internetdisconnected'));
    expect(await app.tokenError({ forceRefresh: true })).toBe('network_error');
    expect(await app.status()).toBe('authenticated');

    // Still offline after a reload: the stored session is kept (not cleared), the page shows the user.
    await page.reload();
    await app.settled();
    expect(await app.status()).toBe('authenticated');
    expect((await readStore(page)).filter((e) => e.record)).toHaveLength(1);

    await page.unroute(`${demo.issuer}/token`);
    // The failed start-up renewal paused renewals for up to a second (backoff, docs/renewal.md); the first call after
    // the pause renews.
    await expect.poll(() => app.tokenError(), { intervals: [250] }).toBe('resolved');
    const token = await app.getAccessToken();
    expect(await callApi(page, token)).toBe(200);
    await page.reload();
    await app.settled();
    expect(await app.status()).toBe('authenticated');
    expect(demo.stats().invalidGrant).toBe(0);
  });

  test('logout clears the stored session', async ({ app, page, demo }) => {
    await app.open({ cache: 'indexeddb' });
    await app.login();
    expect((await readStore(page)).filter((e) => e.record)).toHaveLength(1);
    await page.evaluate(() => window.client.logout({ localOnly: true }));
    expect((await readStore(page)).filter((e) => e.record)).toEqual([]);
    demo.resetStats();
    await page.reload();
    await app.settled();
    expect(await app.status()).toBe('unauthenticated');
    expect(demo.stats().token).toBe(0);
  });
});

test.describe("cache: 'memory'", () => {
  test('persists nothing: a reload of the only tab needs a new login, and no IndexedDB database exists', async ({
    app,
    page,
    demo,
  }) => {
    await app.open();
    await app.login();
    demo.resetStats();
    await page.reload();
    await app.settled();
    expect(await app.status()).toBe('unauthenticated');
    expect(demo.stats().token).toBe(0);
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).not.toContain('pkce-spa');
  });
});

test.describe('demo app', () => {
  test('"remember me" keeps the session across a reload, and the page counts the tabs sharing it', async ({
    page,
    context,
    demo,
  }) => {
    await page.goto(`${demo.appUrl}/`);
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await page.check('#remember');
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await page.click('#login');
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', 'any-password');
    await page.click('button[type="submit"]');
    if (new URL(page.url()).pathname.startsWith('/interaction/')) await page.click('button[type="submit"]');
    await expect(page.locator('#status')).toHaveText('authenticated');
    await expect(page.locator('#tabs')).toHaveText('1');

    const second = await context.newPage();
    await second.goto(`${demo.appUrl}/`);
    await expect(second.locator('#status')).toHaveText('authenticated');
    await expect(second.locator('#tabs')).toHaveText('2');
    await expect(page.locator('#tabs')).toHaveText('2');
    await second.close();
    await expect(page.locator('#tabs')).toHaveText('1');

    demo.resetStats();
    await page.reload();
    await expect(page.locator('#status')).toHaveText('authenticated');
    await expect(page.locator('#remember')).toBeChecked();
    expect(demo.stats()).toMatchObject({ authorize: 0, token: 1 });
  });
});
