import { test, expect } from './fixtures.js';
// @ts-expect-error plain ESM helper
import { chromiumPath, CHROMIUM_ARGS } from './browser-path.mjs';

// Playwright turns Chromium's popup blocker off by default; this file turns it back on.
test.use({
  launchOptions: {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-popup-blocking'],
  },
});

test.describe('popup blocking', () => {
  test('a call outside a user gesture gives popup_blocked and leaves nothing behind', async ({ app, page }) => {
    await page.addInitScript(() => (window.e2eAutoPopup = true));
    const message = page.waitForEvent('console', (m) => m.text().startsWith('popup:'));
    await page.goto(app.url, { waitUntil: 'commit' });
    expect((await message).text()).toBe('popup:popup_blocked');
    await app.settled();
    expect(await app.status()).toBe('unauthenticated');
    expect(await app.lastError()).toBeNull();
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('pkce-spa:tx')))).toEqual(
      [],
    );
    expect(page.context().pages()).toHaveLength(1);
  });
});
