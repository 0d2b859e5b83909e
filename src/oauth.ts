/**
 * The only module that imports oauth4webapi. It speaks the protocol and returns pkce-spa's own types, and it is the
 * one place where oauth4webapi's errors (and fetch failures) become {@link AuthError}s.
 */
import * as oauth from 'oauth4webapi';
import { AuthError } from './errors.js';
import { clearTimer, setTimer, nowSeconds, sessionStore } from './env.js';
import type { ResolvedOptions } from './options.js';
import type { DPoPSupport } from './dpop.js';

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

const client = (o: ResolvedOptions): oauth.Client => ({ client_id: o.clientId });

/**
 * The `fetch` for requests to the provider: adds the per-request timeout and turns a rejected fetch into
 * `network_error` and our own abort into `timeout`, at the source.
 */
export function providerFetch(o: ResolvedOptions): (url: string, init: RequestInit) => Promise<Response> {
  const send = o.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  return async (url: string, init: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimer(() => controller.abort(), o.timeoutMs);
    try {
      // Race the abort too: an injected fetch that ignores the signal must not hang the caller.
      return await Promise.race([send(url, { ...init, signal }), new Promise<never>((_, reject) => (signal.onabort = reject))]);
    } catch (cause) {
      throw new AuthError(
        signal.aborted ? 'timeout' : 'network_error',
        `${signal.aborted ? `No answer within timeoutMs (${o.timeoutMs} ms)` : 'Request failed (offline, or CORS does not allow this origin?)'}: ${url}`,
        { cause },
      );
    } finally {
      clearTimer(timer);
    }
  };
}

/**
 * Request options for oauth4webapi: {@link providerFetch}, and with the `dpop` option and a session key, the DPoP
 * handle that signs a proof for the request (RFC 9449 §5).
 * @param additionalParameters extra body parameters of a token or revocation request.
 */
function requestOptions(o: ResolvedOptions, additionalParameters: [string, string][] = [], key?: CryptoKeyPair): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.customFetch]: providerFetch(o) as never,
    [oauth.allowInsecureRequests]: o.allowHttp,
    additionalParameters,
    DPoP: key && o.dpop?.handle(key),
  };
}

/** Runs a token request; with DPoP, through {@link DPoPSupport.nonceRetry} (one retry on `use_dpop_nonce`). */
const nonceRetry = <T>(o: ResolvedOptions, key: CryptoKeyPair | undefined, request: () => Promise<T>): Promise<T> =>
  key && o.dpop ? o.dpop.nonceRetry(request) : request();

/** RFC 8707 `resource` parameters, one per resource. */
function resourceParams(resource: string[] | undefined): [string, string][] {
  return (resource ?? []).map((r) => ['resource', r]);
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
    const cached = JSON.parse(store!.getItem(key)!) as { at: number; as: Metadata };
    if (nowSeconds() - cached.at < METADATA_CACHE_SECONDS && new URL(cached.as.issuer).href === o.issuerUrl.href) return cached.as;
  } catch {
    // No store, no entry or a corrupt one: a cache miss.
  }
  const as = await call(async () =>
    oauth.processDiscoveryResponse(o.issuerUrl, await oauth.discoveryRequest(o.issuerUrl, requestOptions(o) as oauth.DiscoveryRequestOptions)),
  );
  try {
    store?.setItem(key, JSON.stringify({ at: nowSeconds(), as }));
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

/** `base` with `params` set in its query, skipping undefined values. */
function withParams(base: string, params: Record<string, string | undefined>): URL {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Builds the authorization request URL (RFC 6749 §4.1.1 with PKCE S256, RFC 7636 §4.3). */
export function authorizationUrl(
  as: Metadata,
  o: ResolvedOptions,
  p: { state: string; nonce: string; codeChallenge: string; redirectUri: string; extra: Record<string, string> },
): URL {
  const url = withParams(as.authorization_endpoint!, {
    ...o.authorizationParams,
    ...p.extra,
    client_id: o.clientId,
    redirect_uri: p.redirectUri,
    response_type: 'code',
    scope: o.scope,
    state: p.state,
    nonce: p.nonce,
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
  });
  for (const r of o.resource) url.searchParams.append('resource', r);
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
  key?: CryptoKeyPair,
): Promise<TokenResult> {
  // oauth4webapi reports a wrong `iss` with the same code as a wrong state, so check it ourselves (RFC 9207 §2.4).
  const iss = params.get('iss');
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported) {
    throw new AuthError('issuer_mismatch', `The callback's "iss" (${iss}) is not ${as.issuer}: a response from another server (mix-up)?`);
  }
  return call(async () => {
    const validated = oauth.validateAuthResponse(as, client(o), params, tx.state);
    return nonceRetry(o, key, async () => {
      const response = await oauth.authorizationCodeGrantRequest(as, client(o), oauth.None(), validated, tx.redirectUri, tx.codeVerifier, requestOptions(o, resourceParams(o.resource), key));
      return tokenResult(await oauth.processAuthorizationCodeResponse(as, client(o), await parseable(response), { expectedNonce: tx.nonce, requireIdToken: true }));
    });
  }, true);
}

/**
 * Refresh token grant (RFC 6749 §6). Rotation is the caller's business: it replaces the stored refresh token only
 * with what this returns, after it returned.
 * @throws {AuthError} the server's error code (`invalid_grant`, ...), `invalid_id_token`, `invalid_response`,
 *   `network_error`, `timeout`.
 */
export async function refresh(
  as: Metadata, o: ResolvedOptions, refreshToken: string, p: { scope?: string | undefined; resource?: string[] | undefined }, key?: CryptoKeyPair,
): Promise<TokenResult> {
  const extra = resourceParams(p.resource);
  if (p.scope) extra.push(['scope', p.scope]);
  return call(() => nonceRetry(o, key, async () => {
    const response = await oauth.refreshTokenGrantRequest(as, client(o), oauth.None(), refreshToken, requestOptions(o, extra, key));
    return tokenResult(await oauth.processRefreshTokenResponse(as, client(o), await parseable(response)));
  }), true);
}

/**
 * Revokes a refresh token (RFC 7009) when the provider advertises a revocation endpoint.
 * @throws {AuthError} `network_error`, `timeout`, or the server's error code.
 */
export async function revoke(as: Metadata, o: ResolvedOptions, token: string): Promise<void> {
  if (as.revocation_endpoint) {
    await call(async () => {
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client(o), oauth.None(), token, requestOptions(o, [['token_type_hint', 'refresh_token']])),
      );
    });
  }
}

/** The RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2), or undefined when not advertised. */
export function endSessionUrl(as: Metadata, o: ResolvedOptions, p: { idToken: string | undefined; returnTo: string | undefined }): URL | undefined {
  return as.end_session_endpoint
    ? withParams(as.end_session_endpoint, { client_id: o.clientId, id_token_hint: p.idToken, post_logout_redirect_uri: p.returnTo })
    : undefined;
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

function tokenResult(r: oauth.TokenEndpointResponse): TokenResult {
  return {
    accessToken: r.access_token,
    tokenType: r.token_type,
    expiresAt: r.expires_in === undefined ? undefined : nowSeconds() + r.expires_in,
    scope: r.scope,
    refreshToken: r.refresh_token,
    idToken: r.id_token,
    idTokenClaims: oauth.getValidatedIdTokenClaims(r) as IdTokenClaims | undefined,
  };
}

/**
 * Runs an oauth4webapi operation and maps what it throws to an {@link AuthError}, by type and code, never by message.
 * @param inTokenResponse the operation processes a token response, where JWT checks concern the ID token.
 */
async function call<T>(operation: () => Promise<T>, inTokenResponse = false): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    throw toAuthError(e, inTokenResponse);
  }
}

/** Maps an error from oauth4webapi (or our fetch wrapper) to an {@link AuthError}; see {@link call}. */
export function toAuthError(e: unknown, inTokenResponse = false): AuthError {
  if (e instanceof AuthError) return e;
  let code = 'invalid_response';
  let description: string | undefined;
  if (e instanceof oauth.ResponseBodyError || e instanceof oauth.AuthorizationResponseError) {
    code = e.error;
    description = e.error_description;
  } else if (e instanceof oauth.WWWAuthenticateChallengeError) {
    code = e.cause[0]?.parameters.error ?? code;
    description = e.cause[0]?.parameters.error_description;
  } else if (e instanceof oauth.OperationProcessingError) {
    // oauth4webapi attaches the claims it checked to every JWT failure; in a token response that JWT is the ID token.
    if ((e.cause as { claims?: unknown } | undefined)?.claims || (inTokenResponse && e.code === oauth.PARSE_ERROR)) code = 'invalid_id_token';
    else if (e.code === oauth.JSON_ATTRIBUTE_COMPARISON && !inTokenResponse) code = 'issuer_mismatch';
  }
  const message = description ?? (e instanceof Error ? e.message : String(e));
  return new AuthError(code, `The authorization server's answer: ${code}: ${message}`, { description, cause: e });
}
