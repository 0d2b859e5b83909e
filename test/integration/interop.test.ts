/**
 * What other providers do that oidc-provider does not (issue 10), scripted: discovery behind a redirect
 * (django-oauth-toolkit's stock URLs), discovery failures that must name the URL and the status, bodies that stall
 * after the headers (timeoutMs covers the whole request), and `metadataOverrides` over discovery.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { createPkceClient, type AuthError, type PkceClient } from '../../src/index.js';
import { authErrorOf } from '../helpers/auth-error.js';
import { installBrowserShim, type BrowserShim } from '../helpers/browser-shim.js';
import { callbackUrl } from '../helpers/callback-url.js';
import { jsonResponse, startHostileProvider, type ScriptedOp } from '../helpers/hostile-provider.js';

const APP = 'http://localhost:5173';
const WELL_KNOWN = '/.well-known/openid-configuration';
const servers: ScriptedOp[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function scripted(options: Parameters<typeof startHostileProvider>[0] = {}): Promise<ScriptedOp> {
  const op = await startHostileProvider(options);
  servers.push(op);
  return op;
}

/** The metadata document the scripted server serves at its stock URL, for serving it elsewhere. */
async function metadataOf(op: ScriptedOp): Promise<Record<string, unknown>> {
  return (await fetch(op.issuer + WELL_KNOWN)).json();
}

/** What createPkceClient rejects with for `issuer` (discovery fails). */
const startError = (issuer: string, extra: Record<string, unknown> = {}): Promise<AuthError> =>
  authErrorOf(createPkceClient({ issuer, clientId: 'spa', redirectUri: `${APP}/`, ...extra }));

/** Answers the code grant with `at-1`, `rt-1` and an ID token for the nonce of the shim's last login. */
function answerCodeGrant(op: ScriptedOp, shim: BrowserShim): void {
  op.on('/token', () =>
    jsonResponse({
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: 'rt-1',
      id_token: op.idToken({ nonce: new URL(shim.lastAssigned()).searchParams.get('nonce') }),
    }),
  );
}

/** A redirect login round trip through the shim's address bar. */
async function signIn(client: PkceClient, op: ScriptedOp, shim: BrowserShim): Promise<void> {
  await client.loginWithRedirect();
  await client.handleRedirectCallback(callbackUrl(shim.lastAssigned(), { issuer: op.issuer, params: { code: 'c' } }));
}

describe('discovery behind a redirect', () => {
  it('follows a same-origin redirect to the trailing-slash URL (django-oauth-toolkit) and keeps the issuer check', async () => {
    const op = await scripted({ issuerPath: '/o' });
    const document = await metadataOf(op);
    op.requests.length = 0;
    op.on(WELL_KNOWN, () => ({ status: 301, headers: { location: `/o${WELL_KNOWN}/` } }));
    op.on(`${WELL_KNOWN}/`, () => jsonResponse(document));
    const client = await createPkceClient({ issuer: op.issuer, clientId: 'spa', redirectUri: `${APP}/` });
    expect(client.getState()).toEqual({ status: 'unauthenticated' });
    expect(op.requests.map((r) => r.pathname)).toEqual([WELL_KNOWN, `${WELL_KNOWN}/`]);

    // The redirect target must still name the configured issuer.
    op.on(`${WELL_KNOWN}/`, () => jsonResponse({ ...document, issuer: `${op.issuer}/other` }));
    const error = await startError(op.issuer);
    expect(error.code).toBe('issuer_mismatch');
    expect(error.message).toContain(`"${op.issuer}/other"`);
    expect(error.message).toContain(`"${op.issuer}"`);
  });

  it('refuses a redirect to another origin, naming both URLs', async () => {
    const elsewhere = await scripted();
    const op = await scripted();
    op.on(WELL_KNOWN, () => ({ status: 302, headers: { location: elsewhere.issuer + WELL_KNOWN } }));
    const error = await startError(op.issuer);
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain(op.issuer + WELL_KNOWN);
    expect(error.message).toContain(elsewhere.issuer + WELL_KNOWN);
    expect(error.message).toContain("another origin: use that server's issuer, or the metadata option");
  });
});

describe('discovery errors name the URL and the status', () => {
  it('a 404 names the discovery URL and HTTP 404, and says to check the issuer option', async () => {
    const op = await scripted();
    op.on(WELL_KNOWN, () => ({ status: 404, body: 'Not Found' }));
    const error = await startError(op.issuer);
    expect(error).toMatchObject({ code: 'invalid_response' });
    expect(error.message).toContain(`${op.issuer}${WELL_KNOWN} answered HTTP 404`);
    expect(error.message).toContain('issuer option');
    expect(error.message).not.toContain("The authorization server's answer");
  });

  it('an HTML page with status 200 names the URL and says it is not JSON', async () => {
    const op = await scripted();
    op.on(WELL_KNOWN, () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' }));
    const error = await startError(op.issuer);
    expect(error).toMatchObject({ code: 'invalid_response' });
    expect(error.message).toBe(
      `Discovery at ${op.issuer}${WELL_KNOWN} answered HTTP 200, not JSON: check the issuer option`,
    );
  });

  it('issuer_mismatch names the expected and the received issuer and the fix', async () => {
    const op = await scripted({ metadata: { issuer: 'https://id.example.test/tenant' } });
    const error = await startError(op.issuer);
    expect(error.code).toBe('issuer_mismatch');
    expect(error.message).toBe(
      `Discovery at ${op.issuer}${WELL_KNOWN} names the issuer "https://id.example.test/tenant", not "${op.issuer}": set the issuer option to "https://id.example.test/tenant"`,
    );
  });
});

describe('timeoutMs covers the whole request, body included', () => {
  it('discovery whose body stalls after the headers fails with timeout; the cause is a message, not an Event', async () => {
    const op = await scripted();
    op.on(WELL_KNOWN, () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"issuer":',
      stall: true,
    }));
    const started = performance.now();
    const error = await startError(op.issuer, { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain(op.issuer + WELL_KNOWN);
    expect(error.message).toBe(`No answer from ${op.issuer}${WELL_KNOWN} within timeoutMs (300 ms)`);
    expect(error.cause).toBeInstanceOf(Error);
    expect(String(error.cause)).toBe('TimeoutError: aborted after 300 ms');
  });

  it('a token request whose body stalls fails with timeout and leaves nobody signed in', async () => {
    const op = await scripted();
    op.on('/token', () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"access_token":"at-stalled',
      stall: true,
    }));
    const shim = installBrowserShim(`${APP}/`);
    try {
      const client = await createPkceClient({
        issuer: op.issuer,
        clientId: 'spa',
        redirectUri: `${APP}/`,
        timeoutMs: 300,
      });
      await client.loginWithRedirect();
      const callback = callbackUrl(shim.lastAssigned(), { issuer: op.issuer, params: { code: 'c' } });
      await expect(client.handleRedirectCallback(callback)).rejects.toMatchObject({
        name: 'AuthError',
        code: 'timeout',
      });
      expect(client.isAuthenticated()).toBe(false);
      expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'timeout' } });
    } finally {
      shim.uninstall();
    }
  });
});

describe('timeoutMs covers revocation', () => {
  it('logout settles when the revocation response stalls after its headers', async () => {
    const op = await scripted({ metadata: { revocation_endpoint: '' } });
    // An error answer: oauth4webapi reads the body of a non-200 revocation response (a 200 it does not read).
    op.on('/revoke', () => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"error":',
      stall: true,
    }));
    const shim = installBrowserShim(`${APP}/`);
    answerCodeGrant(op, shim);
    try {
      const client = await createPkceClient({
        issuer: op.issuer,
        clientId: 'spa',
        redirectUri: `${APP}/`,
        timeoutMs: 300,
        metadataOverrides: { revocation_endpoint: `${op.issuer}/revoke` },
      });
      await signIn(client, op, shim);
      const started = performance.now();
      await client.logout({ localOnly: true });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(op.count('/revoke')).toBe(1);
      expect(client.isAuthenticated()).toBe(false);
    } finally {
      shim.uninstall();
    }
  });
});

describe('metadataOverrides', () => {
  it('adds an endpoint discovery lacks (revocation) while discovery still runs, and logout uses it', async () => {
    const op = await scripted();
    op.on('/revoke_token/', (r) => (revoked.push(r.body.get('token')!), { status: 200 }));
    const revoked: string[] = [];
    const shim = installBrowserShim(`${APP}/`);
    answerCodeGrant(op, shim);
    try {
      const client = await createPkceClient({
        issuer: op.issuer,
        clientId: 'spa',
        redirectUri: `${APP}/`,
        metadataOverrides: { revocation_endpoint: `${op.issuer}/revoke_token/` },
      });
      expect(op.count(WELL_KNOWN)).toBe(1);
      await signIn(client, op, shim);
      await client.logout({ localOnly: true });
      expect(revoked).toEqual(['rt-1']);
    } finally {
      shim.uninstall();
    }
  });
});
