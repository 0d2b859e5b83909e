/**
 * Playwright fixtures: one demo server (oidc-provider + app server) per worker on free loopback ports, stopped after
 * the worker; per test, a fresh browser context (cookies, storage) and the stats reset.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startDemo, type DemoServers } from '../demo/server.mjs';

export interface E2eOptions {
  refreshTokens?: boolean;
  leewaySeconds?: number;
  timeoutMs?: number;
  scope?: string;
}

export const test = base.extend<{ app: AppPage }, { demo: DemoServers }>({
  demo: [
    async ({}, use) => {
      const demo = await startDemo({
        extraStaticDirs: [{ prefix: '/e2e/', dir: fileURLToPath(new URL('./pages/', import.meta.url)) }],
        accessTokenTtlSeconds: 300,
      });
      await use(demo);
      await demo.close();
    },
    { scope: 'worker' },
  ],
  app: async ({ page, demo }, use) => {
    demo.resetStats();
    await use(new AppPage(page, demo));
  },
});

export { expect };

/** Drives e2e/pages/app.html: a page that loads dist/pkce-spa.min.js and exposes the client as `window.client`. */
export class AppPage {
  /** Main-frame URLs committed since the page was opened; callbacks not yet claimed by {@link backAtApp}. */
  readonly #callbacks: string[] = [];
  #wake: (() => void) | undefined;

  constructor(
    readonly page: Page,
    readonly demo: DemoServers,
  ) {
    // Record every return to the app with a code or an error as it commits: the page removes them from the address
    // bar moments later, so a wait that starts after that would miss it.
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame()) return;
      const u = new URL(frame.url());
      if (u.pathname === '/e2e/app.html' && (u.searchParams.has('code') || u.searchParams.has('error'))) {
        this.#callbacks.push(u.href);
        this.#wake?.();
      }
    });
  }

  get url(): string {
    return `${this.demo.appUrl}/e2e/app.html`;
  }

  /** Opens the test page with client options (kept across the redirect round trip by an init script). */
  async open(options: E2eOptions = {}, path = this.url): Promise<void> {
    await this.page.addInitScript((o) => {
      (window as unknown as { e2eOptions: unknown }).e2eOptions = o;
    }, options);
    await this.page.goto(path);
    await this.settled();
  }

  /** Waits until the page has created its client and handled any callback. */
  async settled(): Promise<void> {
    await this.page.waitForFunction(() => (window as unknown as { e2e?: { done: boolean } }).e2e?.done === true);
  }

  status(): Promise<string> {
    return this.page.evaluate(() => window.client.getState().status);
  }

  /** The last error the page saw, as { code, message }. */
  lastError(): Promise<{ code: string; message: string } | null> {
    return this.page.evaluate(() => window.e2e.error);
  }

  /** Clicks login, fills the provider's dev login page and (on a first login) its consent page. */
  async login({ user = 'alice', consent = true, appState = { returnTo: '/inbox' } as unknown } = {}): Promise<void> {
    await this.page.evaluate((s) => window.client.loginWithRedirect({ appState: s }), appState);
    await fillLogin(this.page, user);
    await answerConsent(this.page, consent);
    await this.backAtApp();
  }

  /** Waits for the provider's redirect back to the app page (with a code or an error) and for the page to settle. */
  async backAtApp(): Promise<void> {
    while (this.#callbacks.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#callbacks.shift();
    await this.settled();
  }

  getAccessToken(options: Record<string, unknown> = {}): Promise<string> {
    return this.page.evaluate((o) => window.client.getAccessToken(o), options);
  }

  /** Runs `getAccessToken` and returns the AuthError code it rejected with (or 'resolved'). */
  tokenError(options: Record<string, unknown> = {}): Promise<string> {
    return this.page.evaluate(
      (o) =>
        window.client.getAccessToken(o).then(
          () => 'resolved',
          (e: { code: string }) => e.code,
        ),
      options,
    );
  }
}

/** Fills oidc-provider's dev login form when it is showing. */
export async function fillLogin(page: Page, user = 'alice'): Promise<void> {
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', user);
  await page.fill('input[name="password"]', 'any-password');
  await page.click('button[type="submit"]');
}

/**
 * Answers oidc-provider's dev consent page if it is shown (it is skipped for an existing grant). The login and consent
 * pages share one URL (/interaction/:uid), so this waits for the consent form itself or for the browser to leave.
 */
export async function answerConsent(page: Page, consent: boolean): Promise<void> {
  const consentForm = page.locator('input[name="prompt"][value="consent"]');
  const left = page
    .waitForURL((u) => !u.pathname.startsWith('/interaction/'), { waitUntil: 'commit' })
    .then(
      () => false,
      () => false,
    );
  const shown = await Promise.race([
    consentForm.waitFor({ state: 'attached' }).then(
      () => true,
      () => false,
    ),
    left,
  ]);
  if (!shown) return;
  if (consent) await page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]').click();
  else await page.locator('a[href*="/abort"]').click();
}
