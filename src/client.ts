import type { UseStore } from 'idb-keyval';
import { AuthError, invalidOption } from './errors.js';
import { browserWindow } from './env.js';
import type { TokenResult } from './oauth.js';
import { checkParams, resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import {
  authorizationUrl,
  createLoginSecrets,
  discover,
  endSessionUrl,
  exchangeCode,
  refresh,
  revoke,
  toAuthError,
  verifyIdToken,
  type IdTokenClaims,
  type Metadata,
} from './oauth.js';
import {
  checkCallbackUrl,
  pendingState,
  peekTransaction,
  saveTransaction,
  takeTransaction,
  type Transaction,
  type TransactionOwner,
} from './transaction.js';
import { debug } from './debug.js';
import { expectChildCallback, openPopup, postCallbackToParent, waitingParent } from './windows/relay.js';
import { StateStore, type AuthState, type AuthStateListener } from './auth-state.js';
import {
  isFresh,
  isUnexpired,
  nextSession,
  tokenKey,
  userFromClaims,
  type AccessToken,
  type Session,
  type User,
} from './session.js';
import { Tabs } from './tabs.js';
import { localStore, nowSeconds } from './env.js';
import { readJson, removeItem, writeJson } from './storage/session-storage.js';
import { Backoff } from './backoff.js';
import { noteDeadlines, ProviderClock } from './clock.js';
import { clearEnded, endedUpTo, markEnded, watchDeviceLife } from './device-life.js';

/** Options for {@link PkceClient.loginWithRedirect}. */
export interface LoginOptions {
  /**
   * Any JSON value; handed back by {@link PkceClient.handleRedirectCallback} (e.g. the route to return to).
   * @defaultValue undefined
   */
  appState?: unknown;
  /**
   * Extra authorization request parameters for this login (`prompt`, `login_hint`, `ui_locales`, ...), on top of the
   * client's `authorizationParams` option.
   * @defaultValue none
   */
  authorizationParams?: Record<string, string>;
}

/** Options for {@link PkceClient.loginWithPopup}. */
export interface PopupLoginOptions {
  /**
   * Extra authorization request parameters for this login, on top of the client's `authorizationParams` option.
   * @defaultValue none
   */
  authorizationParams?: Record<string, string>;
  /**
   * How long the user has to finish in the popup, in milliseconds (5 minutes).
   * @defaultValue 300000
   */
  timeoutMs?: number;
}

/** Options for {@link PkceClient.getAccessToken}. */
export interface GetTokenOptions {
  /**
   * Scope for this token (a subset of what was granted).
   * @defaultValue the client's `scope` option
   */
  scope?: string;
  /**
   * RFC 8707 resource for this token.
   * @defaultValue the client's `resource` option
   */
  resource?: string | string[];
  /**
   * Renew even if the cached token is still valid (skips a backoff pause, except a server's `Retry-After`).
   * @defaultValue false
   */
  forceRefresh?: boolean;
  /**
   * Renew when fewer than this many seconds are left (when that is more than the renewal margin, see
   * `leewaySeconds`).
   * @defaultValue 0 (the renewal margin alone decides)
   */
  minTtlSeconds?: number;
}

/** Options for {@link PkceClient.fetchWithAuth}: which cached token to attach. */
export interface FetchWithAuthOptions {
  /**
   * Scope of the token to send (a subset of what was granted).
   * @defaultValue the client's `scope` option
   */
  scope?: string;
  /**
   * RFC 8707 resource of the token to send (one token is cached per resource + scope).
   * @defaultValue the client's `resource` option
   */
  resource?: string | string[];
}

/** Options for {@link PkceClient.logout}. */
export interface LogoutOptions {
  /**
   * Where the provider sends the user after logout.
   * @defaultValue the client's `postLogoutRedirectUri` option
   */
  returnTo?: string;
  /**
   * Sign out without leaving the page: the session is forgotten and the refresh token revoked, but there is no
   * redirect to the provider's end-session endpoint, so the provider's own session stays.
   * @defaultValue false
   */
  localOnly?: boolean;
}

/** What {@link PkceClient.start} found on this page. */
export interface StartResult {
  /**
   * Set when this page was the callback of a redirect login: the `appState` given to `loginWithRedirect` (also when
   * the login failed) and, on failure, the error (also in `getState().error`). A stale callback (no login pending in
   * this tab) while signed out is a failure with `state_mismatch`; while signed in it is not reported at all.
   */
  callback?: {
    /** The `appState` given to `loginWithRedirect`, when the login had one. */
    appState: unknown;
    /** Why the login failed; absent after a successful login. */
    error?: AuthError;
  };
}

const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'];

/** Warnings that a logout leaves in the state until the next interactive login. */
const LOGOUT_WARNINGS = ['revocation_failed', 'provider_session_active'];

/**
 * A PKCE login client for one provider and one client id. Construction only validates options (nothing touches the
 * network or browser globals); discovery happens on first use. Prefer {@link createPkceClient}, which also resolves
 * the starting state.
 * @throws {AuthError} `invalid_options` from the constructor, naming the option.
 */
export class PkceClient {
  readonly #options: ResolvedOptions;
  readonly #state = new StateStore();
  #metadata: Promise<Metadata> | undefined;
  #ready: Promise<void> | undefined;
  #started: Promise<StartResult> | undefined;
  readonly #inflight = new Map<string, Promise<string>>();
  /** Renewals run one after another: a rotating refresh token may be spent only once. */
  #renewQueue: Promise<unknown> = Promise.resolve();
  /** The other tabs of this origin with the same issuer + client id, and the IndexedDB cache; owns the session. */
  readonly #tabs: Tabs;
  /** Failed renewals pause, in every tab (backoff.ts). */
  readonly #backoff: Backoff;
  /** The provider's clock, for ID-token timestamps (clock.ts). */
  readonly #clock = new ProviderClock();
  /** Stops the device-life listeners; set once, so that a retried start does not attach them twice. */
  #watching: (() => void) | undefined;
  /** The IndexedDB store of the session record and a redirect login's DPoP key: storage/idb.ts's own unless given. */
  readonly #store: UseStore | undefined;

  /** @internal Tests hand in an IndexedDB store of their own (storage/idb.ts); apps have no use for it. */
  constructor(options: ClientOptions, store: UseStore | undefined);
  constructor(options: ClientOptions);
  constructor(options: ClientOptions, store?: UseStore) {
    this.#options = resolveOptions(options);
    this.#store = store;
    this.#backoff = new Backoff(`pkce-spa:${this.#id()}:backoff`);
    this.#options.onResponse = (response, sentAt) => {
      this.#clock.observe(response, sentAt);
      this.#backoff.observe(response);
    };
    this.#options.clockSkewSeconds = () => this.#clock.offsetSeconds;
    this.#tabs = new Tabs(this.#options, {
      store,
      verify: (session, { isLogin }) => this.#verifyAdopted(session, { isLogin }),
      adopted: (session) => {
        if (session) noteDeadlines(session.tokens.values());
        // While starting, #start sets the first state (a stored session is checked with the server first).
        if (this.#state.get().status !== 'loading') this.#state.set(this.#stateFromSession());
      },
      warn: (warning) => this.#state.set({ ...this.#state.get(), warning }),
    });
  }

  get #session(): Session | undefined {
    return this.#tabs.session;
  }

  get #owner(): TransactionOwner {
    return { issuer: this.#options.issuerUrl.href, clientId: this.#options.clientId };
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
    const pending = pendingState(this.#owner);
    const isCallback = !!w && !!pending && new URL(w.location.href).searchParams.get('state') === pending;
    // Discovery (usually from the cache) runs while a signed-in sibling tab hands over its session, which is then
    // verified against the provider's keys before it counts.
    const metadata = this.#getMetadata();
    metadata.catch(() => undefined);
    await this.#tabs.join(!isCallback);
    this.#watching ??= watchDeviceLife({ resume: () => this.#resume(), online: () => this.#backoff.online() });
    await metadata;
    if (this.#state.get().status !== 'loading' || isCallback) return;
    // Else the stored session (cache: 'indexeddb'), checked with exactly one refresh grant before it counts.
    if (!this.#session && (await this.#tabs.restore())) {
      await this.#renew(tokenKey(), {}, { minTtl: 0, force: false, waitForReady: false }).catch(() => undefined);
    }
    if (this.#shouldTrySilentLogin()) {
      await this.#serial(() => this.#silentLogin()).then(
        () => debug(this.#options, { type: 'silent_login', outcome: 'success' }),
        (e) => debug(this.#options, { type: 'silent_login', outcome: 'error', code: toAuthError(e).code }),
      );
    }
    if (this.#state.get().status === 'loading') this.#state.set(this.#stateFromSession());
  }

  /**
   * Starts this page, once however often it is called (React StrictMode, several plugins, router guards): `ready()`,
   * then, when this URL is the callback of a login pending in this tab, `handleRedirectCallback()` ("loading means
   * callback": `ready()` leaves the state `loading` exactly then). In a login popup or silent iframe that landed on the
   * redirect URI it hands the URL to the window that started the login and never settles. A stale callback (back
   * button, reload, bookmark: no login pending here) is cleaned from the address bar; while signed out it records
   * `state_mismatch` and nothing is exchanged. Never rejects: failures are in the result and in `getState().error`.
   * @example
   * const { callback } = await client.start();
   * if (callback && !callback.error) history.replaceState(null, '', '/');
   */
  start(): Promise<StartResult> {
    this.#started ??= this.#startPage();
    return this.#started;
  }

  async #startPage(): Promise<StartResult> {
    const w = browserWindow();
    if (!w) return {}; // Server-side rendering: the state stays `loading`; the browser starts.
    const url = w.location.href;
    const params = new URL(url).searchParams;
    const isCallbackUrl = params.has('state') && (params.has('code') || params.has('error'));
    // A popup or iframe whose opener waits for this state: handleRedirectCallback hands the URL over and never settles,
    // so the state stays `loading` and a guarded page in the popup cannot start a second login there.
    if (isCallbackUrl && params.get('state') !== pendingState(this.#owner) && waitingParent(url)) {
      await this.handleRedirectCallback(url).catch(() => undefined);
      return {};
    }
    const appState = peekTransaction(this.#owner)?.appState;
    try {
      await this.ready();
      if (this.#state.get().status === 'loading') return { callback: await this.handleRedirectCallback(url) };
      const redirect = new URL(this.#options.redirectUri);
      if (!isCallbackUrl || new URL(url).pathname !== redirect.pathname || w.location.origin !== redirect.origin)
        return {};
      debug(this.#options, { type: 'callback', outcome: 'stale' });
      if (this.#session) {
        cleanAddressBar(url);
        return {};
      }
      await this.handleRedirectCallback(url); // state_mismatch before any request
      return {};
    } catch (e) {
      const error = toAuthError(e);
      return isCallbackUrl ? { callback: { appState, error } } : {};
    }
  }

  /** One silent iframe attempt on start-up, never from inside a popup or frame (that would recurse). */
  #shouldTrySilentLogin(): boolean {
    const w = browserWindow();
    return (
      !!w &&
      !this.#session &&
      !!this.#options.silentRedirectUri &&
      this.#options.silentLoginOnStart &&
      w === w.top &&
      !w.opener &&
      !loggedOut(this.#owner)
    );
  }

  #getMetadata(): Promise<Metadata> {
    this.#metadata ??= discover(this.#options).catch((e) => {
      this.#metadata = undefined; // let the next call retry
      throw e;
    });
    return this.#metadata;
  }

  /**
   * Checks a session that reached this tab from another tab or from IndexedDB like one from the token endpoint: the ID
   * token's signature, issuer and audience, and the same subject as this tab's session. Another subject is accepted
   * only from a new login in another tab whose ID token has not expired (apps see the new user in the state).
   */
  async #verifyAdopted(session: Session, { isLogin }: { isLogin: boolean }): Promise<Session | undefined> {
    const mine = this.#session;
    let claims: IdTokenClaims;
    if (mine && session.idToken === mine.idToken) {
      // A renewal in another tab that brought no new ID token: this one was verified when it came in.
      claims = mine.claims;
    } else {
      try {
        claims = await verifyIdToken(await this.#getMetadata(), this.#options, session.idToken!);
      } catch (e) {
        const error = toAuthError(e);
        if (error.code === 'network_error' || error.code === 'timeout') throw error;
        return undefined;
      }
    }
    if (mine && claims.sub !== mine.claims.sub && !(isLogin && claims.exp > nowSeconds())) return undefined;
    const tokens = new Map<string, AccessToken>();
    for (const [key, token] of session.tokens) {
      if (typeof key === 'string' && typeof token?.accessToken === 'string' && typeof token.tokenType === 'string') {
        tokens.set(key, {
          accessToken: token.accessToken,
          tokenType: token.tokenType,
          expiresAt: typeof token.expiresAt === 'number' ? token.expiresAt : 0,
          lifetimeSeconds: typeof token.lifetimeSeconds === 'number' ? token.lifetimeSeconds : undefined,
          scope: typeof token.scope === 'string' ? token.scope : undefined,
        });
      }
    }
    const refreshToken =
      this.#options.refreshTokens && typeof session.refreshToken === 'string' ? session.refreshToken : undefined;
    // The session's DPoP key pair travels with it (a CryptoKey survives structured cloning); anything else is dropped.
    const dpopKey =
      session.dpopKey?.privateKey instanceof CryptoKey && session.dpopKey.publicKey instanceof CryptoKey
        ? session.dpopKey
        : undefined;
    // Claims and profile come from the verified token only, never from the fields that travelled beside it.
    return { refreshToken, idToken: session.idToken, claims, user: userFromClaims(claims), tokens, dpopKey };
  }

  /**
   * Starts a login by sending the browser to the provider's authorization endpoint (RFC 6749 §4.1.1, RFC 7636).
   * @throws {AuthError} `invalid_options`, and the discovery errors.
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4
   */
  async loginWithRedirect(options: LoginOptions = {}): Promise<void> {
    const extra = checkParams('authorizationParams', options.authorizationParams);
    const w = requireWindow('loginWithRedirect');
    const {
      tx: { dpopKey, ...tx },
      url,
    } = await this.#authorize(this.#options.redirectUri, extra);
    // A CryptoKey cannot go into sessionStorage: the DPoP key waits in IndexedDB for the callback.
    if (dpopKey) await this.#options.dpop!.savePendingKey(tx.state, dpopKey, this.#store);
    saveTransaction(this.#owner, { ...tx, appState: options.appState });
    debug(this.#options, { type: 'login_start', method: 'redirect' });
    w.location.assign(url);
  }

  /** Fresh PKCE secrets, state and nonce for one login, and the authorization request URL that carries them. */
  async #authorize(redirectUri: string, extra: Record<string, string>): Promise<{ tx: Transaction; url: string }> {
    const as = await this.#getMetadata();
    const maxAge = extra.max_age ?? this.#options.authorizationParams.max_age;
    if (maxAge !== undefined && !/^\d+$/.test(maxAge))
      throw invalidOption('authorizationParams.max_age', `must be a whole number of seconds (got "${maxAge}")`);
    const { dpop } = this.#options;
    // DPoP: a new key pair for the new session, and the code bound to it with dpop_jkt (RFC 9449 §10).
    const dpopKey = await dpop?.createKey();
    const { codeChallenge, ...secrets } = await createLoginSecrets();
    const tx: Transaction = {
      ...secrets,
      issuer: this.#owner.issuer,
      redirectUri,
      maxAge: maxAge === undefined ? undefined : Number(maxAge),
      dpopKey,
    };
    if (dpopKey) extra = { ...extra, dpop_jkt: await dpop!.thumbprint(dpopKey) };
    let url = authorizationUrl(as, this.#options, { ...tx, codeChallenge, extra });
    if (this.#options.par || as.require_pushed_authorization_requests) {
      url = await (await import('./par.js')).pushAuthorizationRequest(as, this.#options, url);
    }
    return { tx, url: url.href };
  }

  /**
   * Finishes a login: checks the callback against the transaction this tab started, exchanges the code, validates the
   * ID token and signs the user in. Removes the transaction and cleans the address bar whatever happens.
   * @param url the callback URL; default the current location.
   * @returns the `appState` given to the login call.
   * @throws {AuthError} `state_mismatch`, `redirect_uri_mismatch`, `issuer_mismatch`, the server's code
   *   (`access_denied`, `invalid_grant`, ...), `invalid_id_token`, `invalid_response`, `network_error`, `timeout`.
   * @see https://www.rfc-editor.org/rfc/rfc9207
   */
  async handleRedirectCallback(
    url: string = requireWindow('handleRedirectCallback').location.href,
  ): Promise<{ appState: unknown }> {
    try {
      const params = new URL(url).searchParams;
      const state = params.get('state');
      // In the login popup or the silent iframe of a window that waits for exactly this state: hand the URL over. That
      // window holds the PKCE verifier and does the exchange itself; this window is then closed or removed.
      if (state !== pendingState(this.#owner) && postCallbackToParent(url)) {
        debug(this.#options, { type: 'callback', outcome: 'handed_to_opener' });
        return new Promise<never>(() => {});
      }
      cleanAddressBar(url);
      if (!state && !params.has('code') && !params.has('error')) {
        throw new AuthError('invalid_response', `Not an authorization response (no code, state or error): ${url}`);
      }
      const tx = takeTransaction(this.#owner, state);
      checkCallbackUrl(tx, url);
      await this.#finishLogin(params, tx, { interactive: true });
      debug(this.#options, { type: 'callback', outcome: 'success' });
      return { appState: tx.appState };
    } catch (e) {
      const error = this.#failed(e);
      debug(this.#options, { type: 'callback', outcome: 'error', code: error.code });
      throw error;
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
      debug(this.#options, { type: 'login_start', method: 'popup' });
      await this.#loginInChildWindow(this.#options.redirectUri, extra, { timeoutMs, interactive: true }, (href) => {
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
    login: { timeoutMs: number; interactive: boolean },
    navigate: (
      href: string,
      childWindow: typeof import('./windows/child-window.js'),
    ) => { child: () => Window | null; isClosed?: () => boolean; dispose?: () => void; frame?: HTMLIFrameElement },
  ): Promise<TokenResult> {
    // Loaded on first use: apps that never open a popup or iframe do not download this code.
    const childWindow = await import('./windows/child-window.js');
    const { tx, url } = await this.#authorize(redirectUri, extra);
    const forget = expectChildCallback(tx.state);
    let callback: string;
    let target: ReturnType<typeof navigate> | undefined;
    try {
      target = navigate(url, childWindow);
      callback = await childWindow.waitForCallback(
        target.child,
        tx.state,
        login.timeoutMs,
        target.isClosed,
        target.frame,
      );
    } finally {
      forget();
      target?.dispose?.();
    }
    checkCallbackUrl(tx, callback);
    return this.#finishLogin(new URL(callback).searchParams, tx, { interactive: login.interactive });
  }

  /**
   * Turns a validated callback into a session, whichever window delivered it. A silent (non-interactive) login while
   * someone is signed in must be for the same user: the provider's session may have changed hands meanwhile.
   */
  async #finishLogin(params: URLSearchParams, tx: Transaction, login: { interactive: boolean }): Promise<TokenResult> {
    const as = await this.#getMetadata();
    const before = this.#session;
    const dpopKey = tx.dpopKey ?? (await this.#options.dpop?.takePendingKey(tx.state, this.#store));
    const result = await exchangeCode(as, this.#options, params, tx, dpopKey);
    if (!login.interactive && before && result.idTokenClaims?.sub !== before.claims.sub) {
      throw new AuthError(
        'login_required',
        'The provider is signed in as another user now; the session is unchanged: ' +
          'sign in interactively to switch users',
      );
    }
    if (login.interactive) {
      forgetLogout(this.#owner);
      const warning = this.#state.get().warning;
      if (warning && LOGOUT_WARNINGS.includes(warning.code))
        this.#state.set({ ...this.#stateFromSession(), warning: undefined });
    }
    await this.#commit(
      { ...nextSession(undefined, tokenKey(), result, this.#options.refreshTokens), dpopKey },
      { isLogin: login.interactive },
    );
    return result;
  }

  /**
   * Signs in without a visible page: a hidden iframe sends `prompt=none` to the provider, which answers at once from
   * its own session (OpenID Connect Core §3.1.2.1).
   * @throws {AuthError} `login_required`, `consent_required`, `interaction_required` (the server's codes), `timeout`.
   */
  #silentLogin(): Promise<TokenResult> {
    if (loggedOut(this.#owner)) {
      return Promise.reject(
        new AuthError(
          'login_required',
          'Signed out on this site: silent login stays off until the user signs in interactively',
        ),
      );
    }
    debug(this.#options, { type: 'login_start', method: 'iframe' });
    // OpenID Connect Core §3.1.2.1 recommends the hint with prompt=none; some providers (glewlwyd) require it.
    const hint = this.#session?.idToken;
    const params = { prompt: 'none', ...(hint && { id_token_hint: hint }) };
    return this.#loginInChildWindow(
      this.#options.silentRedirectUri!,
      params,
      { timeoutMs: this.#options.timeoutMs, interactive: false },
      (href, childWindow) => {
        const frame = childWindow.openHiddenFrame(href);
        return { child: () => frame.contentWindow, dispose: () => frame.remove(), frame };
      },
    );
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
    if (scope !== undefined && (typeof scope !== 'string' || !scope.trim()))
      throw invalidOption('scope', 'must be a non-empty string');
    const resource = options.resource === undefined ? undefined : ([] as string[]).concat(options.resource);
    const minTtl = options.minTtlSeconds ?? 0;
    if (!Number.isFinite(minTtl)) throw invalidOption('minTtlSeconds', 'must be a finite number');
    const key = tokenKey(scope, resource);
    const cached = this.#session?.tokens.get(key);
    if (!forceRefresh && isFresh(cached, minTtl, this.#options.leewaySeconds)) return cached.accessToken;
    // Renewal is paused after failures (backoff.ts): a token that has not expired is the answer meanwhile.
    if (!forceRefresh && this.#backoff.pauseMs() && isUnexpired(cached)) return cached.accessToken;

    let flight = this.#inflight.get(key);
    if (!flight) {
      flight = this.#renew(key, { scope, resource }, { minTtl, force: forceRefresh, waitForReady: true })
        .catch((e: unknown) => {
          // A failed renewal is not the caller's problem while the current token still works; the next call tries
          // again once the backoff allows. A session that ended has no token left here.
          const current = this.#session?.tokens.get(key);
          if (!forceRefresh && isUnexpired(current)) return current.accessToken;
          throw e;
        })
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, flight);
    }
    return flight;
  }

  async #renew(
    key: string,
    params: { scope?: string | undefined; resource?: string[] | undefined },
    renewal: { minTtl: number; force: boolean; waitForReady: boolean },
  ): Promise<string> {
    if (renewal.waitForReady) await this.ready();
    const before = this.#session?.tokens.get(key);
    return this.#serial(async () => {
      // Check again: the renewal ahead of us in the queue, or in another tab, may have produced what we need
      // (then even a forced renewal is satisfied: that token is newer than the call).
      const cached = this.#session?.tokens.get(key);
      if ((!renewal.force || cached !== before) && isFresh(cached, renewal.minTtl, this.#options.leewaySeconds))
        return cached.accessToken;
      const session = this.#session;
      const reason = !renewal.waitForReady ? 'start' : renewal.force ? 'forced' : cached ? 'expiring' : 'missing';
      if (!session?.refreshToken && this.#options.silentRedirectUri && key === tokenKey()) {
        debug(this.#options, { type: 'renewal', reason, via: 'iframe' });
        return (await this.#silentLogin()).accessToken;
      }
      if (!session) throw new AuthError('login_required', 'Nobody is signed in: call a login method first');
      if (!session.refreshToken) {
        throw new AuthError(
          'missing_refresh_token',
          'The access token expired and there is no refresh token (see refreshTokens, silentRedirectUri): ' +
            'sign in again',
        );
      }
      const as = await this.#getMetadata();
      await this.#backoff.before(renewal.force);
      let result;
      try {
        debug(this.#options, { type: 'renewal', reason, via: 'refresh_token' });
        result = await refresh(as, this.#options, session.refreshToken, params, session.dpopKey);
      } catch (e) {
        const error = toAuthError(e);
        debug(this.#options, { type: 'renewal_failed', code: error.code });
        // The refresh token is dead: end the session instead of retrying forever. Other errors keep it, and pause
        // renewals in every tab before this one lets go of the lock.
        if (error.code === 'invalid_grant' && this.#session === session) await this.#endAfterRejection(error);
        else await this.#backoff.failed(error);
        throw error;
      }
      this.#backoff.succeeded();
      if (this.#session !== session) {
        throw new AuthError('login_required', 'The session ended while the token was being renewed');
      }
      if (result.idTokenClaims && result.idTokenClaims.sub !== session.claims.sub) {
        throw new AuthError(
          'invalid_id_token',
          'The refreshed ID token is for another subject (OIDC Core §12.2); the session is unchanged',
        );
      }
      void this.#commit(nextSession(session, key, result, this.#options.refreshTokens), { isLogin: false });
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
  async fetchWithAuth(
    input: RequestInfo | URL,
    init?: RequestInit,
    options: FetchWithAuthOptions = {},
  ): Promise<Response> {
    // Loaded on first use: apps that never call it do not download it.
    return (await import('./fetch-with-auth.js')).fetchWithAuth(
      { client: this, options: this.#options, session: () => this.#session },
      input,
      init,
      options,
    );
  }

  /**
   * The signed-in user's profile claims, or undefined. `T` types your custom claims (not checked at run time).
   * @example const user = client.getUser<{ sub: string; roles: string[] }>();
   */
  getUser<T extends object = User>(): T | undefined {
    return this.#session?.user as T | undefined;
  }

  /**
   * The raw ID token (a JWT, already validated) of the session, e.g. for `id_token_hint`; undefined when signed
   * out.
   */
  getIdToken(): string | undefined {
    return this.#session?.idToken;
  }

  /** Removes `error` from the state once the app has shown it (the session is unchanged), e.g. before a new login. */
  clearError(): void {
    const state = this.#state.get();
    if (state.error) this.#state.set(state.status === 'loading' ? { status: 'loading' } : this.#stateFromSession());
  }

  /**
   * All claims of the validated ID token, or undefined. Includes `acr`, `amr` and `auth_time`: when you asked for
   * `acr_values`, check `acr` here yourself (the provider may satisfy the request with a weaker method).
   */
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

  /**
   * How many open tabs of this origin (this one included) share the session: 0 when signed out, 1 without Web
   * Locks.
   */
  countTabs(): Promise<number> {
    return this.#tabs.count();
  }

  /**
   * Releases what this client holds in the page: its BroadcastChannel, its Web Lock and its listeners. The session is
   * not ended (other tabs keep it); this client stops sharing renewals with them. Use it when an app replaces a client.
   */
  close(): void {
    this.#tabs.close();
    this.#watching?.();
    this.#watching = undefined;
  }

  /**
   * Signs out: forgets the session in every tab, revokes the refresh token (RFC 7009) when the provider supports it,
   * then sends the browser to the provider's end-session endpoint with `id_token_hint` unless `localOnly`. Until the
   * next interactive login no tab of this origin signs in silently (the provider's session may still be open).
   * A revocation that fails, or a provider without an end-session endpoint, leaves a warning in the state
   * (`revocation_failed`, `provider_session_active`) instead of an error: the user is signed out here either way.
   * @throws {AuthError} `invalid_options` for a bad `returnTo` (not an absolute http(s) URL, or another origin's when
   *   the provider has no end-session endpoint); discovery errors when the provider cannot be reached.
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
   */
  async logout(options: LogoutOptions = {}): Promise<void> {
    const returnTo = options.returnTo ?? this.#options.postLogoutRedirectUri;
    if (options.returnTo !== undefined && !isHttpUrl(options.returnTo)) {
      throw invalidOption('returnTo', `must be an absolute http(s) URL (got "${options.returnTo}")`);
    }
    const session = this.#session;
    const as = await this.#getMetadata().catch((e: unknown) => e as AuthError);
    const metadata = as instanceof Error ? undefined : as;
    // Without an end-session endpoint the SDK navigates itself: only to this origin or the configured URI.
    if (
      metadata &&
      !metadata.end_session_endpoint &&
      !options.localOnly &&
      options.returnTo !== undefined &&
      !isSameOriginOrConfigured(options.returnTo, this.#options.postLogoutRedirectUri)
    ) {
      throw invalidOption(
        'returnTo',
        `must be of this origin or equal postLogoutRedirectUri, as the provider has no end_session_endpoint ` +
          `(got "${options.returnTo}")`,
      );
    }
    rememberLogout(this.#owner);
    await this.#endSession();
    if (!metadata) {
      if (!session && options.localOnly) return;
      throw as;
    }
    const warnings: AuthError[] = [];
    if (session?.refreshToken) {
      if (!metadata.revocation_endpoint) {
        warnings.push(
          new AuthError(
            'revocation_failed',
            `${this.#options.issuer} advertises no revocation_endpoint: the refresh token stays valid there until it ` +
              'expires (if it has one, add it with metadataOverrides)',
          ),
        );
      } else {
        await revoke(metadata, this.#options, session.refreshToken).catch((e: unknown) => {
          const error = toAuthError(e);
          warnings.push(
            new AuthError(
              'revocation_failed',
              `${metadata.revocation_endpoint} refused to revoke the refresh token (${error.code}): it stays valid ` +
                'there until it expires',
              { cause: error },
            ),
          );
        });
      }
    }
    const url = options.localOnly
      ? undefined
      : endSessionUrl(metadata, this.#options, { idToken: session?.idToken, returnTo });
    if (!options.localOnly && !url) {
      warnings.push(
        new AuthError(
          'provider_session_active',
          `${this.#options.issuer} advertises no end_session_endpoint (if it has one, add it with ` +
            'metadataOverrides): its session stays open, so a new login may not ask for a password; silent login ' +
            'stays off until the next sign-in',
        ),
      );
    }
    if (warnings.length) this.#state.set({ status: 'unauthenticated', warning: warnings[0] });
    if (options.localOnly) return;
    const target = url?.href ?? returnTo;
    if (target) requireWindow('logout').location.assign(target);
  }

  /** Replaces the session; settles once it is stored (`cache: 'indexeddb'`) and announced to the other tabs. */
  #commit(session: Session, { isLogin }: { isLogin: boolean }): Promise<void> {
    if (session.idToken !== this.#session?.idToken) this.#clock.observeIssuedAt(session.claims.iat);
    noteDeadlines(session.tokens.values());
    if (!this.#session) clearEnded(this.#id()); // a login (see device-life.ts)
    const announced = this.#tabs.announce(session, { isLogin });
    this.#state.set(this.#stateFromSession());
    return announced;
  }

  /** Ends the session in every tab (logout). */
  #endSession(): Promise<void> {
    // For tabs that hear no message now (frozen, in the back/forward cache): see device-life.ts.
    markEnded(this.#id(), Date.now());
    const ended = this.#tabs.announceEnded();
    this.#state.set({ status: 'unauthenticated' });
    return ended;
  }

  /** Ends the sessions a rejected refresh token belonged to, in every tab; a newer login elsewhere survives. */
  #endAfterRejection(error: AuthError): Promise<void> {
    const version = this.#tabs.version;
    markEnded(this.#id(), version);
    const ended = this.#tabs.announceEnded(version);
    this.#state.set({ status: 'unauthenticated', error });
    return ended;
  }

  /**
   * The tab is back (visible, online, restored from the back/forward cache): drops a session that ended meanwhile
   * in another tab, and takes a newer one if a live tab holds it. The next getAccessToken() renews if needed.
   */
  #resume(): void {
    if (this.#session && this.#tabs.version <= endedUpTo(this.#id())) {
      void this.#tabs.announceEnded(this.#tabs.version);
      this.#state.set({ status: 'unauthenticated' });
    }
    void this.#tabs.rejoin();
  }

  /** The session's identity across tabs: issuer and client id. */
  #id(): string {
    return `${this.#options.issuerUrl.href} ${this.#options.clientId}`;
  }

  #stateFromSession(): AuthState {
    return this.#session ? { status: 'authenticated', user: this.#session.user } : { status: 'unauthenticated' };
  }
}

/**
 * Creates a client and resolves once it knows the starting state (discovery done).
 * @example
 * const auth = await createPkceClient({
 *   issuer: 'https://id.example.com',
 *   clientId: 'spa',
 *   redirectUri: location.origin + '/',
 * });
 * @throws {AuthError} `invalid_options`, and discovery's `network_error`, `timeout`, `issuer_mismatch`,
 *   `invalid_response`.
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

const isHttpUrl = (url: string): boolean => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);

function isSameOriginOrConfigured(url: string, configured: string | undefined): boolean {
  const w = browserWindow();
  return (
    (!!w && new URL(url).origin === w.location.origin) ||
    (configured !== undefined && new URL(url).href === new URL(configured).href)
  );
}

/**
 * "Signed out on purpose" per issuer + client, in localStorage so that every tab and reload of this origin sees it:
 * silent login stays off until an interactive login. It holds no token; a page that sets it can only keep silent login
 * off.
 */
const logoutKey = (owner: TransactionOwner): string => `pkce-spa:logged-out:${owner.issuer} ${owner.clientId}`;

function rememberLogout(owner: TransactionOwner): void {
  // Refused storage: silent login is then only off until this page unloads; nothing to leak either way.
  writeJson(logoutKey(owner), true, localStore());
}

function forgetLogout(owner: TransactionOwner): void {
  removeItem(logoutKey(owner), localStore());
}

function loggedOut(owner: TransactionOwner): boolean {
  return readJson<boolean>(logoutKey(owner), localStore()) === true;
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
