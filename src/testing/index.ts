/**
 * pkce-spa/testing: a client for tests whose state the test sets. It is a {@link PkceClient} (so `<AuthProvider>`,
 * `createAuth()` and guards take it) whose every public method is replaced: nothing touches the network, storage,
 * other tabs or `location`. Not part of the main bundle: import it from tests only.
 * @example
 * const client = createTestClient({ user: { sub: 'ada', name: 'Ada', roles: ['admin'] }, accessToken: 'at-1' });
 * render(<AuthProvider client={client}><Orders /></AuthProvider>);
 * client.signOut();            // re-renders signed out
 * client.failWith('access_denied'); // unauthenticated, with error.code === 'access_denied'
 */
import { AuthError, PkceClient } from '../index.js';
import type {
  AuthErrorCode,
  AuthState,
  AuthStateListener,
  GetTokenOptions,
  IdTokenClaims,
  LoginOptions,
  LogoutOptions,
  PopupLoginOptions,
  StartResult,
  User,
} from '../index.js';

/** How a test client starts, and what {@link TestClient.signIn} takes. */
export interface TestSession {
  /**
   * The user's claims (`sub` defaults to `test-user`). Custom claims are allowed.
   * @defaultValue `{ sub: 'test-user' }`
   */
  user?: Partial<User> & Record<string, unknown>;
  /**
   * What `getAccessToken()` returns.
   * @defaultValue `'test-access-token'`
   */
  accessToken?: string;
  /**
   * What `getIdToken()` returns.
   * @defaultValue `'test-id-token'`
   */
  idToken?: string;
  /**
   * Extra ID token claims for `getIdTokenClaims()` (iss, aud, exp, iat are filled in).
   * @defaultValue `{}`
   */
  claims?: Record<string, unknown>;
}

/** What {@link createTestClient} takes: a signed-in session, or a status (and error) to start in. */
export type TestClientInit =
  | (TestSession & {
      /** Start signed in (the default). */
      status?: 'authenticated';
    })
  | {
      /** Start signed out. */
      status: 'unauthenticated';
      /** The error in the state, as after a failed login (an AuthError or a code). */
      error?: AuthError | AuthErrorCode;
    }
  | {
      /** Start as before the client knows whether someone is signed in. */
      status: 'loading';
    };

/** One call the app made, in order: `{ method: 'loginWithRedirect', args: [{ appState }] }`. */
export interface TestCall {
  /** The name of the client method that was called. */
  method:
    'start' | 'ready' | 'loginWithRedirect' | 'loginWithPopup' | 'handleRedirectCallback' | 'getAccessToken' | 'logout';
  /** The arguments it was called with. */
  args: unknown[];
}

const ISSUER = 'https://issuer.test.invalid';

const toError = (error: AuthError | AuthErrorCode, message?: string): AuthError =>
  typeof error === 'string' ? new AuthError(error, message ?? `Test failure: ${error}`) : error;

/**
 * A {@link PkceClient} for tests. Logins do not navigate: they are recorded in {@link TestClient.calls} and resolve
 * (or reject with the error set by {@link TestClient.failNextLogin}); the test then calls {@link TestClient.signIn} or
 * {@link TestClient.failWith} to play the provider's answer.
 */
export class TestClient extends PkceClient {
  /** Every call the app made, in order. */
  readonly calls: TestCall[] = [];
  #state: AuthState;
  #session: (Required<TestSession> & { user: User }) | undefined;
  #nextLoginError: AuthError | undefined;
  #tokenError: AuthError | undefined;
  readonly #listeners = new Set<AuthStateListener>();

  constructor(init: TestClientInit = {}) {
    super({
      issuer: ISSUER,
      clientId: 'test-client',
      redirectUri: `${ISSUER}/callback`,
      metadata: {
        issuer: `${ISSUER}/`,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
      },
    });
    this.#state = { status: 'loading' };
    if (init.status === 'loading') return;
    if (init.status === 'unauthenticated') this.signOut(init.error);
    else this.signIn(init);
  }

  // --- What the test controls -----------------------------------------------------------------------------------

  /** Signs `session.user` in (every listener hears it). */
  signIn(session: TestSession = {}): void {
    const user = { sub: 'test-user', ...session.user } as User;
    this.#session = {
      user,
      accessToken: session.accessToken ?? 'test-access-token',
      idToken: session.idToken ?? 'test-id-token',
      claims: session.claims ?? {},
    };
    this.#tokenError = undefined;
    this.#set({ status: 'authenticated', user });
  }

  /** Signs out; with `error` (an AuthError or a code) the state carries it, as after a failed login. */
  signOut(error?: AuthError | AuthErrorCode): void {
    this.#session = undefined;
    this.#set(
      error === undefined ? { status: 'unauthenticated' } : { status: 'unauthenticated', error: toError(error) },
    );
  }

  /** Back to `loading`, as before the client knows whether someone is signed in. */
  setLoading(): void {
    this.#set({ status: 'loading' });
  }

  /** A failed login: signed out with an AuthError of this code in the state (as after a cancel at the provider). */
  failWith(code: AuthErrorCode, message?: string): void {
    this.signOut(toError(code, message));
  }

  /** The next login call rejects with this error (and records it in the state, as the real client does). */
  failNextLogin(code: AuthErrorCode, message?: string): void {
    this.#nextLoginError = toError(code, message);
  }

  /** `getAccessToken()` rejects with this error until the next {@link signIn} (`undefined` clears it). */
  failTokens(code: AuthErrorCode | undefined, message?: string): void {
    this.#tokenError = code === undefined ? undefined : toError(code, message);
  }

  // --- PkceClient's public API ------------------------------------------------------------------------------------

  /** Records the call and resolves at once (no discovery). */
  override ready(): Promise<void> {
    this.calls.push({ method: 'ready', args: [] });
    return Promise.resolve();
  }

  /** Records the call and resolves with `{}`: the double's page is never a callback. */
  override start(): Promise<StartResult> {
    this.calls.push({ method: 'start', args: [] });
    return Promise.resolve({});
  }

  /** Does nothing: the double holds no channel, lock or listener of the page. */
  override close(): void {}

  /** Removes the error from the state and keeps the status, as the real client does. */
  override clearError(): void {
    if (this.#state.error)
      this.#set({ status: this.#state.status, ...(this.#state.user && { user: this.#state.user }) });
  }

  /**
   * Records the call; rejects with the error set by {@link TestClient.failNextLogin}, else resolves (no navigation).
   */
  override loginWithRedirect(options: LoginOptions = {}): Promise<void> {
    this.calls.push({ method: 'loginWithRedirect', args: [options] });
    return this.#login();
  }

  /** Records the call; rejects with the error set by {@link TestClient.failNextLogin}, else resolves (no popup). */
  override loginWithPopup(options: PopupLoginOptions = {}): Promise<void> {
    this.calls.push({ method: 'loginWithPopup', args: [options] });
    return this.#login();
  }

  #login(): Promise<void> {
    const error = this.#nextLoginError;
    this.#nextLoginError = undefined;
    if (!error) return Promise.resolve();
    this.#set({ ...this.#stateOfSession(), error });
    return Promise.reject(error);
  }

  /** Records the call and resolves with `{ appState: undefined }`. */
  override handleRedirectCallback(url?: string): Promise<{ appState: unknown }> {
    this.calls.push({ method: 'handleRedirectCallback', args: url === undefined ? [] : [url] });
    return Promise.resolve({ appState: undefined });
  }

  /**
   * Records the call; resolves with the session's access token, or rejects (`login_required`, or the {@link
   * TestClient.failTokens} error).
   */
  override getAccessToken(options: GetTokenOptions = {}): Promise<string> {
    this.calls.push({ method: 'getAccessToken', args: [options] });
    if (this.#tokenError) return Promise.reject(this.#tokenError);
    if (!this.#session) return Promise.reject(new AuthError('login_required', 'Nobody is signed in (test client)'));
    return Promise.resolve(this.#session.accessToken);
  }

  /** Records the call and signs out (no navigation). */
  override logout(options: LogoutOptions = {}): Promise<void> {
    this.calls.push({ method: 'logout', args: [options] });
    this.signOut();
    return Promise.resolve();
  }

  /** The session's user claims, or undefined when signed out. */
  override getUser<T extends object = User>(): T | undefined {
    return this.#session?.user as T | undefined;
  }

  /** The session's `idToken`, or undefined when signed out. */
  override getIdToken(): string | undefined {
    return this.#session?.idToken;
  }

  /** The user's claims with `iss`, `aud`, `iat` and `exp` filled in, and the session's extra `claims`. */
  override getIdTokenClaims(): IdTokenClaims | undefined {
    const s = this.#session;
    if (!s) return undefined;
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: `${ISSUER}/`,
      aud: 'test-client',
      iat: now,
      exp: now + 3600,
      ...s.user,
      ...s.claims,
    } as IdTokenClaims;
  }

  /** Whether the double is signed in. */
  override isAuthenticated(): boolean {
    return this.#session !== undefined;
  }

  /** The current {@link AuthState}; the same object until something changes. */
  override getState(): AuthState {
    return this.#state;
  }

  /** Calls `listener` with each new {@link AuthState}; returns the function that unsubscribes. */
  override subscribe(listener: AuthStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** 1 while signed in, else 0 (the double has no other tabs). */
  override countTabs(): Promise<number> {
    return Promise.resolve(this.#session ? 1 : 0);
  }

  #stateOfSession(): AuthState {
    return this.#session ? { status: 'authenticated', user: this.#session.user } : { status: 'unauthenticated' };
  }

  #set(next: AuthState): void {
    this.#state = Object.freeze({ ...next });
    for (const listener of [...this.#listeners]) listener(this.#state);
  }
}

/**
 * Creates a {@link TestClient}: signed in by default (`sub: 'test-user'`, access token `test-access-token`).
 * @example
 * createTestClient({ user: { sub: 'ada', roles: ['admin'] } });
 * createTestClient({ status: 'unauthenticated', error: 'access_denied' });
 * createTestClient({ status: 'loading' });
 */
export function createTestClient(init?: TestClientInit): TestClient {
  return new TestClient(init);
}
