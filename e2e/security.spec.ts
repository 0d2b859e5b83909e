/**
 * Issue 9's browser cases in Chromium against the demo provider (oidc-provider): a same-origin page forging a session,
 * logout's returnTo, a callback page opened by a window that waits for nothing, a silent renewal that would switch
 * users, and a logout that lasts in every tab.
 */
import { test, expect, fillLogin } from './fixtures.js';
import { openTab } from './tabs-fixtures.js';

const silent = (appUrl: string) => ({ silentRedirectUri: `${appUrl}/dist/silent-callback.html` });

test.describe('security in the browser', () => {
  test('a same-origin page without the SDK cannot post a forged session into a signed-in tab', async ({
    app,
    context,
    demo,
  }) => {
    await app.open();
    await app.login();
    const token = await app.getAccessToken();
    const evil = await context.newPage();
    await evil.goto(`${demo.appUrl}/config.json`); // any page of the origin
    await evil.evaluate(
      ({ issuer, clientId }) => {
        const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
        const now = Math.floor(Date.now() / 1000);
        const idToken = `${b64({ alg: 'none' })}.${b64({ iss: issuer, aud: clientId, sub: 'mallory', iat: now, exp: now + 3600 })}.`;
        const channel = new BroadcastChannel(`pkce-spa:${new URL(issuer).href} ${clientId}`);
        const session = {
          refreshToken: 'rt-mallory',
          idToken,
          claims: { sub: 'mallory' },
          user: { sub: 'mallory' },
          tokens: new Map([['|', { accessToken: 'at-mallory', tokenType: 'bearer', expiresAt: now + 3600 }]]),
        };
        for (const isLogin of [false, true])
          channel.postMessage({ type: 'session', version: Date.now() + 60_000, session, isLogin });
        channel.postMessage({ n: Date.now() + 60_000, s: session }); // the old message shape too
      },
      { issuer: demo.issuer, clientId: demo.clientId },
    );
    await evil.waitForTimeout(300); // nothing to wait for: the forged message must have no effect
    expect(await app.page.evaluate(() => window.client.getUser()?.sub)).toBe('alice');
    expect(await app.getAccessToken()).toBe(token);
  });

  test('logout({ returnTo }) never runs script or leaves for another site when the provider has no end-session endpoint', async ({
    app,
    page,
    demo,
  }) => {
    const metadata = await (await fetch(`${demo.issuer}/.well-known/openid-configuration`)).json();
    delete metadata.end_session_endpoint;
    await app.open({ metadata } as never);
    await app.login();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const outcome = (returnTo: string) =>
      page.evaluate(
        (r) =>
          window.client.logout({ returnTo: r }).then(
            () => 'ok',
            (e: { code: string }) => e.code,
          ),
        returnTo,
      );
    expect(await outcome('javascript:alert(1)')).toBe('invalid_options');
    expect(await outcome('https://evil.example/')).toBe('invalid_options');
    expect(dialogs).toBe(0);
    expect(new URL(page.url()).origin).toBe(demo.appUrl);
    expect(await app.status()).toBe('authenticated');
    // A same-origin returnTo is fine; the state warns that the provider's session is still open.
    const left = page.waitForURL((u) => u.pathname === '/e2e/app.html' && u.searchParams.has('bye'));
    await page.evaluate(() => window.client.logout({ returnTo: `${location.origin}/e2e/app.html?bye` }));
    await left;
  });

  test('a callback page opened by a window that waits for no login settles with state_mismatch instead of hanging', async ({
    app,
    page,
    context,
    demo,
  }) => {
    await app.open();
    const opened = context.waitForEvent('page');
    await page.evaluate(
      (url) => window.open(url, '_blank'),
      `${demo.appUrl}/e2e/app.html?code=stolen&state=nobody-waits`,
    );
    const child = await opened;
    await child.waitForFunction(() => window.e2e?.done === true, undefined, { timeout: 5_000 });
    expect(await child.evaluate(() => window.e2e.error?.code)).toBe('state_mismatch');
    expect(new URL(child.url()).searchParams.has('code')).toBe(false);
  });

  test('a silent renewal that comes back for another user is refused and the session is unchanged', async ({
    app,
    page,
    context,
    demo,
  }) => {
    await app.open({ refreshTokens: false, ...silent(demo.appUrl), silentLoginOnStart: false } as never);
    await app.login({ user: 'alice' });
    const token = await app.getAccessToken();
    // Meanwhile the provider's session changes hands: bob signs in at the provider in another tab of this browser.
    const other = await context.newPage();
    const auth = new URL(`${demo.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: demo.clientId,
      redirect_uri: `${demo.appUrl}/e2e/app.html`,
      response_type: 'code',
      scope: 'openid profile email',
      prompt: 'login',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }))
      auth.searchParams.set(k, v);
    await other.goto(auth.href);
    await fillLogin(other, 'bob');
    // bob's first visit: the consent page follows the login page at the same URL.
    await other.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]').click();
    await expect.poll(() => new URL(other.url()).pathname).toBe('/e2e/app.html');
    expect(await app.tokenError({ forceRefresh: true })).toBe('login_required');
    expect(await page.evaluate(() => window.client.getUser()?.sub)).toBe('alice');
    expect(await app.getAccessToken()).toBe(token);
  });

  test('after logout no tab signs back in silently, although the provider session lives; an interactive login lifts it', async ({
    app,
    page,
    context,
    demo,
  }) => {
    const options = { refreshTokens: false, ...silent(demo.appUrl), silentLoginOnStart: false };
    await app.open(options as never);
    await app.login();
    const second = await openTab(context, demo, options as never);
    expect(await second.status()).toBe('authenticated');
    await page.evaluate(() => window.client.logout({ localOnly: true }));
    const before = demo.stats().authorize;
    expect(await second.tokenError({ forceRefresh: true })).toBe('login_required');
    // A reload that would try a silent login at start-up.
    await second.page.addInitScript(() => (window.e2eOptions = { ...window.e2eOptions, silentLoginOnStart: true }));
    await second.page.reload();
    await second.settled();
    expect(await second.status()).toBe('unauthenticated');
    expect(demo.stats().authorize).toBe(before);
    // Signing in again (the provider's session is still there: no password) brings silent renewal back.
    await app.page.evaluate(() => window.client.loginWithRedirect());
    await app.backAtApp();
    expect(await app.status()).toBe('authenticated');
    expect(await app.getAccessToken({ forceRefresh: true })).toBeTruthy();
  });
});
