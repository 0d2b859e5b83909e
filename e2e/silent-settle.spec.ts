/**
 * Silent (prompt=none) login that is fast and precise (issue 10 item 3): the session's ID token goes along as
 * id_token_hint, and a frame that comes to rest on anything but our callback settles about 2 s after its load with
 * login_required (or the provider's own code), never after the full timeoutMs. Provider pages are scripted with
 * page.route, which answers the frame's requests the way other providers do.
 */
import type { Page, Route } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { callbackUrl } from '../test/helpers/callback-url.js';

const TIMEOUT_MS = 20_000;
const silentOptions = (appUrl: string) => ({
  refreshTokens: false,
  silentRedirectUri: `${appUrl}/dist/silent-callback.html`,
  silentLoginOnStart: false,
  timeoutMs: TIMEOUT_MS,
});
const isPromptNone = (url: URL) => url.searchParams.get('prompt') === 'none';

/** Runs getAccessToken() (a silent login when signed out) and returns its outcome and how long it took. */
function silentOutcome(page: Page): Promise<{ code: string; message: string; ms: number; frames: number }> {
  return page.evaluate(async () => {
    const started = performance.now();
    const { code, message } = await window.client.getAccessToken().then(
      () => ({ code: 'resolved', message: '' }),
      (e: Error & { code: string }) => e,
    );
    return { code, message, ms: performance.now() - started, frames: document.querySelectorAll('iframe').length };
  });
}

/** Answers the prompt=none request with a provider page instead of a redirect. */
const providerPage = (headers: Record<string, string>) => (route: Route) =>
  route.fulfill({
    status: 200,
    headers: { 'content-type': 'text/html', ...headers },
    body: '<!doctype html><form><input name="login"><button>Sign in</button></form>',
  });

test("silent renewal sends the session's ID token as id_token_hint with prompt=none", async ({ app, page, demo }) => {
  await app.open(silentOptions(demo.appUrl));
  await app.login();
  const sent: URL[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (isPromptNone(u)) sent.push(u);
  });
  await app.getAccessToken({ forceRefresh: true });
  expect(sent).toHaveLength(1);
  const hint = sent[0]!.searchParams.get('id_token_hint');
  expect(hint).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const payload = JSON.parse(Buffer.from(hint!.split('.')[1]!, 'base64url').toString());
  const claims = await page.evaluate(() => window.client.getIdTokenClaims());
  expect(payload).toMatchObject({ sub: claims?.sub, iss: claims?.iss });
  expect(await app.status()).toBe('authenticated');
});

test('a signed-out silent login sends no id_token_hint', async ({ app, page, demo }) => {
  await app.open(silentOptions(demo.appUrl));
  const sent: URL[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (isPromptNone(u)) sent.push(u);
  });
  expect((await silentOutcome(page)).code).toBe('login_required');
  expect(sent).toHaveLength(1);
  expect(sent[0]!.searchParams.has('id_token_hint')).toBe(false);
});

for (const [name, headers] of [
  ['a login page the provider lets us frame', {}],
  ['a page refused by X-Frame-Options: DENY', { 'x-frame-options': 'DENY' }],
  ["a page refused by CSP frame-ancestors 'none'", { 'content-security-policy': "frame-ancestors 'none'" }],
] as const) {
  test(`${name}: login_required about 2 s after the frame's load, not after timeoutMs`, async ({ app, page, demo }) => {
    await app.open(silentOptions(demo.appUrl));
    await page.route(isPromptNone, providerPage(headers));
    const outcome = await silentOutcome(page);
    expect(outcome.code).toBe('login_required');
    expect(outcome.ms).toBeGreaterThanOrEqual(2000); // the grace after the load
    expect(outcome.ms).toBeLessThan(TIMEOUT_MS / 2);
    expect(outcome.frames).toBe(0); // the frame is gone
    expect(outcome.message).toContain('instead of answering prompt=none');
  });
}

test('the provider answering interaction_required settles at once with that code', async ({ app, page, demo }) => {
  await app.open(silentOptions(demo.appUrl));
  await page.route(isPromptNone, (route) => {
    const callback = callbackUrl(route.request().url(), {
      issuer: demo.issuer,
      params: { error: 'interaction_required' },
    });
    return route.fulfill({ status: 302, headers: { location: callback } });
  });
  const outcome = await silentOutcome(page);
  expect(outcome.code).toBe('interaction_required');
  expect(outcome.ms).toBeLessThan(2000);
  expect(outcome.frames).toBe(0);
});
