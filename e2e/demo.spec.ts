import { test, expect, fillLogin, answerConsent } from './fixtures.js';

// The demo page itself: dist/pkce-spa.min.js from a plain <script> tag, as a CDN user would load it.
test.describe('demo app', () => {
  test('redirect login, claims, Call API, popup login and logout work from the demo page', async ({ page, demo }) => {
    await page.goto(`${demo.appUrl}/`);
    await expect(page.locator('#status')).toHaveAttribute('data-status', 'unauthenticated');
    await page.click('#login');
    await fillLogin(page, 'dora');
    await answerConsent(page, true);
    await expect(page.locator('#status')).toHaveAttribute('data-status', 'authenticated');
    await expect(page.locator('#user')).toContainText('dora@example.test');
    expect(new URL(page.url()).search).toBe('');

    await page.click('#call-api');
    await expect(page.locator('#api-result')).toContainText('"ok": true');
    await expect(page.locator('#expiry')).not.toContainText('unknown');
    await page.screenshot({ path: 'reports/demo-signed-in.png' });

    // Without "Remember me" a reload forgets the in-memory session (the provider's session lives on), so the popup
    // signs in again without asking for credentials.
    await page.reload();
    await expect(page.locator('#status')).toHaveAttribute('data-status', 'unauthenticated');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#login-popup')]);
    await popup.waitForEvent('close');
    await expect(page.locator('#status')).toHaveAttribute('data-status', 'authenticated');
    await expect(page.locator('#user')).toContainText('dora@example.test');

    const endSession = page.waitForRequest((r) => r.url().startsWith(`${demo.issuer}/session/end`));
    await page.click('#logout');
    await endSession;
    await expect(page.locator('#status')).toHaveAttribute('data-status', 'unauthenticated');
    await expect(page.locator('#error')).toBeHidden();
  });
});
