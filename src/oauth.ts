/**
 * The only module that imports oauth4webapi. It speaks the protocol and returns pkce-spa's own types, and it is the
 * one place where oauth4webapi's errors (and fetch failures) become {@link AuthError}s.
 */
import * as oauth from 'oauth4webapi';
import { AuthError } from './errors.js';
import { clearTimer, setTimer, nowSeconds, sessionStore } from './env.js';
import type { ResolvedOptions } from './options.js';

export type Metadata = oauth.AuthorizationServer;

/** Claims of a validated ID token. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  [claim: string]: unknown;
}

/** A validated token endpoint response, in our shape. */
export interface TokenResult {
  accessToken: string;
  tokenType: string;
  /** Epoch seconds, or undefined when the server sent no `expires_in`. */
  expiresAt: number | undefined;
  scope: string | undefined;
  refreshToken: string | undefined;
  idToken: string | undefined;
  idTokenClaims: IdTokenClaims | undefined;
}

const METADATA_CACHE_SECONDS = 3600;

function client(o: ResolvedOptions): oauth.Client {
  return { client_id: o.clientId };
}

/**
 * The `fetch` we hand to oauth4webapi: adds the per-request timeout and turns a rejected fetch into
 * `network_error` and our own abort into `timeout`, at the source.
 */
function requestOptions(o: ResolvedOptions): oauth.HttpRequestOptions<'GET' | 'POST', any> {
  const send = o.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const customFetch = async (url: string, init: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    let timer;
    // Race the abort too: an injected fetch that ignores the signal must not hang the caller.
    const expired = new Promise<never>((_, reject) => {
      timer = setTimer(() => {
        controller.abort();
        reject(new Error('aborted'));
      }, o.timeoutMs);
    });
    try {
      return await Promise.race([send(url, { ...init, signal: controller.signal }), expired]);
    } catch (cause) {
      if (controller.signal.aborted) {
        throw new AuthError('timeout', `The request to ${new URL(url).pathname} took longer than timeoutMs (${o.timeoutMs} ms)`, { cause });
      }
      throw new AuthError('network_error', `The request to ${url} failed: is the issuer reachable, and does it allow this origin (CORS)?`, { cause });
    } finally {
      clearTimer(timer);
    }
  };
  return { [oauth.customFetch]: customFetch as never, [oauth.allowInsecureRequests]: o.allowHttp };
}

/**
 * Discovers the provider's metadata (OpenID Connect Discovery / RFC 8414), cached in sessionStorage for an hour so a
 * page load does not pay a round trip. Uses `options.metadata` when given.
 * @throws {AuthError} `issuer_mismatch`, `invalid_response`, `network_error`, `timeout`.
 */
export async function discover(o: ResolvedOptions): Promise<Metadata> {
  if (o.metadata) return o.metadata;
  const key = `pkce-spa:metadata:${o.issuer}`;
  const store = sessionStore();
  try {
    const cached = JSON.parse(store?.getItem(key) ?? 'null') as { savedAt: number; as: Metadata } | null;
    if (cached && nowSeconds() - cached.savedAt < METADATA_CACHE_SECONDS && new URL(cached.as.issuer).href === o.issuerUrl.href) {
      return cached.as;
    }
  } catch {
    // A corrupt cache entry is just a cache miss.
  }
  const as = await call(async () => {
    const response = await oauth.discoveryRequest(o.issuerUrl, { ...requestOptions(o), algorithm: 'oidc' });
    return oauth.processDiscoveryResponse(o.issuerUrl, response);
  });
  try {
    store?.setItem(key, JSON.stringify({ savedAt: nowSeconds(), as }));
  } catch {
    // Storage full or refused: discovery still worked.
  }
  return as;
}

/** PKCE verifier (RFC 7636 §4.1), its S256 challenge, state and nonce for one login. */
export async function createLoginSecrets(): Promise<{ state: string; nonce: string; codeVerifier: string; codeChallenge: string }> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  return {
    codeVerifier,
    codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
  };
}

/** Builds the authorization request URL (RFC 6749 §4.1.1 with PKCE S256, RFC 7636 §4.3). */
export function authorizationUrl(
  as: Metadata,
  o: ResolvedOptions,
  p: { state: string; nonce: string; codeChallenge: string; redirectUri: string; extra: Record<string, string> },
): URL {
  if (!as.authorization_endpoint) throw new AuthError('invalid_response', 'The provider metadata has no authorization_endpoint');
  const url = new URL(as.authorization_endpoint);
  const q = url.searchParams;
  for (const [k, v] of Object.entries({ ...o.authorizationParams, ...p.extra })) q.set(k, v);
  q.set('client_id', o.clientId);
  q.set('redirect_uri', p.redirectUri);
  q.set('response_type', 'code');
  q.set('scope', o.scope);
  q.set('state', p.state);
  q.set('nonce', p.nonce);
  q.set('code_challenge', p.codeChallenge);
  q.set('code_challenge_method', 'S256');
  for (const r of o.resource) q.append('resource', r);
  return url;
}

/**
 * Validates the authorization response in `params` (RFC 6749 §4.1.2, RFC 9207) and exchanges its code
 * (RFC 6749 §4.1.3 with the PKCE verifier), validating the ID token and its nonce.
 * @throws {AuthError} the server's error code, `issuer_mismatch`, `invalid_id_token`, `invalid_response`,
 *   `network_error`, `timeout`.
 */
export async function exchangeCode(
  as: Metadata,
  o: ResolvedOptions,
  params: URLSearchParams,
  tx: { state: string; nonce: string; codeVerifier: string; redirectUri: string },
): Promise<TokenResult> {
  // oauth4webapi reports a wrong `iss` with the same code as a wrong state, so check it ourselves (RFC 9207 §2.4).
  const iss = params.get('iss');
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported === true) {
    throw new AuthError('issuer_mismatch', iss === null
      ? `The callback has no "iss" parameter although ${as.issuer} advertises RFC 9207; the response may come from another server (mix-up attack)`
      : `The callback's "iss" parameter "${iss}" is not the configured issuer "${as.issuer}"`);
  }
  return call(async () => {
    const validated = oauth.validateAuthResponse(as, client(o), params, tx.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as, client(o), oauth.None(), validated, tx.redirectUri, tx.codeVerifier,
      { ...requestOptions(o), additionalParameters: resourceParams(o.resource) },
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client(o), await parseable(response), {
      expectedNonce: tx.nonce,
      requireIdToken: o.scope.split(' ').includes('openid'),
    });
    return toTokenResult(result);
  }, true);
}

/**
 * Refresh token grant (RFC 6749 §6). Rotation is the caller's business: it replaces the stored refresh token only
 * with what this returns, after it returned.
 * @throws {AuthError} the server's error code (`invalid_grant`, ...), `invalid_id_token`, `invalid_response`,
 *   `network_error`, `timeout`.
 */
export async function refresh(
  as: Metadata,
  o: ResolvedOptions,
  refreshToken: string,
  p: { scope?: string | undefined; resource?: string[] | undefined },
): Promise<TokenResult> {
  return call(async () => {
    const extra = resourceParams(p.resource ?? []);
    if (p.scope) extra.push(['scope', p.scope]);
    const response = await oauth.refreshTokenGrantRequest(as, client(o), oauth.None(), refreshToken, {
      ...requestOptions(o),
      additionalParameters: extra,
    });
    return toTokenResult(await oauth.processRefreshTokenResponse(as, client(o), await parseable(response)));
  }, true);
}

/**
 * Revokes a token (RFC 7009) when the provider advertises a revocation endpoint; returns whether it did.
 * @throws {AuthError} `network_error`, `timeout`, or the server's error code.
 */
export async function revoke(as: Metadata, o: ResolvedOptions, token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean> {
  if (!as.revocation_endpoint) return false;
  await call(async () => {
    const response = await oauth.revocationRequest(as, client(o), oauth.None(), token, {
      ...requestOptions(o),
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
  });
  return true;
}

/** The RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2), or undefined when not advertised. */
export function endSessionUrl(
  as: Metadata,
  o: ResolvedOptions,
  p: { idToken: string | undefined; returnTo: string | undefined },
): URL | undefined {
  if (!as.end_session_endpoint) return undefined;
  const url = new URL(as.end_session_endpoint);
  url.searchParams.set('client_id', o.clientId);
  if (p.idToken) url.searchParams.set('id_token_hint', p.idToken);
  if (p.returnTo) url.searchParams.set('post_logout_redirect_uri', p.returnTo);
  return url;
}

/**
 * Fails with `invalid_response` when a token endpoint body is not JSON (a proxy's error page, say): oauth4webapi reports
 * that with the same code as an unparsable ID token, which we map to `invalid_id_token`.
 */
async function parseable(response: Response): Promise<Response> {
  try {
    await response.clone().json();
  } catch (cause) {
    throw new AuthError('invalid_response', `The token endpoint answered ${response.status} with a body that is not JSON`, { cause });
  }
  return response;
}

function resourceParams(resource: string[]): [string, string][] {
  return resource.map((r) => ['resource', r]);
}

function toTokenResult(r: oauth.TokenEndpointResponse): TokenResult {
  const claims = oauth.getValidatedIdTokenClaims(r) as IdTokenClaims | undefined;
  return {
    accessToken: r.access_token,
    tokenType: r.token_type,
    expiresAt: typeof r.expires_in === 'number' ? nowSeconds() + r.expires_in : undefined,
    scope: r.scope,
    refreshToken: r.refresh_token,
    idToken: r.id_token,
    idTokenClaims: claims,
  };
}

/** Runs an oauth4webapi operation and maps whatever it throws to an {@link AuthError}. */
async function call<T>(operation: () => Promise<T>, tokenResponse = false): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    throw toAuthError(e, tokenResponse);
  }
}

/**
 * Maps an error from oauth4webapi (or our fetch wrapper) to an {@link AuthError}, by type and code, never by message.
 * @param inTokenResponse the error came from processing a token response, where JWT checks concern the ID token.
 */
export function toAuthError(e: unknown, inTokenResponse = false): AuthError {
  if (e instanceof AuthError) return e;
  const fail = (code: string, message: string, description?: string): AuthError => new AuthError(code, message, { description, cause: e });
  if (e instanceof oauth.ResponseBodyError || e instanceof oauth.AuthorizationResponseError) {
    return fail(e.error, `The authorization server answered ${e.error}${e.error_description ? `: ${e.error_description}` : ''}`, e.error_description);
  }
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = e.cause[0]?.parameters;
    return fail(challenge?.error ?? 'invalid_response', `The authorization server answered ${e.response.status} ${challenge?.error ?? ''}`, challenge?.error_description);
  }
  if (e instanceof oauth.OperationProcessingError) {
    // oauth4webapi attaches the claims it checked to every JWT failure; in a token response that JWT is the ID token.
    if ((e.cause as { claims?: unknown } | undefined)?.claims !== undefined || (inTokenResponse && e.code === oauth.PARSE_ERROR)) {
      return fail('invalid_id_token', `The ID token is invalid: ${e.message}`);
    }
    if (e.code === oauth.JSON_ATTRIBUTE_COMPARISON && !inTokenResponse) return fail('issuer_mismatch', e.message);
  }
  return fail('invalid_response', `The authorization server's response is invalid: ${e instanceof Error ? e.message : String(e)}`);
}
