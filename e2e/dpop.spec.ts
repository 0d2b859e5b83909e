/* oxlint-disable typescript/no-explicit-any -- page.evaluate callbacks read globals of the test pages that e2e/page-globals.d.ts does not declare */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { Page } from '@playwright/test';
import { test, expect, type AppPage } from './fixtures.js';
import { CACHES, openTab, readStore } from './tabs-fixtures.js';

// DPoP (RFC 9449), PAR (RFC 9126), fetchWithAuth and step-up (RFC 9470) against the demo's oidc-provider, whose
// second client (pkce-spa-dpop) requires DPoP-bound tokens and pushed authorization requests, and the demo API,
// which checks each DPoP proof (typ, signature, htm, htu, iat, ath, jti replay, cnf.jkt).

declare module './fixtures.js' {
  interface E2eOptions {
    clientId?: string;
    dpop?: boolean;
    par?: boolean;
    apiOrigins?: string[];
    resource?: string[];
  }
}

const dpopOptions = (app: AppPage, extra: Record<string, unknown> = {}) => ({
  clientId: app.demo.dpopClientId,
  dpop: true,
  par: true,
  ...extra,
});

/** Calls client.fetchWithAuth in the page; returns the status and JSON body, or the AuthError's code and stepUp. */
function fetchWithAuth(page: Page, url: string, options: Record<string, unknown> = {}) {
  return page.evaluate(
    ([u, o]) =>
      (window as any).client.fetchWithAuth(u, undefined, o).then(
        async (r: Response) => ({ status: r.status, body: await r.json().catch(() => null) }),
        (e: { code: string; stepUp?: unknown }) => ({ error: e.code, stepUp: e.stepUp }),
      ),
    [url, options] as const,
  );
}

/** Authorization requests the page sends to the provider's /auth (not its /auth/<uid> resume step), as URLs. */
function authorizeRequests(app: AppPage): URL[] {
  const seen: URL[] = [];
  app.page.on(
    'request',
    (r) => new URL(r.url()).href.split('?')[0] === `${app.demo.issuer}/auth` && seen.push(new URL(r.url())),
  );
  return seen;
}

/** The refresh tokens the provider issues to the page, as they arrive. */
function issuedRefreshTokens(app: AppPage): string[] {
  const issued: string[] = [];
  app.page.on('response', async (r) => {
    if (r.url() === `${app.demo.issuer}/token` && r.ok()) issued.push((await r.json()).refresh_token);
  });
  return issued;
}

/** A DPoP proof signed in Node with a key the browser never had. */
function foreignProof(htm: string, htu: string): string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk })}.${part({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

test.describe('DPoP and PAR', () => {
  test('PAR + DPoP login: the browser carries only client_id and request_uri; the token is DPoP-bound and works at the API', async ({
    app,
    demo,
  }) => {
    const authorize = authorizeRequests(app);
    await app.open(dpopOptions(app));
    await app.login();
    expect(await app.status()).toBe('authenticated');
    expect(demo.stats().par).toBe(1);
    expect(authorize.length).toBe(1);
    for (const url of authorize) expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);

    const first = await fetchWithAuth(app.page, '/api/whoami');
    expect(first).toMatchObject({ status: 200, body: { scheme: 'DPoP', sub: 'alice' } });
    expect(first.body.jkt).toMatch(/^[\w-]{43}$/);

    const before = demo.stats().tokenByGrant.refresh_token;
    const renewed = await app.getAccessToken({ forceRefresh: true });
    expect(demo.stats().tokenByGrant.refresh_token - before).toBe(1);
    const second = await fetchWithAuth(app.page, '/api/whoami');
    expect(second).toMatchObject({ status: 200, body: { scheme: 'DPoP', jkt: first.body.jkt } });
    // The DPoP-bound token is refused as a Bearer token.
    const asBearer = await app.page.evaluate(
      async (t) => (await fetch('/api/whoami', { headers: { authorization: `Bearer ${t}` } })).status,
      renewed,
    );
    expect(asBearer).toBe(401);
    expect(demo.stats().apiRefused).toEqual({ dpop_token_as_bearer: 1 });
  });

  test('a replayed DPoP proof is refused by the API', async ({ app, demo }) => {
    await app.open(dpopOptions(app));
    await app.login();
    const sent = app.page.waitForRequest((r) => r.url().endsWith('/api/whoami'));
    expect((await fetchWithAuth(app.page, '/api/whoami')).status).toBe(200);
    const headers = (await sent).headers();
    expect(headers.authorization).toMatch(/^DPoP /);
    const replay = await fetch(`${demo.appUrl}/api/whoami`, {
      headers: { authorization: headers.authorization!, dpop: headers.dpop! },
    });
    expect(replay.status).toBe(401);
    expect(demo.stats().apiRefused).toEqual({ replayed_proof: 1 });
  });

  test('the refresh token copied out of the browser is refused by the provider without the key', async ({
    app,
    demo,
  }) => {
    const issued = issuedRefreshTokens(app);
    await app.open(dpopOptions(app));
    await app.login();
    await expect.poll(() => issued.length).toBe(1);
    const refreshToken = issued[0]!;
    const attempt = (headers: Record<string, string>) =>
      fetch(`${demo.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: demo.dpopClientId,
        }),
      }).then(async (r) => ({ status: r.status, error: (await r.json()).error }));
    const withoutProof = await attempt({});
    const otherKey = await attempt({ dpop: foreignProof('POST', `${demo.issuer}/token`) });
    expect(withoutProof.status).toBe(400);
    expect(otherKey.status).toBe(400);
    expect([withoutProof.error, otherKey.error]).toEqual([
      expect.stringMatching(/invalid_(grant|dpop_proof)/),
      'invalid_grant',
    ]);
    // The browser, which holds the key, still renews with the same refresh token.
    expect(await app.tokenError({ forceRefresh: true })).toBe('resolved');
  });

  test('a resource server nonce challenge (use_dpop_nonce) costs exactly one retry', async ({ app, demo }) => {
    await app.open(dpopOptions(app));
    await app.login();
    demo.resetStats();
    expect(await fetchWithAuth(app.page, '/api/nonce')).toMatchObject({ status: 200, body: { scheme: 'DPoP' } });
    expect(demo.stats()).toMatchObject({ api: 2, apiRefused: { nonce_required: 1 } });
    // The nonce is remembered for that origin: the next call needs no retry.
    expect((await fetchWithAuth(app.page, '/api/nonce')).status).toBe(200);
    expect(demo.stats().api).toBe(3);
  });

  for (const cache of CACHES) {
    test(`3 tabs renewing at once share one DPoP key (cache: ${cache}); logout deletes it`, async ({
      app,
      context,
      demo,
    }) => {
      await app.open(dpopOptions(app, { cache }));
      await app.login();
      const tabs = [
        app,
        await openTab(context, demo, dpopOptions(app, { cache })),
        await openTab(context, demo, dpopOptions(app, { cache })),
      ];
      const before = demo.stats();
      const outcomes = await Promise.all(tabs.map((t) => t.tokenError({ forceRefresh: true })));
      expect(outcomes).toEqual(['resolved', 'resolved', 'resolved']);
      const after = demo.stats();
      expect(after.invalidGrant).toBe(0);
      expect(after.tokenByGrant.refresh_token - before.tokenByGrant.refresh_token).toBeLessThanOrEqual(3);
      const calls = await Promise.all(tabs.map((t) => fetchWithAuth(t.page, '/api/whoami')));
      expect(calls.map((c) => c.status)).toEqual([200, 200, 200]);
      expect(new Set(calls.map((c) => c.body.jkt)).size).toBe(1);
      if (cache === 'indexeddb') {
        expect((await readStore(app.page)).some((e) => e.key.includes(demo.dpopClientId))).toBe(true);
      }
      await app.page.evaluate(() => (window as any).client.logout({ localOnly: true }));
      expect(
        (await readStore(app.page)).filter((e) => e.key.includes(demo.dpopClientId) || e.key.startsWith('#dpop-login')),
      ).toEqual([]);
    });
  }

  test('reload with cache: indexeddb keeps the DPoP key: one refresh grant, and the API accepts the new token', async ({
    app,
    demo,
  }) => {
    await app.open(dpopOptions(app, { cache: 'indexeddb' }));
    await app.login();
    const jkt = (await fetchWithAuth(app.page, '/api/whoami')).body.jkt;
    demo.resetStats();
    await app.page.reload();
    await app.settled();
    expect(await app.status()).toBe('authenticated');
    expect(demo.stats().tokenByGrant.refresh_token).toBe(1);
    expect(await fetchWithAuth(app.page, '/api/whoami')).toMatchObject({ status: 200, body: { jkt } });
    expect(demo.stats().invalidGrant).toBe(0);
  });
});

test.describe('fetchWithAuth', () => {
  test('Bearer token to the page origin; an unlisted origin is refused before anything is sent', async ({
    app,
    demo,
  }) => {
    await app.open();
    await app.login();
    expect(await fetchWithAuth(app.page, '/api/whoami')).toMatchObject({
      status: 200,
      body: { scheme: 'Bearer', sub: 'alice' },
    });
    const userinfo = demo.stats().userinfo;
    expect(await fetchWithAuth(app.page, `${demo.issuer}/me`)).toMatchObject({ error: 'origin_not_allowed' });
    expect(demo.stats().userinfo).toBe(userinfo);
  });

  test('a token for resource A is never sent to resource B (RFC 8707, one token per resource)', async ({
    app,
    demo,
  }) => {
    const [a, b] = ['a', 'b'].map((n) => `${demo.appUrl}/api/res/${n}/`);
    await app.open({ resource: [a!, b!], scope: 'openid profile email api:read' });
    await app.login();
    demo.resetStats();
    for (let i = 0; i < 2; i++) {
      expect(await fetchWithAuth(app.page, `${a}items`, { resource: a })).toMatchObject({
        status: 200,
        body: { aud: a },
      });
      expect(await fetchWithAuth(app.page, `${b}items`, { resource: b })).toMatchObject({
        status: 200,
        body: { aud: b },
      });
    }
    // Each resource server saw only tokens for itself, and each token was fetched once (then cached).
    expect(demo.stats()).toMatchObject({
      apiAudience: { [a!]: 2, [b!]: 2 },
      apiRefused: {},
      tokenByGrant: { refresh_token: 2 },
    });
  });

  test('a 401 invalid_token causes exactly one renewal and one retry', async ({ app, demo }) => {
    await app.open(dpopOptions(app));
    await app.login();
    demo.resetStats();
    expect((await fetchWithAuth(app.page, '/api/always-invalid')).status).toBe(401);
    expect(demo.stats()).toMatchObject({
      api: 2,
      tokenByGrant: { refresh_token: 1 },
      apiRefused: { always_invalid: 2 },
    });
  });

  test('a step-up challenge (RFC 9470) surfaces its code, acr_values and max_age', async ({ app }) => {
    await app.open(dpopOptions(app));
    await app.login();
    expect(await fetchWithAuth(app.page, '/api/step-up')).toEqual({
      error: 'insufficient_user_authentication',
      stepUp: { acr_values: 'urn:demo:mfa', max_age: '300' },
    });
  });
});
