import { test, expect } from './fixtures.js';
import { CACHES, callApi, openTab } from './tabs-fixtures.js';

// Tabs are pages of one browser context: one origin, one IndexedDB, one Web Locks manager, one BroadcastChannel
// namespace, as in a real browser window. The provider rotates refresh tokens and revokes the whole grant when a
// rotated one is replayed, so a single stale read shows up as invalid_grant in demo.stats().

for (const cache of CACHES) {
  test.describe(`tabs sharing one session (cache: ${cache})`, () => {
    test('a new tab with a signed-in sibling is authenticated with zero requests to the provider', async ({
      app,
      context,
      demo,
    }) => {
      await app.open({ cache });
      await app.login();
      const token = await app.getAccessToken();
      demo.resetStats();

      const second = await openTab(context, demo, { cache });
      expect(await second.status()).toBe('authenticated');
      expect(await second.page.evaluate(() => window.client.getUser())).toMatchObject({ sub: 'alice' });
      expect(await second.getAccessToken()).toBe(token);
      const stats = demo.stats();
      expect({
        authorize: stats.authorize,
        token: stats.token,
        discovery: stats.discovery,
        jwks: stats.jwks,
        userinfo: stats.userinfo,
      }).toEqual({ authorize: 0, token: 0, discovery: 0, jwks: 0, userinfo: 0 });
      expect(await callApi(second.page, token)).toBe(200);
      expect(await second.page.evaluate(() => window.client.countTabs())).toBe(2);
    });

    test('3 tabs forcing renewal at the same moment, 10 rounds: no invalid_grant and every tab stays signed in', async ({
      app,
      context,
      demo,
    }) => {
      await app.open({ cache });
      await app.login();
      const tabs = [app, await openTab(context, demo, { cache }), await openTab(context, demo, { cache })];
      const before = demo.stats().tokenByGrant.refresh_token;
      for (let round = 1; round <= 10; round++) {
        const outcomes = await Promise.all(
          tabs.map((t) =>
            t.page.evaluate(() =>
              window.client.getAccessToken({ forceRefresh: true }).then(
                (token: string) => ({ token }),
                (e: { code: string }) => ({ error: e.code }),
              ),
            ),
          ),
        );
        expect(
          outcomes.filter((o) => 'error' in o),
          `round ${round}`,
        ).toEqual([]);
        expect(demo.stats().invalidGrant, `round ${round}`).toBe(0);
      }
      const refreshes = demo.stats().tokenByGrant.refresh_token - before;
      test.info().annotations.push({ type: 'refresh grants for 30 forced renewals', description: String(refreshes) });
      expect(refreshes).toBeGreaterThanOrEqual(10);
      expect(refreshes).toBeLessThanOrEqual(30);
      for (const t of tabs) {
        expect(await t.status()).toBe('authenticated');
        expect(await callApi(t.page, await t.getAccessToken())).toBe(200);
      }
      expect(demo.stats().invalidGrant).toBe(0);
      expect(await app.page.evaluate(() => window.client.countTabs())).toBe(3);
    });

    test('logout in one tab signs out the others within one second', async ({ app, context, demo }) => {
      await app.open({ cache });
      await app.login();
      const others = [await openTab(context, demo, { cache }), await openTab(context, demo, { cache })];
      // Each other tab records (in the page) when it became unauthenticated, on the state event itself.
      for (const t of others) {
        await t.page.evaluate(() => {
          const c = window.client;
          window.signedOutAt = new Promise((resolve) =>
            c.subscribe((s: { status: string }) => s.status === 'unauthenticated' && resolve(Date.now())),
          );
        });
      }
      const endSession = app.page.waitForRequest((r) => r.url().startsWith(`${demo.issuer}/session/end`));
      const back = app.page.waitForEvent(
        'framenavigated',
        (f) => f === app.page.mainFrame() && f.url().startsWith(app.url),
      );
      const startedAt = Date.now();
      await app.page.evaluate(() => {
        void window.client.logout();
      });
      const delays = await Promise.all(
        others.map(async (t) => (await t.page.evaluate(() => window.signedOutAt)) - startedAt),
      );
      for (const delay of delays) expect(delay).toBeLessThan(1000);
      for (const t of others) expect(await t.tokenError()).toBe('login_required');
      await endSession; // logout revokes first, then leaves for the provider's end-session endpoint
      await back; // and the provider sends the browser back to the app
      await app.settled();
      expect(await app.status()).toBe('unauthenticated');
      expect(demo.stats().revocation).toBe(1);
    });

    test('the tab that renewed last can close: another tab renews with the rotated refresh token', async ({
      app,
      context,
      demo,
    }) => {
      await app.open({ cache });
      await app.login();
      const second = await openTab(context, demo, { cache });
      const third = await openTab(context, demo, { cache });
      await second.getAccessToken({ forceRefresh: true });
      await second.page.close();
      expect(await third.tokenError({ forceRefresh: true })).toBe('resolved');
      expect(await app.tokenError({ forceRefresh: true })).toBe('resolved');
      expect(demo.stats().invalidGrant).toBe(0);
      expect(await app.page.evaluate(() => window.client.countTabs())).toBe(2);
    });

    test('a network failure during renewal keeps every tab signed in, and renewal works once the network is back', async ({
      app,
      context,
      demo,
    }) => {
      await app.open({ cache });
      await app.login();
      const second = await openTab(context, demo, { cache });
      await context.route(`${demo.issuer}/token`, (route) => route.abort('internetdisconnected'));
      expect(await app.tokenError({ forceRefresh: true })).toBe('network_error');
      expect(await second.tokenError({ forceRefresh: true })).toBe('network_error');
      expect([await app.status(), await second.status()]).toEqual(['authenticated', 'authenticated']);
      await context.unroute(`${demo.issuer}/token`);
      const token = await second.getAccessToken({ forceRefresh: true });
      expect(await callApi(second.page, token)).toBe(200);
      expect(await callApi(app.page, await app.getAccessToken())).toBe(200);
      expect(demo.stats().invalidGrant).toBe(0);
    });
  });
}
