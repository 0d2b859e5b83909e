import type { AuthorizationServer } from 'oauth4webapi';
import { invalidOption } from './errors.js';

/** Options for {@link createPkceClient} and `new PkceClient()`. */
export interface ClientOptions {
  /** The OpenID Provider's issuer identifier: https, or http on localhost / 127.0.0.1 / [::1] for development. */
  issuer: string;
  /** This app's client id, registered at the provider as a public client. */
  clientId: string;
  /** Absolute URL the provider sends the user back to; must be registered at the provider. */
  redirectUri: string;
  /** Where the provider sends the user after logout (registered at the provider). */
  postLogoutRedirectUri?: string;
  /** Space-separated scopes. Default `openid profile email`; `openid` is always included. */
  scope?: string;
  /** RFC 8707 resource indicator(s) sent with the authorization and token requests. */
  resource?: string | string[];
  /** Extra authorization request parameters (`prompt`, `ui_locales`, `acr_values`, ...). */
  authorizationParams?: Record<string, string>;
  /** Ask for and use refresh tokens (adds `offline_access` to the scope). Default true. */
  refreshTokens?: boolean;
  /** Renew an access token that has fewer than this many seconds left. Default 60. */
  leewaySeconds?: number;
  /** Timeout for each request to the provider, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Provider metadata to use instead of discovery (its `issuer` must equal `issuer`). */
  metadata?: AuthorizationServer;
  /** A `fetch` to use for every request to the provider (tests, instrumentation). */
  fetch?: typeof fetch;
  /**
   * Where the session lives between page loads. `memory` (default) persists nothing; `indexeddb` keeps the refresh
   * token, encrypted with a non-extractable key, in IndexedDB so a reload needs no new login.
   */
  cache?: 'memory' | 'indexeddb';
  /** Same-origin page for hidden-iframe `prompt=none` renewal; unset disables the iframe path. */
  silentRedirectUri?: string;
  /** With `silentRedirectUri`, try one silent iframe login on start-up when no session exists. Default true. */
  silentLoginOnStart?: boolean;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  issuer: string;
  issuerUrl: URL;
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string | undefined;
  scope: string;
  resource: string[];
  authorizationParams: Record<string, string>;
  refreshTokens: boolean;
  leewaySeconds: number;
  timeoutMs: number;
  metadata: AuthorizationServer | undefined;
  fetch: typeof fetch | undefined;
  cache: 'memory' | 'indexeddb';
  silentRedirectUri: string | undefined;
  silentLoginOnStart: boolean;
  /** Plain http is allowed because the issuer is a loopback host. */
  allowHttp: boolean;
}

const KNOWN = new Set([
  'issuer', 'clientId', 'redirectUri', 'postLogoutRedirectUri', 'scope', 'resource', 'authorizationParams',
  'refreshTokens', 'leewaySeconds', 'timeoutMs', 'metadata', 'fetch', 'cache', 'silentRedirectUri', 'silentLoginOnStart',
]);

/** Parameters the SDK sets itself; letting an app override them would break PKCE, state or nonce. */
export const RESERVED_PARAMS = new Set([
  'client_id', 'redirect_uri', 'response_type', 'response_mode', 'state', 'nonce', 'code_challenge',
  'code_challenge_method', 'scope', 'resource',
]);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether `url` is http on a loopback host (allowed over plain http for development). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

function absoluteUrl(name: string, value: unknown, required: boolean): URL | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw invalidOption(name, `is required and must be an absolute URL string (got ${describe(value)})`);
  }
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw invalidOption(name, `must be an absolute http(s) URL (got "${value}")`);
  }
  if (url.hash) throw invalidOption(name, `must not contain a fragment (got "${value}")`);
  return url;
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined' : typeof value === 'string' ? `"${value}"` : typeof value;
}

/**
 * Validates options once and applies defaults.
 * @throws {AuthError} `invalid_options`, naming the option.
 */
export function resolveOptions(input: ClientOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) {
    throw invalidOption('options', 'must be an object with at least issuer, clientId and redirectUri');
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) throw invalidOption(key, `is not a known option (known: ${[...KNOWN].join(', ')})`);
  }
  const issuerUrl = absoluteUrl('issuer', input.issuer, true)!;
  const allowHttp = isLoopback(issuerUrl);
  if (issuerUrl.protocol !== 'https:' && !allowHttp) {
    throw invalidOption('issuer', `must use https (plain http is allowed only for localhost, 127.0.0.1 and [::1]; got "${input.issuer}")`);
  }
  if (issuerUrl.search) throw invalidOption('issuer', `must not contain a query (got "${input.issuer}")`);
  if (typeof input.clientId !== 'string' || input.clientId.trim() === '') {
    throw invalidOption('clientId', `is required and must be a non-empty string (got ${describe(input.clientId)})`);
  }
  const redirectUri = absoluteUrl('redirectUri', input.redirectUri, true)!.href;
  const postLogout = absoluteUrl('postLogoutRedirectUri', input.postLogoutRedirectUri, false)?.href;

  const refreshTokens = input.refreshTokens ?? true;
  if (typeof refreshTokens !== 'boolean') throw invalidOption('refreshTokens', `must be a boolean (got ${describe(refreshTokens)})`);

  if (input.scope !== undefined && typeof input.scope !== 'string') {
    throw invalidOption('scope', `must be a space-separated string (got ${describe(input.scope)})`);
  }
  const scope = buildScope(input.scope ?? 'openid profile email', refreshTokens);

  const resource = input.resource === undefined ? [] : Array.isArray(input.resource) ? input.resource : [input.resource];
  resource.forEach((r, i) => {
    if (typeof r !== 'string' || !URL.canParse(r) || new URL(r).hash) {
      throw invalidOption(`resource${Array.isArray(input.resource) ? `[${i}]` : ''}`, `must be an absolute URI without a fragment (got ${describe(r)})`);
    }
  });

  const authorizationParams = checkParams('authorizationParams', input.authorizationParams);
  const leewaySeconds = nonNegative('leewaySeconds', input.leewaySeconds, 60);
  const timeoutMs = nonNegative('timeoutMs', input.timeoutMs, 10_000);
  if (timeoutMs === 0) throw invalidOption('timeoutMs', 'must be greater than 0');

  if (input.fetch !== undefined && typeof input.fetch !== 'function') {
    throw invalidOption('fetch', `must be a function (got ${describe(input.fetch)})`);
  }
  const metadata = input.metadata;
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || typeof metadata.issuer !== 'string') {
      throw invalidOption('metadata', 'must be an authorization server metadata object with an issuer');
    }
    if (metadata.issuer !== issuerUrl.href && metadata.issuer !== input.issuer) {
      throw invalidOption('metadata', `issuer "${metadata.issuer}" does not equal the issuer option "${input.issuer}"`);
    }
    for (const endpoint of ['authorization_endpoint', 'token_endpoint'] as const) {
      if (typeof metadata[endpoint] !== 'string') throw invalidOption('metadata', `must include ${endpoint}`);
    }
  }

  const cache = input.cache ?? 'memory';
  if (cache !== 'memory' && cache !== 'indexeddb') throw invalidOption('cache', `must be "memory" or "indexeddb" (got ${describe(cache)})`);
  const silent = absoluteUrl('silentRedirectUri', input.silentRedirectUri, false);
  const silentLoginOnStart = input.silentLoginOnStart ?? true;
  if (typeof silentLoginOnStart !== 'boolean') throw invalidOption('silentLoginOnStart', `must be a boolean (got ${describe(silentLoginOnStart)})`);

  return {
    issuer: input.issuer,
    issuerUrl,
    clientId: input.clientId,
    redirectUri,
    postLogoutRedirectUri: postLogout,
    scope,
    resource,
    authorizationParams,
    refreshTokens,
    leewaySeconds,
    timeoutMs,
    metadata,
    fetch: input.fetch,
    cache,
    silentRedirectUri: silent?.href,
    silentLoginOnStart,
    allowHttp,
  };
}

/** Normalises a scope string: de-duplicated, `openid` first, `offline_access` when refresh tokens are on. */
export function buildScope(scope: string, refreshTokens: boolean): string {
  const scopes = new Set(['openid', ...scope.split(/\s+/).filter(Boolean)]);
  if (refreshTokens) scopes.add('offline_access');
  else scopes.delete('offline_access');
  return [...scopes].join(' ');
}

/**
 * Validates a record of extra authorization parameters.
 * @throws {AuthError} `invalid_options` for non-string values and for parameters the SDK owns.
 */
export function checkParams(name: string, params: unknown): Record<string, string> {
  if (params === undefined) return {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalidOption(name, `must be an object of string values (got ${describe(params)})`);
  }
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') throw invalidOption(`${name}.${key}`, `must be a string (got ${describe(value)})`);
    if (RESERVED_PARAMS.has(key)) {
      throw invalidOption(`${name}.${key}`, 'is set by pkce-spa itself; use the scope/resource options or getAccessToken({ scope, resource }) instead');
    }
  }
  return params as Record<string, string>;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidOption(name, `must be a finite number >= 0 (got ${describe(value)}${typeof value === 'number' ? ` ${value}` : ''})`);
  }
  return value;
}
