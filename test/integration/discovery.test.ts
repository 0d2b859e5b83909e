/**
 * Discovery (OpenID Connect Discovery 1.0 §4, RFC 8414 §3.3) against the real oidc-provider, a scripted server, a
 * closed port and a server that never answers. createPkceClient() runs discovery, so it rejects with the error.
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPkceClient, PkceClient } from '../../src/index.js';
import { browserFetch, installBrowserShim } from '../helpers/browser-shim.js';
import { loginWithFetch, startRealProvider, type DemoServers } from '../helpers/real-provider.js';
import { startHostileProvider } from '../helpers/hostile-provider.js';

const APP = 'http://localhost:5173';
let op: DemoServers;

beforeAll(async () => {
  op = await startRealProvider();
});
afterAll(async () => {
  await op?.close();
});

function options(issuer: string, extra: { timeoutMs?: number } = {}) {
  return { issuer, clientId: op.clientId, redirectUri: `${APP}/`, fetch: browserFetch(APP).fetch, ...extra };
}

describe('discovery', () => {
  it("discovers the real provider's metadata and starts unauthenticated", async () => {
    op.resetStats();
    const client = await createPkceClient(options(op.issuer));
    expect(client.getState()).toEqual({ status: 'unauthenticated' });
    expect(op.stats().discovery).toBe(1);
  });

  it('a trailing slash on an origin-only issuer names the same issuer (URL normalisation): discovery and login work', async () => {
    // "http://localhost:1234" and "http://localhost:1234/" are the same URL; oauth4webapi compares normalised hrefs.
    const shim = installBrowserShim(`${op.appUrl}/`);
    try {
      const client = await createPkceClient({
        ...options(`${op.issuer}/`),
        redirectUri: `${op.appUrl}/`,
        fetch: browserFetch(op.appUrl).fetch,
      });
      expect(client.getState().status).toBe('unauthenticated');
      await client.loginWithRedirect();
      const { callbackUrl } = await loginWithFetch(shim.lastAssigned());
      await client.handleRedirectCallback(callbackUrl);
      expect(client.getIdTokenClaims()?.iss).toBe(op.issuer);
    } finally {
      shim.uninstall();
    }
  });

  it('the provider reached under another host name fails with issuer_mismatch', async () => {
    // Same server, but its metadata names http://localhost:<port>, not http://127.0.0.1:<port>.
    const alias = op.issuer.replace('//localhost:', '//127.0.0.1:');
    await expect(createPkceClient(options(alias))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'issuer_mismatch',
    });
  });

  it('a trailing-slash mismatch on an issuer with a path fails with issuer_mismatch', async () => {
    const sop = await startHostileProvider({ issuerPath: '/tenant' });
    try {
      await expect(createPkceClient(options(sop.issuer))).resolves.toBeInstanceOf(PkceClient);
      await expect(createPkceClient(options(`${sop.issuer}/`))).rejects.toMatchObject({ code: 'issuer_mismatch' });
      // Both spellings fetch the same document; only the comparison differs.
      expect(sop.requests.map((r) => r.pathname)).toEqual([
        '/.well-known/openid-configuration',
        '/.well-known/openid-configuration',
      ]);
    } finally {
      await sop.close();
    }
  });

  it("metadata naming another server's issuer fails with issuer_mismatch", async () => {
    const sop = await startHostileProvider({ metadata: { issuer: op.issuer } });
    try {
      await expect(createPkceClient(options(sop.issuer))).rejects.toMatchObject({
        code: 'issuer_mismatch',
        message: expect.stringContaining('issuer'),
      });
    } finally {
      await sop.close();
    }
  });

  it('an unreachable issuer (closed port) fails with network_error', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    await expect(createPkceClient(options(`http://127.0.0.1:${port}`))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'network_error',
      cause: expect.any(TypeError),
    });
  });

  it('a server that never answers fails with timeout after timeoutMs', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = performance.now();

      await expect(createPkceClient(options(`http://127.0.0.1:${port}`, { timeoutMs: 200 }))).rejects.toMatchObject({
        code: 'timeout',
        message: expect.stringContaining('200 ms'),
      });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(5_000);
      expect(sockets.size).toBeGreaterThanOrEqual(1); // it did connect; the server just never answered
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a discovery document that is HTML fails with invalid_response', async () => {
    const sop = await startHostileProvider();
    sop.on('/.well-known/openid-configuration', () => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<h1>Hello</h1>',
    }));
    try {
      await expect(createPkceClient(options(sop.issuer))).rejects.toMatchObject({ code: 'invalid_response' });
    } finally {
      await sop.close();
    }
  });

  it('a failed discovery is retried by the next call instead of being cached', async () => {
    const sop = await startHostileProvider();
    const client = new PkceClient(options(sop.issuer));
    sop.on('/.well-known/openid-configuration', () => ({ status: 503, body: 'starting' }));
    try {
      await expect(client.ready()).rejects.toMatchObject({ code: 'invalid_response' });
      expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'invalid_response' } });
      sop.on('/.well-known/openid-configuration', () => ({
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          issuer: sop.issuer,
          authorization_endpoint: `${sop.issuer}/authorize`,
          token_endpoint: `${sop.issuer}/token`,
        }),
      }));
      await expect(client.ready()).resolves.toBeUndefined();
      expect(sop.count('/.well-known/openid-configuration')).toBe(2);
    } finally {
      await sop.close();
    }
  });
});
