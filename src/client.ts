import { AuthError, invalidOption } from './errors.js';
import { browserWindow } from './env.js';
import type { TokenResult } from './oauth.js';
import { checkParams, resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import {
  authorizationUrl, createLoginSecrets, discover, endSessionUrl, exchangeCode, refresh, revoke, toAuthError,
  type IdTokenClaims, type Metadata,
} from './oauth.js';
import { pendingState, saveTransaction, takeTransaction, type Transaction } from './transaction.js';
import { openPopup, postCallbackToParent } from './popup.js';
import { StateStore, type AuthState, type AuthStateListener } from './state.js';
import { isFresh, nextSession, tokenKey, type Session, type User } from './token-store.js';
import { Tabs } from './tabs.js';

export interface LoginOptions {
  /** Any JSON value; handed back by {@link PkceClient.handleRedirectCallback} (e.g. the route to return to). */
  appState?: unknown;
  /** Extra authorization request parameters for this login (`prompt`, `login_hint`, `ui_locales`, ...). */
  authorizationParams?: Record<string, string>;
}

export interface PopupLoginOptions {
  /** Extra authorization request parameters for this login. */
  authorizationParams?: Record<string, string>;
  /** How long the user has to finish in the popup, in milliseconds. Default 300000 (5 minutes). */
  timeoutMs?: number;
}

export interface GetTokenOptions {
  /** Scope for this token (a subset of what was granted); default: the client's scope. */
  scope?: string;
  /** RFC 8707 resource for this token; default: the client's resource. */
  resource?: string | string[];
  /** Renew even if the cached token is still valid. */
  forceRefresh?: boolean;
  /** Renew when fewer than this many seconds are left (at least `leewaySeconds`). */
  minTtlSeconds?: number;
}

export interface FetchWithAuthOptions {
  /** Scope of the token to send (a subset of what was granted); default: the client's scope. */
  scope?: string;
  /** RFC 8707 resource of the token to send (one token is cached per resource + scope); default: the client's resource. */
  resource?: string | string[];
}

export interface LogoutOptions {
  /** Where the provider sends the user after logout; default `postLogoutRedirectUri`. */
  returnTo?: string;
  /** Only forget the session here: no revocation redirect to the provider's end-session endpoint. */
  localOnly?: boolean;
}

const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'];

/**
 * A PKCE login client for one provider and one client id. Construction only validates options (nothing touches the
 * network or browser globals); discovery happens on first use. Prefer {@link createPkceClient}, which also resolves
 * the starting state.
 * @throws {AuthError} `invalid_options` from the constructor, naming the option.
 */
export class PkceClient {
  readonly #o: ResolvedOptions;
  readonly #state = new StateStore();
  #session: Session | undefined;
  #metadata: Promise<Metadata> | undefined;
  #ready: Promise<void> | undefined;
  readonly #inflight = new Map<string, Promise<string>>();
  /** Renewals run one after another: a rotating refresh token may be spent only once. */
  #renewQueue: Promise<unknown> = Promise.resolve();
  /** The other tabs of this origin with the same issuer + client id, and the IndexedDB cache. */
  readonly #tabs: Tabs;

  constructor(options: ClientOptions) {
    this.#o = resolveOptions(options);
    this.#tabs = new Tabs(this.#o, {
      session: () => this.#session,
      adopt: (session, metadata) => {
        this.#session = session;
        if (metadata) this.#metadata ??= Promise.resolve(metadata);
        // While starting, #start sets the first state (a stored session is checked with the server first).
        if (this.#state.get().status !== 'loading') this.#state.set(this.#stateFromSession());
      },
      warn: (warning) => this.#state.set({ ...this.#state.get(), warning }),
    });
  }

  /**
   * Resolves once discovery has run and the starting state is known (`unauthenticated`, or still `loading` when the
   * current URL is a callback for a login pending in this tab, until {@link handleRedirectCallback}).
   * @throws {AuthError} `network_error`, `timeout`, `issuer_mismatch`, `invalid_response` from discovery.
   */
  ready(): Promise<void> {
    this.#ready ??= this.#start().catch((e) => {
      this.#ready = undefined;
      const error = toAuthError(e);
      if (this.#state.get().status === 'loading') this.#state.set({ status: 'unauthenticated', error });
      throw error;
    });
    return this.#ready;
  }

  async #start(): Promise<void> {
    const w = browserWindow();
    const pending = pendingState(this.#o.clientId);
    const isCallback = !!w && !!pending && new URL(w.location.href).searchParams.get('state') === pending;
    // A signed-in sibling tab hands over its session (and the metadata) over the channel: no request at all.
    await this.#tabs.join(!isCallback);
    this.#tabs.metadata = await this.#getMetadata();
    if (this.#state.get().status !== 'loading' || isCallback) return;
    // Else the stored session (cache: 'indexeddb'), checked with exactly one refresh grant before it counts.
    if (!this.#session && (await this.#tabs.restore())) {
      await this.#renew(tokenKey(), {}, this.#o.leewaySeconds, false, true).catch(() => undefined);
    }
    if (this.#shouldTrySilentLogin()) await this.#serial(() => this.#silentLogin()).catch(() => undefined);
    if (this.#state.get().status === 'loading') this.#state.set(this.#stateFromSession());
  }

  /** One silent iframe attempt on start-up, never from inside a popup or frame (that would recurse). */
  #shouldTrySilentLogin(): boolean {
    const w = browserWindow();
    return !!w && !this.#session && !!this.#o.silentRedirectUri && this.#o.silentLoginOnStart && w === w.top && !w.opener;
  }

  #getMetadata(): Promise<Metadata> {
    this.#metadata ??= discover(this.#o).catch((e) => {
      this.#metadata = undefined; // let the next call retry
      throw e;
    });
    return this.#metadata;
  }

  /**
   * Starts a login by sending the browser to the provider's authorization endpoint (RFC 6749 §4.1.1, RFC 7636).
   * @throws {AuthError} `invalid_options`, and the discovery errors.
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4
   */
  async loginWithRedirect(options: LoginOptions = {}): Promise<void> {
    const extra = checkParams('authorizationParams', options.authorizationParams);
    const { tx: { dpopKey, ...tx }, url } = await this.#authorize(this.#o.redirectUri, extra);
    // A CryptoKey cannot go into sessionStorage: the DPoP key waits in IndexedDB for the callback.
    if (dpopKey) await this.#o.dpop!.savePendingKey(tx.state, dpopKey);
    saveTransaction(this.#o.clientId, { ...tx, appState: options.appState });
    requireWindow('loginWithRedirect').location.assign(url);
  }

  /** Fresh PKCE secrets, state and nonce for one login, and the authorization request URL that carries them. */
  async #authorize(redirectUri: string, extra: Record<string, string>): Promise<{ tx: Transaction; url: string }> {
    const as = await this.#getMetadata();
    const { dpop } = this.#o;
    // DPoP: a new key pair for the new session, and the code bound to it with dpop_jkt (RFC 9449 §10).
    const dpopKey = await dpop?.createKey();
    const tx = { ...(await createLoginSecrets()), redirectUri, dpopKey };
    if (dpopKey) extra = { ...extra, dpop_jkt: await dpop!.thumbprint(dpopKey) };
    let url = authorizationUrl(as, this.#o, { ...tx, extra });
    if (this.#o.par || as.require_pushed_authorization_requests) {
      url = await (await import('./par.js')).pushAuthorizationRequest(as, this.#o, url);
    }
    return { tx, url: url.href };
  }

  /**
   * Finishes a login: checks the callback against the transaction this tab started, exchanges the code, validates the
   * ID token and signs the user in. Removes the transaction and cleans the address bar whatever happens.
   * @param url the callback URL; default the current location.
   * @returns the `appState` given to the login call.
   * @throws {AuthError} `state_mismatch`, `issuer_mismatch`, the server's code (`access_denied`, `invalid_grant`, ...),
   *   `invalid_id_token`, `invalid_response`, `network_error`, `timeout`.
   * @see https://www.rfc-editor.org/rfc/rfc9207
   */
  async handleRedirectCallback(url: string = requireWindow('handleRedirectCallback').location.href): Promise<{ appState: unknown }> {
    try {
      const params = new URL(url).searchParams;
      const state = params.get('state');
      // In the login popup or the silent iframe: hand the URL to the window that started the login, which holds
      // the PKCE verifier and does the exchange itself; this window is then closed or removed.
      if (state !== pendingState(this.#o.clientId) && postCallbackToParent(url)) return new Promise<never>(() => {});
      cleanAddressBar(url);
      if (!state && !params.has('code') && !params.has('error')) {
        throw new AuthError('invalid_response', `Not an authorization response (no code, state or error): ${url}`);
      }
      const tx = takeTransaction(this.#o.clientId, state);
      await this.#finishLogin(params, tx);
      return { appState: tx.appState };
    } catch (e) {
      throw this.#failed(e);
    }
  }

  /** Records a failed login in the state (the session, if any, is unchanged) and returns the error to throw. */
  #failed(e: unknown): AuthError {
    const error = toAuthError(e);
    this.#state.set({ ...this.#stateFromSession(), error });
    return error;
  }

  /**
   * Signs in through a popup without leaving the page. Call it directly in a click handler: the popup is opened
   * before anything is awaited. The popup ends on `redirectUri`, whose page must call `handleRedirectCallback()` (it
   * hands the URL back here; this window does the code exchange and closes the popup).
   * @throws {AuthError} `popup_blocked`, `popup_closed`, `timeout`, the server's code (`access_denied`, ...), and the
   *   code-exchange errors of {@link handleRedirectCallback}.
   */
  async loginWithPopup(options: PopupLoginOptions = {}): Promise<void> {
    const extra = checkParams('authorizationParams', options.authorizationParams);
    const timeoutMs = options.timeoutMs ?? 300_000;
    if (!(timeoutMs > 0)) throw invalidOption('timeoutMs', `must be a number of milliseconds > 0 (got ${timeoutMs})`);
    let popup: Window | undefined;
    try {
      // Still synchronous, inside the click: nothing has been awaited yet.
      const opened = (popup = openPopup());
      await this.#loginInChildWindow(this.#o.redirectUri, extra, timeoutMs, (href) => {
        opened.location.href = href;
        return { child: () => opened, isClosed: () => opened.closed };
      });
    } catch (e) {
      // popup_blocked included: every failed login is recorded in the state the same way.
      throw this.#failed(e);
    } finally {
      popup?.close();
    }
  }

  /**
   * Runs an authorization request in a child window (popup or iframe), waits for the callback URL it posts back and
   * finishes the login with the in-memory transaction (never stored: the verifier does not leave this window).
   */
  async #loginInChildWindow(
    redirectUri: string,
    extra: Record<string, string>,
    timeoutMs: number,
    navigate: (href: string, cw: typeof import('./child-window.js')) => { child: () => Window | null; isClosed?: () => boolean; dispose?: () => void },
  ): Promise<TokenResult> {
    // Loaded on first use: apps that never open a popup or iframe do not download this code.
    const cw = await import('./child-window.js');
    const { tx, url } = await this.#authorize(redirectUri, extra);
    const target = navigate(url, cw);
    let callback: string;
    try {
      callback = await cw.waitForCallback(target.child, tx.state, timeoutMs, target.isClosed);
    } finally {
      target.dispose?.();
    }
    return this.#finishLogin(new URL(callback).searchParams, tx);
  }

  /** Turns a validated callback into a session, whichever window delivered it. */
  async #finishLogin(params: URLSearchParams, tx: Transaction): Promise<TokenResult> {
    const as = await this.#getMetadata();
    const dpopKey = tx.dpopKey ?? (await this.#o.dpop?.takePendingKey(tx.state));
    const result = await exchangeCode(as, this.#o, params, tx, dpopKey);
    await this.#commit({ ...nextSession(undefined, tokenKey(), result, this.#o.refreshTokens), dpopKey });
    return result;
  }

  /**
   * Signs in without a visible page: a hidden iframe sends `prompt=none` to the provider, which answers at once from
   * its own session (OpenID Connect Core §3.1.2.1).
   * @throws {AuthError} `login_required`, `consent_required`, `interaction_required` (the server's codes), `timeout`.
   */
  #silentLogin(): Promise<TokenResult> {
    return this.#loginInChildWindow(this.#o.silentRedirectUri!, { prompt: 'none' }, this.#o.timeoutMs, (href, cw) => {
      const frame = cw.openHiddenFrame(href);
      return { child: () => frame.contentWindow, dispose: () => frame.remove() };
    });
  }

  /**
   * Returns an access token with more than `leewaySeconds` (or `minTtlSeconds`) left, renewing it with the refresh
   * token when needed. Concurrent calls share one request.
   * @throws {AuthError} `login_required`, `missing_refresh_token`, `invalid_grant` (the session ends), `network_error`,
   *   `timeout`, `invalid_response`, `invalid_id_token`, `invalid_options`.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  async getAccessToken(options: GetTokenOptions = {}): Promise<string> {
    const { scope, forceRefresh = false } = options;
    if (scope !== undefined && (typeof scope !== 'string' || !scope.trim())) throw invalidOption('scope', 'must be a non-empty string');
    const resource = options.resource === undefined ? undefined : ([] as string[]).concat(options.resource);
    const minTtl = Math.max(this.#o.leewaySeconds, options.minTtlSeconds ?? 0);
    if (!Number.isFinite(minTtl)) throw invalidOption('minTtlSeconds', 'must be a finite number');
    const key = tokenKey(scope, resource);
    const cached = this.#session?.tokens.get(key);
    if (!forceRefresh && isFresh(cached, minTtl)) return cached.accessToken;

    let flight = this.#inflight.get(key);
    if (!flight) {
      flight = this.#renew(key, { scope, resource }, minTtl, forceRefresh).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, flight);
    }
    return flight;
  }

  async #renew(
    key: string, p: { scope?: string | undefined; resource?: string[] | undefined }, minTtl: number, force: boolean, starting = false,
  ): Promise<string> {
    if (!starting) await this.ready();
    const before = this.#session?.tokens.get(key);
    return this.#serial(async () => {
      // Check again: the renewal ahead of us in the queue, or in another tab, may have produced what we need
      // (then even a forced renewal is satisfied: that token is newer than the call).
      const cached = this.#session?.tokens.get(key);
      if ((!force || cached !== before) && isFresh(cached, minTtl)) return cached.accessToken;
      const session = this.#session;
      if (!session?.refreshToken && this.#o.silentRedirectUri && key === tokenKey()) {
        return (await this.#silentLogin()).accessToken;
      }
      if (!session) throw new AuthError('login_required', 'Nobody is signed in: call a login method first');
      if (!session.refreshToken) {
        throw new AuthError('missing_refresh_token', 'The access token expired and there is no refresh token (see the refreshTokens and silentRedirectUri options): sign in again');
      }
      const as = await this.#getMetadata();
      let result;
      try {
        result = await refresh(as, this.#o, session.refreshToken, p, session.dpopKey);
      } catch (e) {
        const error = toAuthError(e);
        // The refresh token is dead: end the session instead of retrying forever. Other errors keep it.
        if (error.code === 'invalid_grant' && this.#session === session) this.#end(error);
        throw error;
      }
      if (this.#session !== session) {
        throw new AuthError('login_required', 'The session ended while the token was being renewed');
      }
      if (result.idTokenClaims && result.idTokenClaims.sub !== session.claims.sub) {
        throw new AuthError('invalid_id_token', 'The refreshed ID token is for another subject (OIDC Core §12.2); the session is unchanged');
      }
      this.#commit(nextSession(session, key, result, this.#o.refreshTokens));
      return result.accessToken;
    });
  }

  /** The in-tab queue, then the cross-tab lock, inside which tabs.ts first brings the session up to date. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#renewQueue.then(() => this.#tabs.lock(task));
    this.#renewQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * `fetch()` with the access token for `scope` / `resource`: `Authorization: Bearer`, or `DPoP` plus a proof when the
   * token is DPoP-bound. Retries once after a `use_dpop_nonce` challenge and once after a forced renewal on a 401
   * `invalid_token`; never more. Only to origins in `apiOrigins` (default: this page's origin).
   * @returns the resource server's response, whatever its status (other than the challenges above).
   * @throws {AuthError} `origin_not_allowed` (nothing sent), `insufficient_user_authentication` (RFC 9470; its
   *   `stepUp` holds `acr_values` / `max_age` for the next login), and the codes of {@link getAccessToken}.
   * @example
   * const response = await client.fetchWithAuth('/api/orders', { method: 'POST', body }, { scope: 'orders:write' });
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
   * @see https://www.rfc-editor.org/rfc/rfc9470
   */
  async fetchWithAuth(input: RequestInfo | URL, init?: RequestInit, options: FetchWithAuthOptions = {}): Promise<Response> {
    // Loaded on first use: apps that never call it do not download it.
    return (await import('./fetch-with-auth.js')).fetchWithAuth({ client: this, o: this.#o, session: () => this.#session }, input, init, options);
  }

  /** The signed-in user's profile claims, or undefined. */
  getUser(): User | undefined {
    return this.#session?.user;
  }

  /** All claims of the validated ID token, or undefined. */
  getIdTokenClaims(): IdTokenClaims | undefined {
    return this.#session?.claims;
  }

  /** Whether someone is signed in (in memory, now). */
  isAuthenticated(): boolean {
    return this.#session !== undefined;
  }

  /** The current {@link AuthState}; the same object until something changes. */
  getState(): AuthState {
    return this.#state.get();
  }

  /** Calls `listener` with each new {@link AuthState}; returns the function that unsubscribes. */
  subscribe(listener: AuthStateListener): () => void {
    return this.#state.subscribe(listener);
  }

  /** How many open tabs of this origin (this one included) share the session: 0 when signed out, 1 without Web Locks. */
  countTabs(): Promise<number> {
    return this.#tabs.count();
  }

  /**
   * Signs out: forgets the session, revokes the refresh token (RFC 7009) when the provider supports it, then sends the
   * browser to the provider's end-session endpoint with `id_token_hint` unless `localOnly`.
   * Revocation is best effort: a failure there does not keep anyone signed in.
   * @throws {AuthError} `invalid_options` for a bad `returnTo`; discovery errors when the provider cannot be reached.
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
   */
  async logout(options: LogoutOptions = {}): Promise<void> {
    const returnTo = options.returnTo ?? this.#o.postLogoutRedirectUri;
    if (returnTo !== undefined && !URL.canParse(returnTo)) throw invalidOption('returnTo', `must be an absolute URL (got "${returnTo}")`);
    const session = this.#session;
    await this.#end(undefined);
    if (!session && options.localOnly) return;
    const as = await this.#getMetadata();
    if (session?.refreshToken) {
      await revoke(as, this.#o, session.refreshToken).catch(() => undefined);
    }
    if (options.localOnly) return;
    const url = endSessionUrl(as, this.#o, { idToken: session?.idToken, returnTo });
    const target = url?.href ?? returnTo;
    if (target) requireWindow('logout').location.assign(target);
  }

  /** Replaces the session; settles once it is stored (`cache: 'indexeddb'`) and announced to the other tabs. */
  #commit(session: Session): Promise<void> {
    this.#session = session;
    this.#state.set(this.#stateFromSession());
    return this.#tabs.publish(session);
  }

  /** Ends the session in every tab; a rejected refresh token (`error`) ends only the sessions it belonged to. */
  #end(error: AuthError | undefined): Promise<void> {
    const version = this.#tabs.n;
    this.#session = undefined;
    this.#state.set(error ? { status: 'unauthenticated', error } : { status: 'unauthenticated' });
    return this.#tabs.publish(undefined, error ? version : Infinity);
  }

  #stateFromSession(): AuthState {
    return this.#session ? { status: 'authenticated', user: this.#session.user } : { status: 'unauthenticated' };
  }
}

/**
 * Creates a client and resolves once it knows the starting state (discovery done).
 * @example
 * const auth = await createPkceClient({ issuer: 'https://id.example.com', clientId: 'spa', redirectUri: location.origin + '/' });
 * @throws {AuthError} `invalid_options`, and discovery's `network_error`, `timeout`, `issuer_mismatch`, `invalid_response`.
 */
export async function createPkceClient(options: ClientOptions): Promise<PkceClient> {
  const client = new PkceClient(options);
  await client.ready();
  return client;
}

function requireWindow(method: string): Window {
  const w = browserWindow();
  if (!w) throw new AuthError('invalid_options', `${method}() needs a browser window (not server-side rendering)`);
  return w;
}

/** Removes the callback parameters from the address bar so a code or state never stays in the URL or history. */
function cleanAddressBar(url: string): void {
  const w = browserWindow();
  if (!w || w.location.href !== url) return;
  const clean = new URL(url);
  for (const p of CALLBACK_PARAMS) clean.searchParams.delete(p);
  try {
    w.history.replaceState(w.history.state, '', clean.href);
  } catch {
    // Some sandboxed frames refuse replaceState; the login still works.
  }
}

