import { AuthError } from './errors.js';
import type { IdTokenClaims, TokenResult } from './oauth.js';
import { nowSeconds } from './env.js';

/** Profile claims of the signed-in user: the ID token's claims without the protocol ones. */
export interface User {
  sub: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  [claim: string]: unknown;
}

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  /** Epoch seconds; undefined when the server did not say (treated as not expiring). */
  expiresAt: number | undefined;
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

const PROTOCOL_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'at_hash', 'c_hash', 's_hash', 'azp', 'auth_time', 'sid', 'acr', 'amr', 'jti'];

/** The cache key of an access token: its scope and resource, normalised. */
export function tokenKey(scope?: string, resource?: string[]): string {
  const s = scope ? [...new Set(scope.split(/\s+/).filter(Boolean))].sort().join(' ') : '';
  return `${s}|${resource ? [...resource].sort().join(' ') : ''}`;
}

/** Whether a token has more than `minTtlSeconds` left. */
export function isFresh(token: AccessToken | undefined, minTtlSeconds: number, now = nowSeconds()): token is AccessToken {
  return !!token && (token.expiresAt === undefined || token.expiresAt - now > minTtlSeconds);
}

/** The user profile claims of an ID token. */
export function userFromClaims(claims: IdTokenClaims): User {
  const user: Record<string, unknown> = { ...claims };
  for (const c of PROTOCOL_CLAIMS) delete user[c];
  return user as User;
}

/** Builds the next session from a token response: nothing of the previous one is changed. */
export function nextSession(prev: Session | undefined, key: string, r: TokenResult, keepRefreshToken: boolean): Session {
  const claims = r.idTokenClaims ?? prev?.claims;
  if (!claims) throw new AuthError('invalid_response', 'The token response has no ID token to start a session from');
  const tokens = new Map(prev?.tokens);
  tokens.set(key, { accessToken: r.accessToken, tokenType: r.tokenType, expiresAt: r.expiresAt, scope: r.scope });
  return {
    refreshToken: keepRefreshToken ? (r.refreshToken ?? prev?.refreshToken) : undefined,
    idToken: r.idToken ?? prev?.idToken,
    claims,
    user: r.idTokenClaims ? userFromClaims(r.idTokenClaims) : prev!.user,
    tokens,
    dpopKey: prev?.dpopKey,
  };
}
