/**
 * pkce-spa's own error codes, used when the authorization server did not send an OAuth error code of its own.
 * One line each; the table in docs/errors.md is checked against this list.
 */
export type PkceErrorCode =
  /** An option passed to the client is missing or malformed; the message names it. */
  | 'invalid_options'
  /** The callback state matches no login started in this tab (tampered, replayed or opened elsewhere). */
  | 'state_mismatch'
  /** The callback arrived at another URL than the redirect URI its login named (another client's or provider's). */
  | 'redirect_uri_mismatch'
  /**
   * A warning after logout: the refresh token could not be revoked (refused, unreachable or no revocation
   * endpoint).
   */
  | 'revocation_failed'
  /** A warning after logout: the provider has no end-session endpoint, so its own session is still open. */
  | 'provider_session_active'
  /** The issuer in metadata or in the RFC 9207 `iss` callback parameter is not the configured issuer. */
  | 'issuer_mismatch'
  /**
   * The ID token failed validation (signature, algorithm, issuer, audience, expiry, issued-at, nonce, auth_time or
   * subject).
   */
  | 'invalid_id_token'
  /** The server answered with something that is not a valid OAuth/OIDC response. */
  | 'invalid_response'
  /** A request to the authorization server could not be sent or got no answer. */
  | 'network_error'
  /** A request or a login window took longer than `timeoutMs`. */
  | 'timeout'
  /** A renewal needed a refresh token and the session has none. */
  | 'missing_refresh_token'
  /**
   * Nobody is signed in (or the session ended), or a silent (`prompt=none`) login found no provider session or was
   * shown a page instead of an answer: show the login button; nothing is broken. (The provider's own
   * `interaction_required` and `consent_required` mean the same for the app.)
   */
  | 'login_required'
  /** The browser refused to open the login popup. */
  | 'popup_blocked'
  /** The user closed the login popup before it finished. */
  | 'popup_closed'
  /**
   * A guard (`<RequireAuth>`, `createAuthGuard`) stopped sending the browser to the provider: 3 automatic logins
   * within 60 s found nobody signed in afterwards.
   */
  | 'login_loop'
  /**
   * The browser refused storage: thrown by loginWithRedirect without sessionStorage; a warning (`AuthState.warning`)
   * when IndexedDB refuses `cache: 'indexeddb'`.
   */
  | 'storage_unavailable'
  /** fetchWithAuth was asked to send a token to an origin that is not in the `apiOrigins` option; nothing was sent. */
  | 'origin_not_allowed'
  /**
   * A resource server asked for a stronger or more recent sign-in (RFC 9470); `stepUp` holds its `acr_values` /
   * `max_age`.
   */
  | 'insufficient_user_authentication';

/**
 * An `AuthError` code: one of ours, or the OAuth error code the server sent
 * (`access_denied`, `invalid_grant`, `consent_required`, ...).
 */
export type AuthErrorCode = PkceErrorCode | (string & {});

/**
 * The one error type pkce-spa throws.
 * @example
 * try { await client.getAccessToken() } catch (e) { if (isAuthError(e) && e.code === 'login_required') ... }
 */
export class AuthError extends Error {
  /** Always `'AuthError'`: the brand {@link isAuthError} checks. */
  override readonly name = 'AuthError';
  /** Stable, machine-readable code: the server's OAuth error code or one of {@link PkceErrorCode}. */
  readonly code: AuthErrorCode;
  /** The server's `error_description`, when it sent one. */
  readonly description?: string;
  /**
   * With `insufficient_user_authentication`: the resource server's `acr_values` and `max_age`, as authorization
   * parameters for the next login (RFC 9470 §4).
   * @example await client.loginWithPopup({ authorizationParams: error.stepUp })
   */
  // `declare`: set only by fetchWithAuth (a lazy chunk), so the core's constructor carries no code for it.
  declare readonly stepUp?: {
    /** The authentication context class(es) the resource server asked for, space-separated. */
    acr_values?: string;
    /** The greatest age, in seconds, of the sign-in the resource server accepts. */
    max_age?: string;
  };

  constructor(
    code: AuthErrorCode,
    message: string,
    options: { description?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.description !== undefined) this.description = options.description;
  }
}

/**
 * Whether `value` is an {@link AuthError}. Checks the brand rather than `instanceof`, so it also works
 * across bundles and windows.
 */
export function isAuthError(value: unknown): value is AuthError {
  // No instanceof Error: an error from another window (another realm) is not an instance of this window's Error.
  return (
    Object.prototype.toString.call(value) === '[object Error]' &&
    (value as Error).name === 'AuthError' &&
    typeof (value as AuthError).code === 'string'
  );
}

/** Builds the `invalid_options` error for option `name`. */
export function invalidOption(name: string, message: string): AuthError {
  return new AuthError('invalid_options', `${name} ${message}`);
}
