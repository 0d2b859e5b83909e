import type { AuthorizationServer } from 'oauth4webapi';
import { invalidOption } from './errors.js';
import type { DPoPSupport } from './dpop.js';
type Metadata = AuthorizationServer;

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
  /**
   * Sender-constrained tokens (DPoP, RFC 9449): pass the `dpop` export (`import { dpop } from 'pkce-spa'`). Off by
   * default; an object rather than `true` so that apps without DPoP do not ship the proof signer (see docs/dpop.md).
   * @example createPkceClient({ issuer, clientId, redirectUri, dpop })
   */
  dpop?: DPoPSupport;
  /**
   * Pushed authorization requests (RFC 9126): push the authorization parameters to the provider first and send the
   * browser with `client_id` + `request_uri` only. Default false; on by itself when the provider's metadata says
   * `require_pushed_authorization_requests`.
   */
  par?: boolean;
  /**
   * Origins that {@link PkceClient.fetchWithAuth} may send tokens to (e.g. `https://api.example.com`). Default: the
   * page's own origin. A request to any other origin fails with `origin_not_allowed` and is not sent.
   */
  apiOrigins?: string[];
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
  dpop: DPoPSupport | undefined;
  par: boolean;
  /** Origins (fetchWithAuth compares their `URL.origin`); undefined means the page's origin, read at call time. */
  apiOrigins: string[] | undefined;
  /** Plain http is allowed because the issuer is a loopback host. */
  allowHttp: boolean;
}

/** Parameters the SDK sets itself; letting an app override them would break PKCE, state or nonce. */
const RESERVED = ['client_id', 'redirect_uri', 'response_type', 'response_mode', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'scope', 'resource', 'dpop_jkt', 'request_uri'];

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is object => typeof v === 'object' && !!v;
const isUrl = (v: unknown): boolean => isString(v) && URL.canParse(v) && /^https?:$/.test(new URL(v).protocol) && !new URL(v).hash;
const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isCount = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v < Infinity;
const URL_TEXT = 'an absolute http(s) URL without a fragment';

/**
 * Each option: its check, what a valid value is (for the message) and its default. Unknown names are rejected too
 * (typos).
 */
const OPTIONS: Record<keyof ClientOptions, [check: (v: unknown) => boolean, valid: string, fallback?: unknown]> = {
  issuer: [(v) => isUrl(v) && !new URL(v as string).search, `${URL_TEXT} or query`],
  clientId: [(v) => isString(v) && !!v.trim(), 'a non-empty string'],
  redirectUri: [isUrl, URL_TEXT],
  postLogoutRedirectUri: [isUrl, URL_TEXT],
  silentRedirectUri: [isUrl, URL_TEXT],
  scope: [isString, 'a space-separated string', 'openid profile email'],
  resource: [(v) => ([] as unknown[]).concat(v).every((r) => isString(r) && URL.canParse(r) && !new URL(r).hash), 'an absolute URI or an array of them', []],
  authorizationParams: [isObject, 'an object of string values'],
  refreshTokens: [isBool, 'a boolean', true],
  silentLoginOnStart: [isBool, 'a boolean', true],
  leewaySeconds: [isCount, 'a number of seconds >= 0', 60],
  timeoutMs: [(v) => isCount(v) && (v as number) > 0, 'a number of milliseconds > 0', 10_000],
  cache: [(v) => v === 'memory' || v === 'indexeddb', '"memory" or "indexeddb"', 'memory'],
  metadata: [(v) => isObject(v) && isString((v as Metadata).authorization_endpoint) && isString((v as Metadata).token_endpoint), 'authorization server metadata with authorization_endpoint and token_endpoint'],
  fetch: [(v) => typeof v === 'function', 'a function'],
  dpop: [(v) => isObject(v) && !!(v as DPoPSupport).createKey, 'the dpop export of pkce-spa'],
  par: [isBool, 'a boolean', false],
  apiOrigins: [(v) => Array.isArray(v) && v.every(isUrl), 'an array of origins (https://api.example.com)'],
};

/** Whether `url` is on a loopback host (allowed over plain http for development). */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

const show = (v: unknown): string => (isString(v) ? `"${v}"` : isObject(v) ? JSON.stringify(v) ?? 'null' : String(v));

/**
 * Validates options once and applies defaults.
 * @throws {AuthError} `invalid_options`, naming the option.
 */
export function resolveOptions(input: ClientOptions): ResolvedOptions {
  if (!isObject(input)) throw invalidOption('options', 'must be an object with issuer, clientId and redirectUri');
  for (const [name, value] of Object.entries(input)) {
    const option = OPTIONS[name as keyof ClientOptions];
    if (!option) throw invalidOption(name, `is not a known option (known: ${Object.keys(OPTIONS).join(', ')})`);
    if (value !== undefined && !option[0](value)) throw invalidOption(name, `must be ${option[1]} (got ${show(value)})`);
  }
  // Every option, given or defaulted; the ones that need more than a default are finished below.
  const o = {} as Record<string, unknown> & ResolvedOptions;
  for (const [name, [, valid, fallback]] of Object.entries(OPTIONS)) {
    o[name] = input[name as keyof ClientOptions] ?? fallback;
    if (o[name] === undefined && ['issuer', 'clientId', 'redirectUri'].includes(name)) throw invalidOption(name, `is required (${valid})`);
  }
  const issuerUrl = (o.issuerUrl = new URL(o.issuer));
  o.allowHttp = isLoopback(issuerUrl);
  if (issuerUrl.protocol !== 'https:' && !o.allowHttp) {
    throw invalidOption('issuer', `must use https; plain http is allowed only for localhost, 127.0.0.1 and [::1] (got "${o.issuer}")`);
  }
  const metadata = o.metadata;
  if (metadata && (!isString(metadata.issuer) || !URL.canParse(metadata.issuer) || new URL(metadata.issuer).href !== issuerUrl.href)) {
    throw invalidOption('metadata', `issuer ${show(metadata.issuer)} must equal the issuer option "${o.issuer}"`);
  }
  o.redirectUri = new URL(o.redirectUri).href;
  o.scope = buildScope(o.scope, o.refreshTokens);
  o.resource = ([] as string[]).concat(o.resource);
  o.authorizationParams = checkParams('authorizationParams', o.authorizationParams);
  return o;
}

/** Normalises a scope string: de-duplicated, `openid` first, `offline_access` when refresh tokens are on. */
export function buildScope(scope: string, refreshTokens: boolean): string {
  const scopes = new Set(['openid', ...scope.split(/\s+/).filter(Boolean)]);
  scopes[refreshTokens ? 'add' : 'delete']('offline_access');
  return [...scopes].join(' ');
}

/**
 * Validates a record of extra authorization parameters.
 * @throws {AuthError} `invalid_options` for non-string values and for parameters the SDK owns.
 */
export function checkParams(name: string, params: unknown): Record<string, string> {
  if (params === undefined) return {};
  if (!isObject(params)) throw invalidOption(name, `must be an object of string values (got ${show(params)})`);
  for (const [key, value] of Object.entries(params)) {
    if (!isString(value)) throw invalidOption(`${name}.${key}`, `must be a string (got ${show(value)})`);
    if (RESERVED.includes(key)) throw invalidOption(`${name}.${key}`, 'is set by pkce-spa itself (use the scope and resource options)');
  }
  return params as Record<string, string>;
}
