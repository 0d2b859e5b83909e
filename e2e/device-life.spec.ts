/* oxlint-disable typescript/no-explicit-any -- page.evaluate callbacks read globals of the test pages that e2e/page-globals.d.ts does not declare */
import type { BrowserContext, Page } from '@playwright/test';
import { test, expect, type AppPage } from './fixtures.js';
import { callApi, openTab } from './tabs-fixtures.js';
// @ts-expect-error plain ESM helper shared with playwright.config.ts
import { chromiumPath, CHROMIUM_ARGS } from './browser-path.mjs';

// Device life (issue 13): tabs that went offline, were hidden and frozen, slept through a wall-clock jump or sat in
// the back/forward cache come back right: the next getAccessToken() renews if needed with one request for all tabs,
// never spends a rotated refresh token twice (the provider answers that with invalid_grant, counted by demo.stats()),
// and never uses a session that ended meanwhile. Time is Playwright's clock: `fastForward` is time passing, and
// `setSystemTime` moves only the wall clock. Access tokens at the demo provider live 300 s (renewal margin 30 s).

const TOKEN_SECONDS = 300;

// Playwright starts Chromium with the back/forward cache off; the bfcache tests need it on (the others do not mind).
test.use({
  launchOptions: {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  },
});

/** Signs in on `app` (clock installed first) and opens `more` sibling tabs; returns every tab. */
async function signedInTabs(app: AppPage, context: BrowserContext, more: number): Promise<AppPage[]> {
  await context.clock.install();
  await app.open();
  await app.login();
  const tabs = [app];
  for (let i = 0; i < more; i += 1) tabs.push(await openTab(context, app.demo, {}));
  for (const t of tabs) expect(await t.status()).toBe('authenticated');
  return tabs;
}

/** Every tab asks for a token at the same moment; returns the tokens (or error codes). */
function allAsk(tabs: AppPage[]): Promise<string[]> {
  return Promise.all(
    tabs.map((t) =>
      t.page.evaluate(() => (window as any).client.getAccessToken().catch((e: { code: string }) => `error:${e.code}`)),
    ),
  );
}

/** Makes the page's document report `state` and fires visibilitychange, as when the user switches tabs. */
function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  return page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
    Object.defineProperty(document, 'hidden', { value: s === 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

test.describe('device life', () => {
  test('offline through the renewal: the valid token keeps being served, and going online renews once for all tabs', async ({
    app,
    context,
    demo,
  }) => {
    const tabs = await signedInTabs(app, context, 2);
    const first = await app.getAccessToken();
    demo.resetStats();
    await context.setOffline(true);
    await context.clock.fastForward((TOKEN_SECONDS - 20) * 1000); // renewal due, 20 s left
    for (let s = 0; s < 5; s += 1) {
      expect(await allAsk(tabs)).toEqual([first, first, first]); // the failed renewals are nobody's error yet
      await context.clock.fastForward(1000);
    }
    await context.clock.fastForward(20_000); // expired, still offline
    expect(new Set(await allAsk(tabs))).toEqual(new Set(['error:network_error']));
    expect(demo.stats().token).toBe(0); // nothing reached the provider

    await context.setOffline(false); // fires `online` in every tab: the network pause ends
    const tokens = await allAsk(tabs);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(demo.stats()).toMatchObject({ token: 1, invalidGrant: 0 });
    expect(await callApi(app.page, tokens[0]!)).toBe(200);
  });

  test('a wall-clock jump: sleep renews once on the next calls, a clock set back does not stretch the token', async ({
    app,
    context,
    demo,
  }) => {
    const tabs = await signedInTabs(app, context, 2);
    const first = await app.getAccessToken();
    demo.resetStats();
    // The laptop slept 10 minutes: the wall clock jumped, the pages' monotonic clock did not move.
    await context.clock.setSystemTime(Date.now() + 600_000);
    const afterSleep = await allAsk(tabs);
    expect(new Set(afterSleep).size).toBe(1);
    expect(afterSleep[0]).not.toBe(first);
    expect(demo.stats()).toMatchObject({ token: 1, invalidGrant: 0 });
    expect(await callApi(app.page, afterSleep[0]!)).toBe(200);

    // Then the clock is set back 5 minutes (NTP): the token is still renewed after 270 s of real time, not 570.
    await context.clock.setSystemTime(Date.now() + 600_000 - 300_000);
    await context.clock.fastForward((TOKEN_SECONDS - 40) * 1000);
    expect(await allAsk(tabs)).toEqual(afterSleep);
    await context.clock.fastForward(15_000); // 275 s after it was issued: 25 s left < 30 s margin
    const renewed = await allAsk(tabs);
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(afterSleep[0]);
    expect(demo.stats()).toMatchObject({ token: 2, invalidGrant: 0 });
  });

  test('a hidden, frozen tab that missed two renewals catches up without a request when it is visible again', async ({
    app,
    context,
    demo,
  }) => {
    const [a, b, hidden] = await signedInTabs(app, context, 2);
    const cdp = await context.newCDPSession(hidden!.page);
    await setVisibility(hidden!.page, 'hidden');
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    demo.resetStats();
    for (let round = 0; round < 2; round += 1) {
      await context.clock.fastForward((TOKEN_SECONDS + 10) * 1000);
      await allAsk([a!, b!]);
    }
    expect(demo.stats()).toMatchObject({ token: 2, invalidGrant: 0 });
    const current = await a!.getAccessToken();

    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await setVisibility(hidden!.page, 'visible');
    expect(await allAsk([hidden!, a!, b!])).toEqual([current, current, current]);
    expect(demo.stats()).toMatchObject({ token: 2, invalidGrant: 0 }); // its rotated refresh token was not spent again
    expect(await callApi(hidden!.page, current)).toBe(200);
  });
});

test.describe('back/forward cache', () => {
  /**
   * Chromium keeps a page that loaded or fetched a `Cache-Control: no-store` response out of the back/forward cache,
   * and the demo server sends no-store on everything: strip it from the app's own pages here. (A tab that renewed
   * tokens itself received no-store token responses, as RFC 6749 §5.1 requires, so only a tab that joined through
   * the channel can enter the cache in Chromium today; other browsers differ.)
   */
  test.beforeEach(async ({ context, demo }) => {
    // A document answered through route.fulfill loses its loopback address space; let it reach the loopback provider.
    await context.grantPermissions(['local-network-access']);
    await context.route(`${demo.appUrl}/**`, async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cache-control'];
      await route.fulfill({ response, headers });
    });
  });

  /** Leaves `tab` through a link to another page of the app and comes back; returns whether it came from the cache. */
  async function awayAndBack(tab: AppPage, whileAway: () => Promise<void>): Promise<boolean> {
    await tab.page.evaluate(() => window.addEventListener('pageshow', (e) => ((window as any).restored = e.persisted)));
    await tab.page.evaluate((href) => {
      const a = document.createElement('a');
      a.href = href;
      document.body.append(a);
      a.click();
    }, `${tab.demo.appUrl}/e2e/away.html`);
    await tab.page.waitForURL(/\/e2e\/away\.html$/);
    await whileAway();
    await tab.page.goBack({ waitUntil: 'commit' }); // a page restored from the cache fires no load event
    await tab.page.waitForFunction(() => (window as any).e2e?.done === true && (window as any).client);
    return tab.page.evaluate(() => (window as any).restored === true);
  }

  test('a tab restored from the cache rejoins the others: same session, counted again, no request', async ({
    app,
    context,
    demo,
  }) => {
    await app.open();
    await app.login();
    const b = await openTab(context, demo, {});
    const token = await app.getAccessToken();
    demo.resetStats();
    const restored = await awayAndBack(b, async () => {
      await expect.poll(() => app.page.evaluate(() => (window as any).client.countTabs())).toBe(1);
    });
    expect(restored).toBe(true);
    expect(await b.status()).toBe('authenticated');
    await expect.poll(() => app.page.evaluate(() => (window as any).client.countTabs())).toBe(2);
    expect(await b.getAccessToken()).toBe(token);
    // It hears the others again: a renewal in the first tab reaches it.
    const renewed = await app.getAccessToken({ forceRefresh: true });
    await expect.poll(() => b.getAccessToken()).toBe(renewed);
    expect(demo.stats()).toMatchObject({ token: 1, invalidGrant: 0 });
  });

  test('a tab that comes back after the session ended elsewhere does not use it', async ({ app, context, demo }) => {
    await app.open();
    await app.login();
    const b = await openTab(context, demo, {});
    const restored = await awayAndBack(b, async () => {
      await app.page.evaluate(() => (window as any).client.logout({ localOnly: true }));
      expect(await app.status()).toBe('unauthenticated');
    });
    test.info().annotations.push({ type: 'restored from the back/forward cache', description: String(restored) });
    demo.resetStats();
    expect(await b.status()).toBe('unauthenticated');
    expect(await b.tokenError()).toBe('login_required');
    expect(demo.stats().token).toBe(0);
  });
});
