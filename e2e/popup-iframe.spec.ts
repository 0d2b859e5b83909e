import { test, expect, fillLogin, answerConsent } from './fixtures.js';

const silent = (appUrl: string) => ({ silentRedirectUri: `${appUrl}/dist/silent-callback.html` });

test.describe('popup login', () => {
  test('signs in through a popup opened from a click; the opener does the exchange', async ({ app, page, demo }) => {
    await app.open();
    await page.evaluate(() => {
      const button = document.createElement('button');
      button.id = 'popup-login';
      button.textContent = 'Login with popup';
      button.onclick = () => {
        window.e2e.popup = window.client.loginWithPopup().then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
      };
      document.body.append(button);
    });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#popup-login')]);
    await fillLogin(popup);
    await answerConsent(popup, true);
    await popup.waitForEvent('close');
    expect(await page.evaluate(() => window.e2e.popup)).toBe('ok');
    expect(await app.status()).toBe('authenticated');
    expect(page.url()).toBe(app.url); // the opener never navigated
    expect(demo.stats().tokenByGrant.authorization_code).toBe(1);
    const token = await app.getAccessToken();
    expect(
      await page.evaluate(
        async (t) => (await fetch('/api/protected', { headers: { authorization: `Bearer ${t}` } })).status,
        token,
      ),
    ).toBe(200);
  });

  test('the user closing the popup gives popup_closed within a second', async ({ app, page }) => {
    await app.open();
    const [popup, outcome] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate(() => {
        window.e2e.popup = window.client.loginWithPopup().then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
        return null;
      }),
    ]);
    expect(outcome).toBeNull();
    await popup.waitForSelector('input[name="login"]');
    const closedAt = Date.now();
    await popup.close();
    expect(await page.evaluate(() => window.e2e.popup)).toBe('popup_closed');
    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(await app.status()).toBe('unauthenticated');
  });

  test('access_denied in the popup becomes AuthError("access_denied") and the popup closes', async ({ app, page }) => {
    await app.open();
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate(() => {
        window.e2e.popup = window.client.loginWithPopup().then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
      }),
    ]);
    await fillLogin(popup, 'carol');
    await answerConsent(popup, false);
    await popup.waitForEvent('close');
    expect(await page.evaluate(() => window.e2e.popup)).toBe('access_denied');
    expect(await app.status()).toBe('unauthenticated');
  });

  test('messages from another window or another origin are ignored; timeout ends the wait', async ({
    app,
    page,
    demo,
  }) => {
    await app.open();
    const authorize = page.context().waitForEvent('request', (r) => r.url().startsWith(`${demo.issuer}/auth?`));
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate(() => {
        window.e2e.popup = window.client.loginWithPopup({ timeoutMs: 3000 }).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
      }),
    ]);
    const state = new URL((await authorize).url()).searchParams.get('state');
    expect(state).toBeTruthy();
    await popup.waitForSelector('input[name="login"]');
    const forged = `${demo.appUrl}/e2e/app.html?code=forged&state=${state}`;
    // Same origin and the right state, but the wrong window: the page posts to itself.
    await page.evaluate((url) => window.postMessage({ type: 'pkce-spa:callback', url }, location.origin), forged);
    // The right window and state, but the wrong origin: the popup, still on the provider's origin, posts to the opener.
    await popup.evaluate((url) => window.opener.postMessage({ type: 'pkce-spa:callback', url }, '*'), forged);
    expect(await page.evaluate(() => window.e2e.popup)).toBe('timeout');
    expect(demo.stats().token).toBe(0);
    expect(await app.status()).toBe('unauthenticated');
  });
});

test.describe('hidden-iframe renewal', () => {
  test('with a live server session and refreshTokens: false, renews through the iframe without navigation', async ({
    app,
    page,
    demo,
  }) => {
    await app.open({ refreshTokens: false, ...silent(demo.appUrl), silentLoginOnStart: false } as never);
    await app.login();
    const first = await app.getAccessToken();
    const before = demo.stats();
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    const renewed = await app.getAccessToken({ forceRefresh: true });
    expect(renewed).not.toBe(first);
    expect(navigations).toEqual([]);
    const after = demo.stats();
    expect(after.authorize - before.authorize).toBe(1);
    expect(after.tokenByGrant.authorization_code - before.tokenByGrant.authorization_code).toBe(1);
    expect(after.tokenByGrant.refresh_token ?? 0).toBe(before.tokenByGrant.refresh_token ?? 0);
    expect(await page.locator('iframe').count()).toBe(0);
  });

  test('with no server session it says login_required and removes the iframe', async ({ app, page, demo }) => {
    await app.open({ refreshTokens: false, ...silent(demo.appUrl), silentLoginOnStart: false } as never);
    expect(await app.tokenError()).toBe('login_required');
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await app.status()).toBe('unauthenticated');
  });

  test('start-up restores a session with one silent attempt when the server session is alive', async ({
    app,
    page,
    demo,
  }) => {
    await app.open({ refreshTokens: false, ...silent(demo.appUrl), silentLoginOnStart: false } as never);
    await app.login();
    await page.evaluate(() => (window.e2eOptions.silentLoginOnStart = true));
    await page.addInitScript(() => (window.e2eOptions = { ...window.e2eOptions, silentLoginOnStart: true }));
    const before = demo.stats();
    await page.reload();
    await app.settled();
    expect(await app.status()).toBe('authenticated');
    expect(demo.stats().authorize - before.authorize).toBe(1);
  });

  test('an iframe that never answers times out and is removed', async ({ app, page, demo }) => {
    await app.open({
      refreshTokens: false,
      timeoutMs: 1500,
      ...silent(demo.appUrl),
      silentLoginOnStart: false,
    } as never);
    await app.login();
    // The provider's prompt=none answer never comes back to the frame.
    await page.route(
      (u) => u.href.startsWith(`${demo.issuer}/auth?`) && u.searchParams.get('prompt') === 'none',
      (route) => route.fulfill({ contentType: 'text/html', body: '<p>a provider page that never answers</p>' }),
    );
    expect(await app.tokenError({ forceRefresh: true })).toBe('timeout');
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await app.status()).toBe('authenticated');
  });
});
