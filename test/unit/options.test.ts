import { describe, expect, it } from 'vitest';
import { PkceClient } from '../../src/index.js';
import { buildScope, resolveOptions } from '../../src/options.js';
import { isAuthError } from '../../src/errors.js';

const base = { issuer: 'https://op.example.test', clientId: 'spa', redirectUri: 'https://app.example.test/cb' };

function optionError(options: unknown): { code: string; message: string } {
  try {
    new PkceClient(options as never);
  } catch (e) {
    if (!isAuthError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected the constructor to throw');
}

describe('options', () => {
  it('applies the documented defaults', () => {
    const o = resolveOptions(base);
    expect(o.scope).toBe('openid profile email offline_access');
    expect(o.refreshTokens).toBe(true);
    expect(o.leewaySeconds).toBe(60);
    expect(o.timeoutMs).toBe(10_000);
    expect(o.allowHttp).toBe(false);
  });

  it('always includes openid, and offline_access only with refresh tokens', () => {
    expect(buildScope('email', true)).toBe('openid email offline_access');
    expect(buildScope('openid email offline_access', false)).toBe('openid email');
  });

  it.each([
    [{ ...base, issuer: undefined }, 'issuer is required'],
    [
      { ...base, issuer: 'https://op.example.test/?tenant=1' },
      'issuer must be an absolute http(s) URL without a fragment or query',
    ],
    [{ ...base, cache: 'localStorage' }, 'cache must be "memory" or "indexeddb" (got "localStorage")'],
    [{ ...base, issuer: 'http://op.example.test' }, 'issuer must use https'],
    [{ ...base, issuer: 'op.example.test' }, 'issuer must be an absolute'],
    [{ ...base, clientId: '' }, 'clientId'],
    [
      { ...base, redirectUri: 'callback' },
      'redirectUri must be an absolute http(s) URL without a fragment (got "callback")',
    ],
    [
      { ...base, redirectUri: 'https://app.example.test/#x' },
      'redirectUri must be an absolute http(s) URL without a fragment (got "https://app.example.test/#x")',
    ],
    [{ ...base, leewaySeconds: -1 }, 'leewaySeconds'],
    [{ ...base, timeoutMs: 0 }, 'timeoutMs'],
    [{ ...base, refreshTokens: 'yes' }, 'refreshTokens'],
    [{ ...base, clientID: 'x' }, 'clientID is not a known option'],
    [{ ...base, authorizationParams: { state: 'x' } }, 'authorizationParams.state is set by pkce-spa'],
    [{ ...base, authorizationParams: { prompt: 1 } }, 'authorizationParams.prompt must be a string'],
    [
      { ...base, resource: ['https://api.example.test', 'nope'] },
      'resource must be an absolute URI or an array of them (got ["https://api.example.test","nope"])',
    ],
    [
      { ...base, metadata: { issuer: 'https://evil.example.test', authorization_endpoint: 'x', token_endpoint: 'y' } },
      'metadata issuer',
    ],
    [{ ...base, fetch: 'fetch' }, 'fetch must be a function'],
  ])('rejects bad options with invalid_options naming the option (%#)', (options, text) => {
    const err = optionError(options);
    expect(err.code).toBe('invalid_options');
    expect(err.message).toContain(text);
  });

  it('allows plain http only for loopback issuers', () => {
    for (const issuer of ['http://localhost:3000', 'http://127.0.0.1:9000/op', 'http://[::1]:8080']) {
      expect(resolveOptions({ ...base, issuer }).allowHttp).toBe(true);
    }
    expect(optionError({ ...base, issuer: 'http://localhost.evil.test' }).code).toBe('invalid_options');
  });

  it('does not touch browser globals when constructed', () => {
    const desc = Object.getOwnPropertyDescriptor(globalThis, 'sessionStorage');
    Object.defineProperty(globalThis, 'sessionStorage', {
      configurable: true,
      get: () => {
        throw new Error('touched');
      },
    });
    try {
      expect(new PkceClient(base).getState()).toEqual({ status: 'loading' });
    } finally {
      Object.defineProperty(globalThis, 'sessionStorage', desc!);
    }
  });
});

describe('scope and metadataOverrides (issue 10)', () => {
  it('rejects a comma-separated scope with invalid_options, suggesting spaces', () => {
    expect(optionError({ ...base, scope: 'openid,profile,email' })).toEqual({
      code: 'invalid_options',
      message:
        'scope must be a space-separated string, not comma-separated ("openid profile email") (got "openid,profile,email")',
    });
  });

  it('accepts endpoint overrides and keeps them apart from metadata', () => {
    const o = resolveOptions({
      ...base,
      metadataOverrides: { end_session_endpoint: 'https://op.example.test/v2/logout', scopes_supported: ['openid'] },
    });
    expect(o.metadataOverrides).toEqual({
      end_session_endpoint: 'https://op.example.test/v2/logout',
      scopes_supported: ['openid'],
    });
    expect(o.metadata).toBeUndefined();
    expect(resolveOptions(base).metadataOverrides).toEqual({});
  });

  it.each([
    [{ revocation_endpoint: 'revoke' }],
    [{ end_session_endpoint: 'javascript:alert(1)' }],
    [{ jwks_uri: 42 }],
    [{ issuer: 'https://other.example.test' }],
    ['https://op.example.test/logout'],
  ])('rejects %j with invalid_options naming metadataOverrides', (value) => {
    expect(optionError({ ...base, metadataOverrides: value })).toMatchObject({
      code: 'invalid_options',
      message: expect.stringMatching(
        /^metadataOverrides must be metadata fields without issuer, \*_endpoint and \*_uri as http\(s\) URLs \(got /,
      ),
    });
  });
});
