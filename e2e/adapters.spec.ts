import type { Page } from '@playwright/test';
import { test, expect, fillLogin, answerConsent } from './fixtures.js';

// The React and Vue demos (demo/react, demo/vue), bundled by scripts/build-demo.mjs from the BUILT adapters
// (dist/react.mjs, dist/vue.mjs, dist/pkce-spa.mjs) and served at /react/ and /vue/, against the real oidc-provider.
// Both use real history routers: react-router with basename /react, vue-router with createWebHistory('/vue/').

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

/**
 * Main-frame URLs as they commit: a callback URL is cleaned from the address bar moments later, so record it now.
 * A same-document replaceState to the URL already shown (both routers do one on start-up) is not a new entry.
 */
function recordNavigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && urls.at(-1) !== frame.url()) urls.push(frame.url());
  });
  return urls;
}

const isCallbackTo = (base: string) => (url: string) => {
  const u = new URL(url);
  return u.origin + u.pathname === base && u.searchParams.has('code') && u.searchParams.has('state');
};

for (const name of ['react', 'vue'] as const) {
  test.describe(`${name} demo (pkce-spa/${name}, built)`, () => {
    test('the guarded view sends a signed-out user to the provider and back to it; the callback runs once; Call API and logout work', async ({
      page,
      demo,
    }) => {
      demo.resetStats();
      const base = `${demo.appUrl}/${name}/`;
      const errors = collectErrors(page, demo.appUrl);
      const visited = recordNavigations(page);

      // Straight to the guarded route (served by the SPA history fallback): the guard sends the browser to the provider.
      await page.goto(`${base}orders`);
      await fillLogin(page, 'erin');
      await answerConsent(page, true);

      await expect(page.getByTestId('orders')).toContainText('Orders of Demo erin');
      await expect(page.getByTestId('status')).toHaveText('authenticated');
      await expect(page.getByTestId('user')).toHaveText('Demo erin');
      // returnTo honoured (router-relative, so no /react/react/orders), and no code or state left in the address bar.
      expect(page.url()).toBe(`${base}orders`);
      expect(visited[0]).toBe(`${base}orders`);
      expect(visited.some((u) => u.startsWith(`${demo.issuer}/interaction/`))).toBe(true);
      // The provider sent the browser back to the app's redirect page once, and the app exchanged that code once.
      expect(visited.filter(isCallbackTo(base))).toHaveLength(1);
      expect(demo.stats()).toMatchObject({
        authorize: 1,
        token: 1,
        tokenByGrant: { authorization_code: 1 },
        invalidGrant: 0,
      });
      await expect(page.getByTestId('error')).toHaveCount(0);
      if (name === 'react') {
        // StrictMode really ran the effects twice (development build), and still no second callback (state_mismatch).
        await expect(page.getByTestId('effect-runs')).toHaveText('2');
      }
      expect(errors).toEqual([]);
      // The router never wrote the callback URL back: still clean a moment later, and after a reload.
      await page.waitForTimeout(300);
      expect(page.url()).toBe(`${base}orders`);

      await page.getByRole('button', { name: 'Call API' }).click();
      await expect(page.getByTestId('api-result')).toContainText(/^200 \{/);
      await expect(page.getByTestId('api-result')).toContainText('"sub": "erin"');
      expect(demo.stats().api).toBe(1);
      expect(demo.stats().token).toBe(1); // the token from the login, no renewal

      const before = visited.length;
      await page.getByRole('button', { name: 'Log out' }).click();
      // Out through the provider's end-session endpoint, then back on the app's page (a new document).
      await expect
        .poll(() => {
          const after = visited.slice(before);
          const ended = after.findIndex((u) => u.startsWith(`${demo.issuer}/session/end`));
          return ended >= 0 && after.slice(ended + 1).includes(base);
        })
        .toBe(true);
      await expect(page.getByTestId('status')).toHaveText('unauthenticated');
      await expect(page.getByTestId('user')).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeEnabled();
      expect(demo.stats()).toMatchObject({
        revocation: 1,
        endSession: 1,
        authorize: 1,
        tokenByGrant: { authorization_code: 1 },
      });
      expect(errors).toEqual([]);
    });

    test('a reload after the login lands on the guarded route again with a clean URL (the provider session signs in at once)', async ({
      page,
      demo,
    }) => {
      demo.resetStats();
      const base = `${demo.appUrl}/${name}/`;
      const errors = collectErrors(page, demo.appUrl);
      await page.goto(`${base}orders`);
      await fillLogin(page, 'gus');
      await answerConsent(page, true);
      await expect(page.getByTestId('orders')).toContainText('Orders of Demo gus');

      const visited = recordNavigations(page);
      await page.reload();

      await expect(page.getByTestId('orders')).toContainText('Orders of Demo gus');
      expect(page.url()).toBe(`${base}orders`);
      expect(visited.filter(isCallbackTo(base))).toHaveLength(1);
      expect(demo.stats().tokenByGrant.authorization_code).toBe(2);
      await page.waitForTimeout(300);
      expect(page.url()).toBe(`${base}orders`);
      expect(errors).toEqual([]);
    });

    test('cancel at the provider: the app shows the error and a working "Sign in again", never a blank page; no error left in the URL', async ({
      page,
      demo,
    }) => {
      demo.resetStats();
      const base = `${demo.appUrl}/${name}/`;
      const errors = collectErrors(page, demo.appUrl);
      const visited = recordNavigations(page);
      await page.goto(`${base}orders`);
      await fillLogin(page, 'hana');
      await answerConsent(page, false);

      await expect(page.getByTestId('error')).toContainText('access_denied');
      await expect(
        page.getByRole('heading', { name: `pkce-spa + ${name === 'react' ? 'React' : 'Vue'}` }),
      ).toBeVisible();
      await expect(page.getByTestId('status')).toHaveText('unauthenticated');
      // React returns to the guarded route, whose <RequireAuth> shows its error fallback; Vue stays on the landing page.
      const landing = name === 'react' ? `${base}orders` : base;
      await expect.poll(() => page.url()).toBe(landing);
      expect(visited.some((u) => new URL(u).searchParams.get('error') === 'access_denied')).toBe(true);
      expect(demo.stats()).toMatchObject({ authorize: 1, token: 0 });
      await page.waitForTimeout(300);
      expect(page.url()).toBe(landing);
      // The only error the app reported is the cancel itself.
      expect(errors.filter((e) => !e.includes('access_denied'))).toEqual([]);

      await page.getByRole('button', { name: 'Sign in again' }).click();
      await answerConsent(page, true);
      await expect(page.getByTestId('status')).toHaveText('authenticated');
      await expect(page.getByTestId('user')).toHaveText('Demo hana');
      await expect(page.getByTestId('error')).toHaveCount(0);
      expect(new URL(page.url()).search).toBe('');
      expect(demo.stats()).toMatchObject({ authorize: 2, tokenByGrant: { authorization_code: 1 } });

      // A reload of the clean URL: no error comes back. Memory cache: React's guarded route signs in again through the
      // provider's live session (a round trip through ?code=...), and the URL ends clean.
      await page.reload();
      await expect(page.getByTestId('status')).not.toHaveText('loading');
      await expect(page.getByTestId('error')).toHaveCount(0);
      await expect.poll(() => new URL(page.url()).search).toBe('');
      await expect(page.getByTestId('error')).toHaveCount(0);
    });

    test('a stale callback URL (back button, bookmark) while signed out: state_mismatch shown, no code exchange, URL cleaned', async ({
      page,
      demo,
    }) => {
      demo.resetStats();
      const base = `${demo.appUrl}/${name}/`;
      await page.goto(`${base}?code=stale-code&state=stale-state&iss=${encodeURIComponent(demo.issuer)}`);

      await expect(page.getByTestId('error')).toContainText('state_mismatch');
      await expect(page.getByTestId('status')).toHaveText('unauthenticated');
      // The app's home: react-router writes its basename without the trailing slash.
      await expect.poll(() => page.url().replace(/\/$/, '')).toBe(base.replace(/\/$/, ''));
      expect(demo.stats().token).toBe(0);
    });

    test('popup login: the popup lands on the app page, hands the URL to the opener and closes; the opener signs in', async ({
      page,
      demo,
    }) => {
      demo.resetStats();
      const base = `${demo.appUrl}/${name}/`;
      const errors = collectErrors(page, demo.appUrl);
      await page.goto(base);
      await expect(page.getByTestId('status')).toHaveText('unauthenticated');

      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        page.getByRole('button', { name: 'Log in with popup' }).click(),
      ]);
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
