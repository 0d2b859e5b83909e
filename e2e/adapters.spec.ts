import type { Page } from '@playwright/test';
import { test, expect, fillLogin, answerConsent } from './fixtures.js';

// The React and Vue demos (demo/react, demo/vue), bundled by scripts/build-demo.mjs from the BUILT adapters
// (dist/react.mjs, dist/vue.mjs, dist/pkce-spa.mjs) and served at /react/ and /vue/, against the real oidc-provider.

/**
 * Every error the app reports in a page: the demos log each AuthError they see (`pkce-spa: <code>: ...`), plus
 * uncaught ones. Only the app's origin counts (the provider's dev pages have no favicon: a 404 in the console).
 */
function collectErrors(page: Page, appUrl: string): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    const where = message.location().url;
    if (message.type() === 'error' && where.startsWith(`${appUrl}/`)) errors.push(`${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/** Main-frame URLs as they commit: a callback URL is cleaned from the address bar moments later, so record it now. */
function recordNavigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}

const isCallbackTo = (base: string) => (url: string) => {
  const u = new URL(url);
  return u.origin + u.pathname === base && u.searchParams.has('code') && u.searchParams.has('state');
};

for (const name of ['react', 'vue'] as const) {
  test.describe(`${name} demo (pkce-spa/${name}, built)`, () => {
    test('the guarded view sends a signed-out user to the provider and back to it; the callback runs once; Call API and logout work', async ({ page, demo }) => {
      demo.resetStats();
      const base = `${demo.appUrl}/${name}/`;
      const errors = collectErrors(page, demo.appUrl);
      const visited = recordNavigations(page);

      // Straight to the guarded view: no click, the guard itself sends the browser to the provider.
      await page.goto(`${base}#/orders`);
      await fillLogin(page, 'erin');
      await answerConsent(page, true);

      await expect(page.getByTestId('orders')).toContainText('Orders of Demo erin');
      await expect(page.getByTestId('status')).toHaveText('authenticated');
      await expect(page.getByTestId('user')).toHaveText('Demo erin');
      // returnTo honoured, and no code or state left in the address bar.
      expect(page.url()).toBe(`${base}#/orders`);
      expect(visited[0]).toBe(`${base}#/orders`);
      expect(visited.some((u) => u.startsWith(`${demo.issuer}/interaction/`))).toBe(true);
      // The provider sent the browser back to the app's redirect page once, and the app exchanged that code once.
      expect(visited.filter(isCallbackTo(base))).toHaveLength(1);
      expect(demo.stats()).toMatchObject({ authorize: 1, token: 1, tokenByGrant: { authorization_code: 1 }, invalidGrant: 0 });
      await expect(page.getByTestId('error')).toHaveCount(0);
      if (name === 'react') {
        // StrictMode really ran the effects twice (development build), and still no second callback (state_mismatch).
        await expect(page.getByTestId('effect-runs')).toHaveText('2');
      }
      expect(errors).toEqual([]);

      await page.getByRole('button', { name: 'Call API' }).click();
      await expect(page.getByTestId('api-result')).toContainText(/^200 \{/);
      await expect(page.getByTestId('api-result')).toContainText('"sub": "erin"');
      expect(demo.stats().api).toBe(1);
      expect(demo.stats().token).toBe(1); // the token from the login, no renewal

      const before = visited.length;
      await page.getByRole('button', { name: 'Log out' }).click();
      // Out through the provider's end-session endpoint, then back on the app's page (a new document).
      await expect.poll(() => {
        const after = visited.slice(before);
        const ended = after.findIndex((u) => u.startsWith(`${demo.issuer}/session/end`));
        return ended >= 0 && after.slice(ended + 1).includes(base);
      }).toBe(true);
      await expect(page.getByTestId('status')).toHaveText('unauthenticated');
      await expect(page.getByTestId('user')).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeEnabled();
      expect(demo.stats()).toMatchObject({ revocation: 1, endSession: 1, authorize: 1, tokenByGrant: { authorization_code: 1 } });
      expect(errors).toEqual([]);
    });

    test('popup login: the popup lands on the app page, hands the URL to the opener and closes; the opener signs in', async ({ page, demo }) => {
      demo.resetStats();
      const base = `${demo.appUrl}/${name}/`;
      const errors = collectErrors(page, demo.appUrl);
      await page.goto(base);
      await expect(page.getByTestId('status')).toHaveText('unauthenticated');

      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Log in with popup' }).click()]);
      const popupErrors = collectErrors(popup, demo.appUrl);
      const popupVisited = recordNavigations(popup);
      const closed = popup.waitForEvent('close');
      await fillLogin(popup, 'finn');
      await answerConsent(popup, true);
      await closed;

      await expect(page.getByTestId('status')).toHaveText('authenticated');
      await expect(page.getByTestId('user')).toHaveText('Demo finn');
      // The popup ended on the app's redirect page (whose app handed the URL over); the opener never navigated.
      expect(popupVisited.filter(isCallbackTo(base))).toHaveLength(1);
      expect(page.url()).toBe(base);
      expect(demo.stats()).toMatchObject({ authorize: 1, token: 1, tokenByGrant: { authorization_code: 1 } });

      await page.getByRole('button', { name: 'Call API' }).click();
      await expect(page.getByTestId('api-result')).toContainText('"sub": "finn"');
      await expect(page.getByTestId('error')).toHaveCount(0);
      expect(errors).toEqual([]);
      expect(popupErrors).toEqual([]);
    });
  });
}
