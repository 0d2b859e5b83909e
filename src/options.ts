import type { AuthorizationServer } from 'oauth4webapi';
import { invalidOption } from './errors.js';
import type { DebugListener } from './debug.js';
import type { DPoPSupport } from './dpop.js';
type Metadata = AuthorizationServer;

/**
 * Options for {@link createPkceClient} and `new PkceClient()`. They are validated once, when the client is made: a
 * missing, malformed or unknown option throws `AuthError('invalid_options')` naming it.
 */
export interface ClientOptions {
  /**
   * The OpenID Provider's issuer identifier: https, or http on localhost / 127.0.0.1 / [::1] for development.
   * Required.
   * @example 'https://id.example.com'
   */
  issuer: string;
  /**
   * This app's client id, registered at the provider as a public client (`token_endpoint_auth_method: none`).
   * Required.
   */
  clientId: string;
  /**
   * Absolute URL the provider sends the user back to (also where the login popup ends); must be registered at the
   * provider. Required.
   * @example `${location.origin}/`
   */
  redirectUri: string;
  /**
   * Where the provider sends the user after logout (registered at the provider).
   * @defaultValue undefined: the provider decides
   */
  postLogoutRedirectUri?: string;
  /**
   * Space-separated scopes. `openid` is always included, and `offline_access` is added when `refreshTokens` is on.
   * @defaultValue 'openid profile email'
   */
  scope?: string;
  /**
   * RFC 8707 resource indicator(s) sent with the authorization and token requests.
   * @defaultValue [] (none)
   * @see https://www.rfc-editor.org/rfc/rfc8707
   */
  resource?: string | string[];
  /**
   * Extra authorization request parameters (`prompt`, `login_hint`, `ui_locales`, `acr_values`, ...). Parameters the
   * SDK sets itself (`state`, `nonce`, `code_challenge`, `redirect_uri`, `scope`, ...) are rejected.
   * @defaultValue {}
   */
  authorizationParams?: Record<string, string>;
  /**
   * Ask for refresh tokens (adds `offline_access` to the scope) and renew with them. `false` keeps no refresh token,
   * which leaves the hidden iframe (`silentRedirectUri`) as the only way to renew.
   * @defaultValue true
   */
  refreshTokens?: boolean;
  /**
   * Renew an access token that has fewer than this many seconds left.
   * @defaultValue 60
   */
  leewaySeconds?: number;
  /**
   * How long each request to the provider, the silent iframe and the wait for another tab's newer session may take,
   * in milliseconds (the popup has its own `timeoutMs` in {@link PopupLoginOptions}).
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * Provider metadata to use instead of discovery (its `issuer` must equal `issuer`).
   * @defaultValue undefined: discovered from `<issuer>/.well-known/openid-configuration`, cached in sessionStorage
   *   for an hour
   */
  metadata?: AuthorizationServer;
  /**
   * Metadata fields laid over what discovery (or `metadata`) gives, for a provider whose discovery document lacks or
   * misstates an endpoint: `{ end_session_endpoint: 'https://id.example.com/logout' }`. Discovery still runs.
   * Endpoint values must be absolute http(s) URLs; `issuer` cannot be overridden.
   * @example { revocation_endpoint: 'https://id.example.com/oauth/revoke' }
   * @defaultValue {}
   */
  metadataOverrides?: Partial<Omit<AuthorizationServer, 'issuer'>>;
  /**
   * A `fetch` to use for every request to the provider (tests, instrumentation).
   * @defaultValue undefined: the global `fetch`
   */
  fetch?: typeof fetch;
  /**
   * Where the session lives between page loads. `memory` persists nothing; `indexeddb` keeps the refresh
   * token, encrypted with a non-extractable key, in IndexedDB so a reload needs no new login.
   * @defaultValue 'memory'
   */
  cache?: 'memory' | 'indexeddb';
  /**
   * Same-origin page for hidden-iframe `prompt=none` renewal (`dist/silent-callback.html` is one).
   * @defaultValue undefined: no iframe renewal
   */
  silentRedirectUri?: string;
  /**
   * With `silentRedirectUri`, try one silent iframe login on start-up when no session exists.
   * @defaultValue true
   */
  silentLoginOnStart?: boolean;
  /**
   * Verify ID-token signatures with the provider's JWKS (`jwks_uri`): at the code exchange, on every refresh that
   * returns an ID token, and for sessions adopted from another tab or from IndexedDB. Turn it off only for a provider
   * whose JWKS this origin cannot fetch (no CORS on `jwks_uri`) or that signs ID tokens with a shared secret (HS256);
   * sessions from other tabs and storage are then trusted on issuer, audience and subject alone.
   * @defaultValue true
   */
  verifyIdTokenSignature?: boolean;
  /**
   * Receives structured {@link DebugEvent}s (discovery, logins, callbacks, renewals and why, tab adoption, lock waits,
   * storage fallback, silent-login outcome). No event carries a token or a code.
   * @defaultValue undefined: no events
   * @example debug: (event) => console.debug('pkce-spa', event)
   */
  debug?: DebugListener;
  /**
   * Sender-constrained tokens (DPoP, RFC 9449): pass the `dpop` export (`import { dpop } from 'pkce-spa'`). Off by
   * default; an object rather than `true` so that apps without DPoP do not ship the proof signer (see docs/dpop.md).
   * @defaultValue undefined: Bearer tokens
   * @example createPkceClient({ issuer, clientId, redirectUri, dpop })
   */
  dpop?: DPoPSupport;
  /**
   * Pushed authorization requests (RFC 9126): push the authorization parameters to the provider first and send the
   * browser with `client_id` + `request_uri` only; on by itself when the provider's metadata says
   * `require_pushed_authorization_requests`.
   * @defaultValue false
   */
  par?: boolean;
  /**
   * Origins that {@link PkceClient.fetchWithAuth} may send tokens to (e.g. `https://api.example.com`). A request to any
   * other origin fails with `origin_not_allowed` and is not sent.
   * @defaultValue undefined: the page's own origin
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
  metadataOverrides: Partial<AuthorizationServer>;
  fetch: typeof fetch | undefined;
  cache: 'memory' | 'indexeddb';
  silentRedirectUri: string | undefined;
  silentLoginOnStart: boolean;
  verifyIdTokenSignature: boolean;
  debug: DebugListener | undefined;
  dpop: DPoPSupport | undefined;
  par: boolean;
  /** Origins (fetchWithAuth compares their `URL.origin`); undefined means the page's origin, read at call time. */
  apiOrigins: string[] | undefined;
  /** Plain http is allowed because the issuer is a loopback host. */
  allowHttp: boolean;
  /** Set by the client, not an option: sees each response of the provider and when its request was sent (seconds). */
  onResponse?: (response: Response, sentAt: number) => void;
  /** Set by the client, not an option: provider clock − device clock in seconds, for oauth4webapi's `clockSkew`. */
  clockSkewSeconds?: () => number;
}

/** Parameters the SDK sets itself; letting an app override them would break PKCE, state or nonce. */
const RESERVED = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'resource',
  'request',
  'request_uri',
  'dpop_jkt',
];

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is object => typeof v === 'object' && !!v;
const isUrl = (v: unknown): boolean =>
  isString(v) && URL.canParse(v) && /^https?:$/.test(new URL(v).protocol) && !new URL(v).hash;
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
  scope: [
    (v) => isString(v) && !v.includes(','),
    'a space-separated string, not comma-separated ("openid profile email")',
    'openid profile email',
  ],
  resource: [
    (v) => ([] as unknown[]).concat(v).every((r) => isString(r) && URL.canParse(r) && !new URL(r).hash),
    'an absolute URI or an array of them',
    [],
  ],
  authorizationParams: [isObject, 'an object of string values'],
  refreshTokens: [isBool, 'a boolean', true],
  silentLoginOnStart: [isBool, 'a boolean', true],
  verifyIdTokenSignature: [isBool, 'a boolean', true],
  leewaySeconds: [isCount, 'a number of seconds >= 0', 60],
  timeoutMs: [(v) => isCount(v) && (v as number) > 0, 'a number of milliseconds > 0', 10_000],
  cache: [(v) => v === 'memory' || v === 'indexeddb', '"memory" or "indexeddb"', 'memory'],
  metadata: [
    (v) => isObject(v) && isString((v as Metadata).authorization_endpoint) && isString((v as Metadata).token_endpoint),
    'authorization server metadata with authorization_endpoint and token_endpoint',
  ],
  metadataOverrides: [
    // Every *_endpoint and *_uri field must be a URL: a typo here would send tokens somewhere unexpected.
    (v) =>
      isObject(v) && !('issuer' in v) && Object.entries(v).every(([k, u]) => !/_endpoint$|_uri$/.test(k) || isUrl(u)),
    'metadata fields without issuer, *_endpoint and *_uri as http(s) URLs',
    {},
  ],
  fetch: [(v) => typeof v === 'function', 'a function'],
  debug: [(v) => typeof v === 'function', 'a function'],
  dpop: [(v) => isObject(v) && !!(v as DPoPSupport).createKey, 'the dpop export of pkce-spa'],
  par: [isBool, 'a boolean', false],
  apiOrigins: [(v) => Array.isArray(v) && v.every(isUrl), 'an array of origins (https://api.example.com)'],
};

/** Whether `url` is on a loopback host (allowed over plain http for development). */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

const show = (v: unknown): string => (isString(v) ? `"${v}"` : isObject(v) ? (JSON.stringify(v) ?? 'null') : String(v));

/**
 * Validates options once and applies defaults.
 * @throws {AuthError} `invalid_options`, naming the option.
 */
export function resolveOptions(input: ClientOptions): ResolvedOptions {
  if (!isObject(input)) throw invalidOption('options', 'must be an object with issuer, clientId and redirectUri');
  for (const [name, value] of Object.entries(input)) {
    const option = OPTIONS[name as keyof ClientOptions];
    if (!option) throw invalidOption(name, `is not a known option (known: ${Object.keys(OPTIONS).join(', ')})`);
    if (value !== undefined && !option[0](value))
      throw invalidOption(name, `must be ${option[1]} (got ${show(value)})`);
  }
  // Every option, given or defaulted; the ones that need more than a default are finished below.
  const o = {} as Record<string, unknown> & ResolvedOptions;
  for (const [name, [, valid, fallback]] of Object.entries(OPTIONS)) {
    o[name] = input[name as keyof ClientOptions] ?? fallback;
    if (o[name] === undefined && ['issuer', 'clientId', 'redirectUri'].includes(name))
      throw invalidOption(name, `is required (${valid})`);
  }
  const issuerUrl = (o.issuerUrl = new URL(o.issuer));
  o.allowHttp = isLoopback(issuerUrl);
  if (issuerUrl.protocol !== 'https:' && !o.allowHttp) {
    throw invalidOption(
      'issuer',
      `must use https; plain http is allowed only for localhost, 127.0.0.1 and [::1] (got "${o.issuer}")`,
    );
  }
  const metadata = o.metadata;
  if (
    metadata &&
    (!isString(metadata.issuer) || !URL.canParse(metadata.issuer) || new URL(metadata.issuer).href !== issuerUrl.href)
  ) {
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
    if (RESERVED.includes(key))
      throw invalidOption(`${name}.${key}`, 'is set by pkce-spa itself (use the scope and resource options)');
  }
  return params as Record<string, string>;
}
