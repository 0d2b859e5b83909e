/**
 * The only module that imports oauth4webapi. It speaks the protocol and returns pkce-spa's own types, and it is the
 * one place where oauth4webapi's errors (and fetch failures) become {@link AuthError}s.
 */
import * as oauth from 'oauth4webapi';
import { AuthError } from './errors.js';
import { clearTimer, setTimer, nowSeconds } from './env.js';
import { cachedJwks, cachedMetadata, saveJwks, saveMetadata } from './storage/provider-cache.js';
import type { ResolvedOptions } from './options.js';
import { debug } from './debug.js';

/** Authorization server metadata (RFC 8414 / OpenID Connect Discovery), as oauth4webapi types it. */
export type Metadata = oauth.AuthorizationServer;

/** Claims of a validated ID token. */
export interface IdTokenClaims {
  /** Issuer: equals the `issuer` option. */
  iss: string;
  /** Subject: the provider's stable identifier of the user. */
  sub: string;
  /** Audience: contains the client id. */
  aud: string | string[];
  /** Expiry, epoch seconds. */
  exp: number;
  /** Issued at, epoch seconds. */
  iat: number;
  /** The nonce of the login that produced this ID token. */
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

// clockSkew: ID token timestamps (exp, nbf, auth_time) are checked on the provider's clock (see clock.ts).
const client = (options: ResolvedOptions): oauth.Client => ({
  client_id: options.clientId,
  [oauth.clockSkew]: options.clockSkewSeconds?.(),
});

/**
 * The `fetch` for requests to the provider: runs the whole request, body included, under `timeoutMs` (a body that
 * stalls after the headers must not hang a renewal, which may hold the cross-tab lock), turns a rejected fetch into
 * `network_error` and our own abort into `timeout`, at the source.
 * @param isDiscovery follow redirects, but only within the issuer's origin (django-oauth-toolkit answers the
 *   slash-less discovery URL with a 301 to its trailing-slash URL); every other request keeps oauth4webapi's
 *   `redirect: 'manual'`.
 */
export function providerFetch(
  options: ResolvedOptions,
  isDiscovery = false,
): (url: string, init: RequestInit) => Promise<Response> {
  const send = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  return async (url: string, init: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimer(() => controller.abort(), options.timeoutMs);
    // Race the abort too: an injected fetch (or a body stream) that ignores the signal must not hang the caller.
    const aborted = new Promise<never>((_, reject) => (signal.onabort = () => reject(signal.reason)));
    const sentAt = nowSeconds();
    let response: Response;
    let body: ArrayBuffer | null;
    try {
      response = await Promise.race([
        send(url, { ...init, signal, ...(isDiscovery && { redirect: 'follow' }) }),
        aborted,
      ]);
      // No body: an opaque redirect (status 0, redirect: 'manual' in a browser), a 204, ...
      body = response.body ? await Promise.race([response.arrayBuffer(), aborted]) : null;
      options.onResponse?.(response, sentAt); // the provider's clock and Retry-After (clock.ts, backoff.ts)
    } catch (cause) {
      throw signal.aborted
        ? new AuthError('timeout', `No answer from ${url} within timeoutMs (${options.timeoutMs} ms)`, {
            cause: readableError('TimeoutError', `aborted after ${options.timeoutMs} ms`),
          })
        : new AuthError(
            'network_error',
            `Could not reach ${url}: offline, a wrong URL, or CORS does not allow ` +
              (globalThis.location?.origin ?? 'this origin'),
            { cause },
          );
    } finally {
      clearTimer(timer);
    }
    if (isDiscovery && response.url && new URL(response.url).origin !== new URL(url).origin) {
      throw new AuthError(
        'invalid_response',
        `Discovery at ${url} was redirected to ${response.url}, another origin: ` +
          "use that server's issuer, or the metadata option",
      );
    }
    if (!response.status) return response;
    const copy = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    // The final URL, for messages (a new Response has none).
    Object.defineProperty(copy, 'url', { value: response.url || url });
    return copy;
  };
}

/**
 * Request options for oauth4webapi: {@link providerFetch}, and with the `dpop` option and a session key, the DPoP
 * handle that signs a proof for the request (RFC 9449 §5).
 * `additionalParameters` are extra body parameters of a token or revocation request; `isDiscovery` marks the
 * discovery request (see {@link providerFetch}).
 */
function requestOptions(
  options: ResolvedOptions,
  {
    additionalParameters = [],
    key,
    isDiscovery = false,
  }: { additionalParameters?: [string, string][]; key?: CryptoKeyPair | undefined; isDiscovery?: boolean } = {},
): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.customFetch]: providerFetch(options, isDiscovery) as never,
    [oauth.allowInsecureRequests]: options.allowHttp,
    additionalParameters,
    DPoP: key && options.dpop?.handle(key),
  };
}

/** An Error whose name survives minification (the CDN build renames classes) and that carries nothing else. */
function readableError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Runs a token request; with DPoP, through the `dpop` option's `nonceRetry` (one retry on `use_dpop_nonce`). */
const nonceRetry = <T>(
  options: ResolvedOptions,
  key: CryptoKeyPair | undefined,
  request: () => Promise<T>,
): Promise<T> => (key && options.dpop ? options.dpop.nonceRetry(request) : request());

/** RFC 8707 `resource` parameters, one per resource. */
function resourceParams(resource: string[] | undefined): [string, string][] {
  return (resource ?? []).map((r) => ['resource', r]);
}

/**
 * Discovers the provider's metadata (OpenID Connect Discovery / RFC 8414), cached in sessionStorage for an hour so a
 * page load does not pay a round trip. Uses `options.metadata` when given; `options.metadataOverrides` are laid over
 * either.
 * @throws {AuthError} `issuer_mismatch`, `invalid_response`, `network_error`, `timeout`; each message names the URL.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export async function discover(options: ResolvedOptions): Promise<Metadata> {
  if (options.metadata) debug(options, { type: 'discovery', source: 'options' });
  return { ...(options.metadata ?? (await discovered(options))), ...options.metadataOverrides };
}

async function discovered(options: ResolvedOptions): Promise<Metadata> {
  const cached = cachedMetadata<Metadata>(options.issuer, options.issuerUrl);
  if (cached) {
    debug(options, { type: 'discovery', source: 'cache' });
    return cached;
  }
  debug(options, { type: 'discovery', source: 'network' });
  const response = await call(() =>
    oauth.discoveryRequest(
      options.issuerUrl,
      requestOptions(options, { isDiscovery: true }) as oauth.DiscoveryRequestOptions,
    ),
  );
  const where = `Discovery at ${response.url}`;
  let json: { issuer?: unknown } | undefined;
  try {
    json = response.status === 200 ? await response.clone().json() : undefined;
  } catch {
    // Not JSON: said below.
  }
  if (!json)
    throw new AuthError(
      'invalid_response',
      `${where} answered HTTP ${response.status}${response.status === 200 ? ', not JSON' : ''}: ` +
        'check the issuer option',
    );
  const { issuer } = json;
  if (typeof issuer !== 'string' || !URL.canParse(issuer)) {
    throw new AuthError(
      'invalid_response',
      `${where} is not a discovery document (no "issuer"): check the issuer option, or pass the metadata option`,
    );
  }
  if (new URL(issuer).href !== options.issuerUrl.href) {
    // OpenID Connect Discovery §4.3: the issuer must be exactly the one we asked for (a trailing slash counts).
    throw new AuthError(
      'issuer_mismatch',
      `${where} names the issuer "${issuer}", not "${options.issuer}": set the issuer option to "${issuer}"`,
    );
  }
  const as = await call(() => oauth.processDiscoveryResponse(options.issuerUrl, response));
  saveMetadata(options.issuer, as);
  return as;
}

/** PKCE verifier (RFC 7636 §4.1), its S256 challenge, state and nonce for one login. */
export async function createLoginSecrets(): Promise<{
  state: string;
  nonce: string;
  codeVerifier: string;
  codeChallenge: string;
}> {
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
  options: ResolvedOptions,
  request: { state: string; nonce: string; codeChallenge: string; redirectUri: string; extra: Record<string, string> },
): URL {
  const url = withParams(as.authorization_endpoint!, {
    ...options.authorizationParams,
    ...request.extra,
    client_id: options.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: options.scope,
    state: request.state,
    nonce: request.nonce,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  });
  for (const r of options.resource) url.searchParams.append('resource', r);
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
  options: ResolvedOptions,
  params: URLSearchParams,
  tx: { state: string; nonce: string; codeVerifier: string; redirectUri: string; maxAge?: number | undefined },
  key?: CryptoKeyPair,
): Promise<TokenResult> {
  // oauth4webapi reports a wrong `iss` with the same code as a wrong state, so check it ourselves (RFC 9207 §2.4).
  const iss = params.get('iss');
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported) {
    throw new AuthError(
      'issuer_mismatch',
      `The callback's "iss" (${iss}) is not ${as.issuer}: a response from another server (mix-up)?`,
    );
  }
  return call(async () => {
    const validated = oauth.validateAuthResponse(as, client(options), params, tx.state);
    // The signing keys load while the code is exchanged: no extra round trip before the token is in hand.
    const keys = prefetchSigningKeys(as, options);
    const { response, body } = await nonceRetry(options, key, async () => {
      const response = await parseable(
        await oauth.authorizationCodeGrantRequest(
          as,
          client(options),
          oauth.None(),
          validated,
          tx.redirectUri,
          tx.codeVerifier,
          requestOptions(options, { additionalParameters: resourceParams(options.resource), key }),
        ),
      );
      const body = await oauth.processAuthorizationCodeResponse(as, client(options), response, {
        expectedNonce: tx.nonce,
        requireIdToken: true,
        maxAge: tx.maxAge ?? oauth.skipAuthTimeCheck,
      });
      return { response, body };
    });
    await keys;
    await checkSignature(as, options, response);
    return tokenResult(options, body);
  }, IN_TOKEN_RESPONSE);
}

/**
 * Refresh token grant (RFC 6749 §6). Rotation is the caller's business: it replaces the stored refresh token only
 * with what this returns, after it returned. A new ID token is validated and its signature verified.
 * @throws {AuthError} the server's error code (`invalid_grant`, ...), `invalid_id_token`, `invalid_response`,
 *   `network_error`, `timeout`.
 */
export async function refresh(
  as: Metadata,
  options: ResolvedOptions,
  refreshToken: string,
  grant: { scope?: string | undefined; resource?: string[] | undefined },
  key?: CryptoKeyPair,
): Promise<TokenResult> {
  const extra = resourceParams(grant.resource);
  if (grant.scope) extra.push(['scope', grant.scope]);
  return call(async () => {
    const { response, body } = await nonceRetry(options, key, async () => {
      const response = await parseable(
        await oauth.refreshTokenGrantRequest(
          as,
          client(options),
          oauth.None(),
          refreshToken,
          requestOptions(options, { additionalParameters: extra, key }),
        ),
      );
      return { response, body: await oauth.processRefreshTokenResponse(as, client(options), response) };
    });
    if (body.id_token) await checkSignature(as, options, response);
    return tokenResult(options, body);
  }, IN_TOKEN_RESPONSE);
}

/**
 * Checks an ID token that did not come from this tab's own token request (another tab, IndexedDB) the way the token
 * endpoint's are checked: signature against the provider's JWKS, `alg`, `iss`, `aud`, `azp`, `iat`. Its expiry is not
 * checked: a session outlives its first ID token, and the refresh token decides whether it is still alive.
 * @returns the token's claims (the only claims a session adopted from elsewhere may carry).
 * @throws {AuthError} `invalid_id_token`; `network_error` or `timeout` when the JWKS cannot be fetched.
 */
export async function verifyIdToken(as: Metadata, options: ResolvedOptions, idToken: string): Promise<IdTokenClaims> {
  // oauth4webapi validates ID tokens only inside a token response, so hand it one that carries this token alone.
  const response = new Response(JSON.stringify({ access_token: '-', token_type: 'bearer', id_token: idToken }), {
    headers: { 'content-type': 'application/json' },
  });
  return call(async () => {
    const body = await oauth.processRefreshTokenResponse(
      as,
      { ...client(options), [oauth.clockTolerance]: Number.MAX_SAFE_INTEGER },
      response,
    );
    await checkSignature(as, options, response);
    return idTokenClaims(options, body)!;
  }, IN_TOKEN_RESPONSE);
}

/** JWKS per issuer: in memory, and in sessionStorage (storage/provider-cache.ts), so a reload needs no request. */
const signingKeys = new Map<string, Promise<oauth.JWKSCacheInput>>();

/** Starts loading the JWKS unless it is cached or signatures are not checked; never rejects. */
function prefetchSigningKeys(as: Metadata, options: ResolvedOptions): Promise<unknown> {
  return options.verifyIdTokenSignature && as.jwks_uri
    ? signingKeysFor(as, options).catch(() => undefined)
    : Promise.resolve();
}

/** The provider's JWKS: cached, or fetched from `jwks_uri` (`reload`: fetched again, for a key it did not have). */
function signingKeysFor(as: Metadata, options: ResolvedOptions, reload = false): Promise<oauth.JWKSCacheInput> {
  const key = options.issuerUrl.href;
  let keys = reload ? undefined : signingKeys.get(key);
  if (!keys) {
    const stored = reload ? undefined : cachedJwks<oauth.JWKSCacheInput>(options.issuerUrl);
    keys = stored ? Promise.resolve(stored) : fetchSigningKeys(as, options);
    signingKeys.set(key, keys);
    keys.catch(() => signingKeys.delete(key));
  }
  return keys;
}

async function fetchSigningKeys(as: Metadata, options: ResolvedOptions): Promise<oauth.JWKSCacheInput> {
  if (!as.jwks_uri) {
    throw new AuthError(
      'invalid_id_token',
      `${options.issuer} advertises no jwks_uri, so ID-token signatures cannot be verified: add it with ` +
        'metadataOverrides, or set verifyIdTokenSignature: false if the provider cannot publish its keys',
    );
  }
  const send = providerFetch(options);
  const response = await send(as.jwks_uri, {
    method: 'GET',
    headers: { accept: 'application/json, application/jwk-set+json' },
  });
  const jwks = (await response.json().catch(() => undefined)) as { keys?: unknown } | undefined;
  if (response.status !== 200 || !Array.isArray(jwks?.keys)) {
    throw new AuthError(
      'invalid_response',
      `${as.jwks_uri} answered HTTP ${response.status} without a "keys" array, so ID-token signatures ` +
        'cannot be verified: check jwks_uri',
    );
  }
  saveJwks(options.issuerUrl, jwks);
  return jwks as oauth.JWKSCacheInput;
}

/**
 * Verifies the signature of the ID token in a response oauth4webapi processed, with the cached JWKS; a key id the
 * cache lacks (the provider rotated its keys) fetches the JWKS once more.
 * @throws {AuthError} `invalid_id_token`, or the JWKS request's `network_error` / `timeout` / `invalid_response`.
 */
async function checkSignature(as: Metadata, options: ResolvedOptions, response: Response): Promise<void> {
  if (!options.verifyIdTokenSignature) return;
  for (const reload of [false, true]) {
    const jwks = await signingKeysFor(as, options, reload);
    try {
      // A fresh copy of the metadata and `uat` now: we decide how long keys are kept, not oauth4webapi's 5 minutes.
      const cache = { jwks, uat: Math.floor(nowSeconds()) } as unknown as oauth.JWKSCacheInput;
      await oauth.validateApplicationLevelSignature({ ...as }, response, {
        ...requestOptions(options),
        [oauth.jwksCache]: cache,
      } as oauth.ValidateSignatureOptions);
      return;
    } catch (e) {
      if (e instanceof AuthError) throw e;
      if (!reload && e instanceof oauth.OperationProcessingError && e.code === oauth.KEY_SELECTION) continue;
      // No cause: oauth4webapi's carries the signed bytes, which are the ID token.
      throw new AuthError(
        'invalid_id_token',
        `The ID token's signature does not verify with the keys at ${as.jwks_uri}: ` +
          (e instanceof Error ? e.message : e),
      );
    }
  }
}

/**
 * Revokes a refresh token (RFC 7009) when the provider advertises a revocation endpoint.
 * @throws {AuthError} `network_error`, `timeout`, or the server's error code.
 */
export async function revoke(as: Metadata, options: ResolvedOptions, token: string): Promise<void> {
  if (as.revocation_endpoint) {
    await call(async () => {
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(
          as,
          client(options),
          oauth.None(),
          token,
          requestOptions(options, { additionalParameters: [['token_type_hint', 'refresh_token']] }),
        ),
      );
    });
  }
}

/** The RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2), or undefined when not advertised. */
export function endSessionUrl(
  as: Metadata,
  options: ResolvedOptions,
  logout: { idToken: string | undefined; returnTo: string | undefined },
): URL | undefined {
  return as.end_session_endpoint
    ? withParams(as.end_session_endpoint, {
        client_id: options.clientId,
        id_token_hint: logout.idToken,
        post_logout_redirect_uri: logout.returnTo,
      })
    : undefined;
}

/**
 * Fails with `invalid_response` when a token endpoint body is not JSON (a proxy's error page, say): oauth4webapi
 * reports that with the same code as an unparsable ID token, which we map to `invalid_id_token`.
 */
async function parseable(response: Response): Promise<Response> {
  try {
    await response.clone().json();
  } catch {
    // No cause: a JSON parser's message quotes the body.
    throw new AuthError('invalid_response', `${response.url} answered HTTP ${response.status}, not JSON`);
  }
  return response;
}

/** The validated ID token claims of a token response, refusing one issued in the future beyond `leewaySeconds`. */
function idTokenClaims(options: ResolvedOptions, r: oauth.TokenEndpointResponse): IdTokenClaims | undefined {
  const claims = oauth.getValidatedIdTokenClaims(r) as IdTokenClaims | undefined;
  // On the provider's clock when its Date header told us (clock.ts): a device that is slow is not the token's fault.
  if (claims && claims.iat > nowSeconds() + (options.clockSkewSeconds?.() ?? 0) + options.leewaySeconds) {
    throw new AuthError(
      'invalid_id_token',
      `The ID token was issued in the future (iat ${claims.iat}, this device says ` +
        `${Math.floor(nowSeconds())}): check the device's clock`,
    );
  }
  return claims;
}

function tokenResult(options: ResolvedOptions, r: oauth.TokenEndpointResponse): TokenResult {
  return {
    accessToken: r.access_token,
    tokenType: r.token_type,
    expiresAt: r.expires_in === undefined ? undefined : nowSeconds() + r.expires_in,
    scope: r.scope,
    refreshToken: r.refresh_token,
    idToken: r.id_token,
    idTokenClaims: idTokenClaims(options, r),
  };
}

/**
 * Runs an oauth4webapi operation and maps what it throws to an {@link AuthError}, by type and code, never by message.
 * `inTokenResponse`: the operation processes a token response, where JWT checks concern the ID token.
 */
async function call<T>(operation: () => Promise<T>, where: ErrorContext = {}): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    throw toAuthError(e, where);
  }
}

/** Where an oauth4webapi error arose, for {@link toAuthError}. */
interface ErrorContext {
  /** In a token response: JWT checks there concern the ID token (`invalid_id_token`). */
  inTokenResponse?: boolean;
}
const IN_TOKEN_RESPONSE: ErrorContext = { inTokenResponse: true };

const SIGN_IN = 'show the login button (the user must sign in interactively; nothing is broken)';
/** What to do about a code the provider sent, for the message. */
const FIXES: Record<string, string> = {
  login_required: SIGN_IN,
  interaction_required: SIGN_IN,
  consent_required: SIGN_IN,
  invalid_grant: 'sign in again',
  invalid_client: 'check clientId (a public client, no secret)',
};

/**
 * Maps an error from oauth4webapi (or our fetch wrapper) to an {@link AuthError}; see {@link call}. The result never
 * holds a token: oauth4webapi's errors keep the whole response (`cause.body`, `cause.claims`, the `Response`), so the
 * cause becomes a plain Error with a name that survives minification and oauth4webapi's code and message only.
 */
export function toAuthError(e: unknown, { inTokenResponse = false }: ErrorContext = {}): AuthError {
  if (e instanceof AuthError) return e;
  let code = 'invalid_response';
  let description: string | undefined;
  let name = 'Error';
  const detail = e instanceof Error ? e.message : String(e);
  let what = `Invalid answer from the provider (${detail})`;
  if (
    e instanceof oauth.ResponseBodyError ||
    e instanceof oauth.WWWAuthenticateChallengeError ||
    e instanceof oauth.AuthorizationResponseError
  ) {
    const challenge = e instanceof oauth.WWWAuthenticateChallengeError ? e.cause[0]?.parameters : undefined;
    name = challenge
      ? 'WWWAuthenticateChallengeError'
      : e instanceof oauth.ResponseBodyError
        ? 'ResponseBodyError'
        : 'AuthorizationResponseError';
    ({ error: code = code, error_description: description } = challenge ?? (e as oauth.ResponseBodyError));
    // Quoted as the provider sent them.
    const who = 'status' in e ? `${e.response.url} answered HTTP ${e.status}` : 'The provider answered';
    what = `${who} "${code}"${description ? ` ("${description}")` : ''}`;
  } else if (e instanceof oauth.OperationProcessingError) {
    name = 'OperationProcessingError';
    const cause = e.cause as { claims?: unknown } | Response | undefined;
    // oauth4webapi attaches the claims it checked to every JWT failure; in a token response that JWT is the ID token.
    // The same for its `alg` checks (`alg: none`, an algorithm the provider does not advertise), which carry the
    // header.
    const jwt = cause as { claims?: unknown; header?: unknown } | undefined;
    if (jwt?.claims || jwt?.header || (inTokenResponse && e.code === oauth.PARSE_ERROR)) {
      code = 'invalid_id_token';
      what = `Invalid ID token (${detail})`;
    } else if (e.code === oauth.JSON_ATTRIBUTE_COMPARISON && !inTokenResponse) {
      code = 'issuer_mismatch';
    } else if (cause instanceof Response) {
      what = `${cause.url} answered HTTP ${cause.status} (${detail})`;
    }
  } else if (e instanceof TypeError) {
    name = 'TypeError';
  }
  const fix = FIXES[code];
  const causeCode = (e as { code?: unknown } | undefined)?.code;
  return new AuthError(code, fix ? `${what}: ${fix}` : what, {
    description,
    cause: readableError(name, typeof causeCode === 'string' ? `${causeCode}: ${detail}` : detail),
  });
}
