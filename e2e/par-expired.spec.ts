import { test, expect } from './fixtures.js';

// RFC 9126 §2.2: a request_uri is short-lived and single-use. When the browser arrives at the provider with one that
// has expired (the user left the login page open, a bookmarked authorize URL), the provider cannot trust any redirect
// URI and shows its own error page; nothing comes back to the app. What the SDK can do is fail clearly where it can
// see the failure: a provider that does redirect back with error=invalid_request_uri surfaces that code.
test('an expired request_uri is refused by the provider with invalid_request_uri, on its own error page', async ({
  app,
  demo,
}) => {
  await app.open({ clientId: demo.dpopClientId, dpop: true, par: true } as never);
  // Swap the pushed request_uri for one the provider no longer knows, as if it had expired.
  await app.page.route(`${demo.issuer}/auth?*`, (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('request_uri', 'urn:ietf:params:oauth:request_uri:expired');
    return route.continue({ url: url.href });
  });
  const response = app.page.waitForResponse((r) => r.url().startsWith(`${demo.issuer}/auth?`));
  await app.page.evaluate(() => window.client.loginWithRedirect()).catch(() => undefined);
  const r = await response;
  expect(r.status()).toBe(400);
  expect(await r.text()).toContain('invalid_request_uri');
  // No redirect back: the app is not sent an error it could show, so the docs tell apps to restart the login.
  expect(r.headers().location).toBeUndefined();
});
