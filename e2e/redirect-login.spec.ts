import { test, expect, fillLogin, answerConsent } from './fixtures.js';

test.describe('redirect login against oidc-provider', () => {
  test('signs in, round-trips appState, cleans the URL and keeps tokens out of storage and history', async ({
    app,
    page,
    demo,
  }) => {
    const issued: string[] = [];
    page.on('response', async (r) => {
      if (r.url() === `${demo.issuer}/token` && r.request().method() === 'POST') {
        const body = await r.json();
        issued.push(body.access_token, body.refresh_token, body.id_token);
      }
    });
    await app.open();
    expect(await app.status()).toBe('unauthenticated');
    const historyBefore = await page.evaluate(() => history.length);
    await app.login({ appState: { returnTo: '/inbox', n: 1 } });

    expect(await app.status()).toBe('authenticated');
    expect(await page.evaluate(() => window.e2e.appState)).toEqual({ returnTo: '/inbox', n: 1 });
    expect(await page.evaluate(() => window.client.getUser())).toMatchObject({
      sub: 'alice',
      email: 'alice@example.test',
    });
    expect(page.url()).toBe(app.url);

    const token = await app.getAccessToken();
    const api = await page.evaluate(
      async (t) => (await fetch('/api/protected', { headers: { authorization: `Bearer ${t}` } })).json(),
      token,
    );
    expect(api).toMatchObject({ ok: true, sub: 'alice' });

    // Nothing that could replay the login or the session stays behind in the page's storage or URL.
    const leftovers = await page.evaluate(() => ({
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
      cookie: document.cookie,
      href: location.href,
    }));
    expect(issued.filter(Boolean)).toHaveLength(3);
    expect(issued).toContain(token);
    for (const place of Object.values(leftovers)) {
      for (const secret of issued.filter(Boolean)) expect(place).not.toContain(secret);
      expect(place).not.toMatch(/code=|state=|pkce-spa:tx/);
    }
    expect(await page.evaluate(() => history.length)).toBeGreaterThanOrEqual(historyBefore);
    const stats = demo.stats();
    expect(stats.tokenByGrant.authorization_code).toBe(1);
  });

  test('renews an expired access token with one token request for 50 concurrent calls', async ({ app, page, demo }) => {
    await page.clock.install();
    await app.open();
    await app.login();
    const first = await app.getAccessToken();
    const before = demo.stats().tokenByGrant.refresh_token ?? 0;
    await page.clock.fastForward('10:00'); // the 300 s token is now expired
    const tokens = await page.evaluate(() =>
      Promise.all(Array.from({ length: 50 }, () => window.client.getAccessToken())),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect((demo.stats().tokenByGrant.refresh_token ?? 0) - before).toBe(1);
    const api = await page.evaluate(
      async (t) => (await fetch('/api/protected', { headers: { authorization: `Bearer ${t}` } })).status,
      tokens[0],
    );
    expect(api).toBe(200);
  });

  test('a refresh token spent twice ends the session with invalid_grant', async ({ app, page, demo }) => {
    await app.open();
    await app.login();
    // Lose the response of one renewal: the server rotated the refresh token, the page never saw the new one.
    let lost = false;
    await page.route(`${demo.issuer}/token`, async (route) => {
      if (!lost && route.request().postData()?.includes('grant_type=refresh_token')) {
        lost = true;
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    expect(await app.tokenError({ forceRefresh: true })).toBe('network_error');
    expect(await app.status()).toBe('authenticated');
    expect(await app.tokenError({ forceRefresh: true })).toBe('invalid_grant');
    expect(await app.status()).toBe('unauthenticated');
    expect(demo.stats().invalidGrant).toBe(1);
    expect(await app.tokenError()).toBe('login_required');
  });

  test('logout ends the server session: the next login asks for credentials again', async ({ app, page, demo }) => {
    await app.open();
    await app.login();
    const endSession = page.waitForRequest((r) => r.url().startsWith(`${demo.issuer}/session/end`));
    const back = page.waitForEvent('framenavigated', (f) => f === page.mainFrame() && f.url().startsWith(app.url));
    await page.evaluate(() => window.client.logout());
    await endSession;
    await back;
    await app.settled();
    expect(await app.status()).toBe('unauthenticated');
    expect(demo.stats().revocation).toBe(1);
    expect(demo.stats().endSession).toBe(1);

    await page.evaluate(() => window.client.loginWithRedirect());
    await page.waitForSelector('input[name="login"]');
  });

  test('a second login with a live server session needs no credentials', async ({ app, page }) => {
    await app.open();
    await app.login();
    await page.evaluate(() => window.client.logout({ localOnly: true }));
    expect(await app.status()).toBe('unauthenticated');
    await page.evaluate(() => window.client.loginWithRedirect());
    await app.backAtApp();
    expect(await app.status()).toBe('authenticated');
  });

  test('access_denied at consent becomes AuthError("access_denied")', async ({ app, page, demo }) => {
    await app.open();
    await page.evaluate(() => window.client.loginWithRedirect());
    await fillLogin(page, 'bob');
    await answerConsent(page, false);
    await app.backAtApp();
    expect(await app.lastError()).toMatchObject({ code: 'access_denied' });
    expect(await app.status()).toBe('unauthenticated');
    expect(page.url()).toBe(app.url);
    expect(
      await page.evaluate(() => Object.keys(sessionStorage).filter((k) => !k.startsWith('pkce-spa:metadata:'))),
    ).toEqual([]);
    expect(demo.stats().token).toBe(0);
  });

  test('a tampered state is rejected with state_mismatch and nothing is stored', async ({ app, page, demo }) => {
    await page.addInitScript(() => (window.e2eManualCallback = true));
    await app.open();
    await page.evaluate(() => window.client.loginWithRedirect());
    await fillLogin(page);
    await answerConsent(page, true);
    await app.backAtApp();
    // The real server sent a real code; an attacker swaps the state before the app handles it.
    const code = await page.evaluate(async () => {
      const url = new URL(location.href);
      url.searchParams.set('state', 'tampered');
      history.replaceState(null, '', url.href);
      try {
        await window.client.handleRedirectCallback();
        return 'resolved';
      } catch (e) {
        return (e as { code: string }).code;
      }
    });
    expect(code).toBe('state_mismatch');
    expect(await app.status()).toBe('unauthenticated');
    expect(page.url()).toBe(app.url);
    expect(
      await page.evaluate(() => Object.keys(sessionStorage).filter((k) => !k.startsWith('pkce-spa:metadata:'))),
    ).toEqual([]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(demo.stats().token).toBe(0);
  });
});
