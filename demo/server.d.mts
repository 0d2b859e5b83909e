// Type declarations for demo/server.mjs (plain ESM JavaScript).

export interface StaticDir {
  /** URL prefix, starting and ending with "/", e.g. "/e2e/". */
  prefix: string;
  /** Absolute directory served under `prefix`. */
  dir: string;
}

export interface StartDemoOptions {
  /** Port of the OpenID Provider; 0 (default) picks a free one. */
  opPort?: number;
  /** Port of the demo app server; 0 (default) picks a free one. */
  appPort?: number;
  /** Access token lifetime in whole seconds. Default: env ACCESS_TOKEN_TTL or 120. */
  accessTokenTtlSeconds?: number;
  /** Silence oidc-provider's development notices. Default true. */
  quiet?: boolean;
  /** Print oidc-provider's development notices (in-memory adapter, devInteractions). Default: !quiet. */
  providerNotices?: boolean;
  /** Directory served at /dist/. Default: <repo>/dist. */
  distDir?: string;
  /** Additional static directories, e.g. [{ prefix: '/e2e/', dir }]. */
  extraStaticDirs?: StaticDir[];
  /**
   * Other apps the provider accepts (redirect + post-logout URI, CORS): an origin registers `<origin>/`, a URL with a
   * path registers that URL. Default: env DEMO_ORIGINS (comma- or space-separated).
   */
  extraOrigins?: string[];
}

/** Splits a DEMO_ORIGINS value (comma- or space-separated). */
export function parseOrigins(value: string): string[];

/** Request counters. All but `api` count requests that reached the OP (OPTIONS excluded). */
export interface DemoStats {
  /** GET/POST /auth (not the /auth/:uid resume hops). */
  authorize: number;
  /** POST /token, any grant type, any outcome. */
  token: number;
  /** /.well-known/openid-configuration and /.well-known/oauth-authorization-server. */
  discovery: number;
  /** /token/revocation */
  revocation: number;
  /** /session/end (not /session/end/confirm). */
  endSession: number;
  /** /jwks */
  jwks: number;
  /** /me */
  userinfo: number;
  /** Token endpoint requests by grant_type (successes and errors). */
  tokenByGrant: { authorization_code: number; refresh_token: number; [grantType: string]: number };
  /** Token endpoint responses with error=invalid_grant. */
  invalidGrant: number;
  /** Requests to /api/protected and the other /api/ routes on the app server. */
  api: number;
  /** Pushed authorization requests (POST /request). */
  par: number;
  /** /api/ requests (other than /api/protected) by Authorization scheme. */
  apiScheme: { Bearer: number; DPoP: number };
  /** /api/ refusals by reason: replayed_proof, wrong_ath, wrong_key, nonce_required, always_invalid, step_up, ... */
  apiRefused: Record<string, number>;
  /** /api/res/<name>/ requests by the audience of the token they carried. */
  apiAudience: Record<string, number>;
}

/** Subset of an oidc-provider AccessToken instance. */
export interface DemoAccessToken {
  jti: string;
  accountId: string;
  clientId: string;
  grantId?: string;
  scope?: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat: number;
  readonly isExpired: boolean;
  destroy(): Promise<void>;
  [key: string]: unknown;
}

/**
 * The oidc-provider Provider instance (oidc-provider ships no typings; this
 * lists what tests typically use).
 */
export interface DemoProvider {
  readonly issuer: string;
  AccessToken: { find(value: string, options?: { ignoreExpiration?: boolean }): Promise<DemoAccessToken | undefined> };
  RefreshToken: {
    find(
      value: string,
      options?: { ignoreExpiration?: boolean },
    ): Promise<(DemoAccessToken & { consumed?: number }) | undefined>;
  };
  Grant: {
    find(
      id: string,
    ): Promise<{ jti: string; accountId: string; clientId: string; destroy(): Promise<void> } | undefined>;
  };
  Session: { findByUid(uid: string): Promise<unknown> };
  on(event: string, listener: (...args: never[]) => void): this;
  off(event: string, listener: (...args: never[]) => void): this;
  once(event: string, listener: (...args: never[]) => void): this;
  [key: string]: unknown;
}

/** JSON body of a successful GET /api/protected. */
export interface ProtectedApiResponse {
  ok: true;
  sub: string;
  scope: string;
  /** Access token expiry, seconds since the epoch. */
  expiresAt: number;
}

export interface DemoServers {
  /** e.g. "http://localhost:4400" (no trailing slash). */
  issuer: string;
  /** e.g. "http://localhost:4401" (no trailing slash). */
  appUrl: string;
  /** Always "pkce-spa-demo". */
  clientId: string;
  /** "pkce-spa-dpop": DPoP-bound access tokens and pushed authorization requests required. */
  dpopClientId: string;
  provider: DemoProvider;
  /** A snapshot (copy) of the counters. */
  stats(): DemoStats;
  resetStats(): void;
  /** Closes every listener and open connection; resolves when all are closed. Idempotent. */
  close(): Promise<void>;
}

export function startDemo(opts?: StartDemoOptions): Promise<DemoServers>;
