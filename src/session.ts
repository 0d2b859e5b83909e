import { AuthError } from './errors.js';
import type { IdTokenClaims, TokenResult } from './oauth.js';
import { nowSeconds } from './env.js';
import { secondsLeft } from './clock.js';

/** Profile claims of the signed-in user: the ID token's claims without the protocol ones. */
export interface User {
  /** Subject: the provider's stable identifier of the user. */
  sub: string;
  /** Full name (OpenID Connect `profile` scope). */
  name?: string;
  /** Email address (OpenID Connect `email` scope). */
  email?: string;
  /** Whether the provider verified `email`. */
  email_verified?: boolean;
  [claim: string]: unknown;
}

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  /** Epoch seconds; undefined when the server did not say (treated as not expiring). */
  expiresAt: number | undefined;
  /** The lifetime the server gave (`expires_in`), in seconds; sets the renewal margin. Undefined in older records. */
  lifetimeSeconds?: number | undefined;
  scope: string | undefined;
}

/** One signed-in session. Replaced as a whole, never mutated, so a failed step cannot leave it half-written. */
export interface Session {
  refreshToken: string | undefined;
  idToken: string | undefined;
  claims: IdTokenClaims;
  user: User;
  /** Access tokens by {@link tokenKey}. */
  tokens: ReadonlyMap<string, AccessToken>;
  /** With the `dpop` option: the session's key pair (non-extractable private key) that its tokens are bound to. */
  dpopKey?: CryptoKeyPair | undefined;
}

const PROTOCOL_CLAIMS = [
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'azp',
  'auth_time',
  'sid',
  'acr',
  'amr',
  'jti',
];

/** The cache key of an access token: its scope and resource, normalised. */
export function tokenKey(scope?: string, resource?: string[]): string {
  const s = scope ? [...new Set(scope.split(/\s+/).filter(Boolean))].sort().join(' ') : '';
  return `${s}|${resource ? [...resource].sort().join(' ') : ''}`;
}

/** The smallest renewal margin, for latency and clock drift (capped at half the lifetime for very short tokens). */
export const MIN_LEEWAY_SECONDS = 5;

/**
 * How many seconds before its expiry a token is renewed: a tenth of its lifetime, at most `leewaySeconds`, at least
 * {@link MIN_LEEWAY_SECONDS}; `minTtlSeconds` when a caller asks for more. A token of unknown lifetime (a record
 * from an older version) keeps `leewaySeconds`.
 * @example renewalMargin({ lifetimeSeconds: 90, ... }, 60) // 9: a 90 s token is used for 81 s, not 30 s
 */
export function renewalMargin(token: AccessToken, leewaySeconds: number, minTtlSeconds = 0): number {
  const life = token.lifetimeSeconds;
  const margin =
    life === undefined
      ? leewaySeconds
      : Math.max(Math.min(leewaySeconds, life / 10), Math.min(MIN_LEEWAY_SECONDS, life / 2));
  return Math.max(margin, minTtlSeconds);
}

/** Whether a token has more than its renewal margin (see {@link renewalMargin}) left. */
export function isFresh(
  token: AccessToken | undefined,
  minTtlSeconds: number,
  leewaySeconds: number,
): token is AccessToken {
  return !!token && secondsLeft(token) > renewalMargin(token, leewaySeconds, minTtlSeconds);
}

/** Whether a token has not expired yet: what a caller gets while renewal is failing or paused. */
export function isUnexpired(token: AccessToken | undefined): token is AccessToken {
  return !!token && secondsLeft(token) > 0;
}

/** The user profile claims of an ID token. */
export function userFromClaims(claims: IdTokenClaims): User {
  const user: Record<string, unknown> = { ...claims };
  for (const c of PROTOCOL_CLAIMS) delete user[c];
  return user as User;
}

/** Builds the next session from a token response: nothing of the previous one is changed. */
export function nextSession(
  prev: Session | undefined,
  key: string,
  r: TokenResult,
  keepRefreshToken: boolean,
): Session {
  const claims = r.idTokenClaims ?? prev?.claims;
  if (!claims) throw new AuthError('invalid_response', 'The token response has no ID token to start a session from');
  const tokens = new Map(prev?.tokens);
  // expires_in, whole seconds (RFC 6749 §5.1): expiresAt was set from it moments ago.
  const lifetimeSeconds = r.expiresAt === undefined ? undefined : Math.round(r.expiresAt - nowSeconds());
  tokens.set(key, {
    accessToken: r.accessToken,
    tokenType: r.tokenType,
    expiresAt: r.expiresAt,
    lifetimeSeconds,
    scope: r.scope,
  });
  return {
    refreshToken: keepRefreshToken ? (r.refreshToken ?? prev?.refreshToken) : undefined,
    idToken: r.idToken ?? prev?.idToken,
    claims,
    user: r.idTokenClaims ? userFromClaims(r.idTokenClaims) : prev!.user,
    tokens,
    dpopKey: prev?.dpopKey,
  };
}
