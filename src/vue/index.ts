/**
 * pkce-spa for Vue 3.3+: `app.use(createAuth(client))` starts the client and handles the redirect callback,
 * `useAuth()` gives read-only refs that follow the client's state, and `createAuthGuard(client)` is a router guard
 * (any router: it is just `(to) => Promise<boolean>`) that sends signed-out users to the provider.
 */
import { computed, hasInjectionContext, inject, shallowRef, type App, type ComputedRef, type InjectionKey } from 'vue';
import { AuthError, type AuthState, type LoginOptions, type PkceClient, type User } from '../index.js';
import { deliverCallback, getReturnTo, logoutFrom, needsLogin, redirectOnce, retryLogin } from '../adapters/start.js';

export { getReturnTo };

/**
 * What {@link useAuth} returns: read-only refs over the client's state, the client and its methods (bound). `T`
 * types the user's custom claims.
 */
export interface UseAuthResult<T extends object = User> {
  /** The whole {@link AuthState}; a new object each time something changes. */
  state: ComputedRef<AuthState<T>>;
  /** `status === 'loading'`: the client does not know yet whether someone is signed in. */
  isLoading: ComputedRef<boolean>;
  /** `status === 'authenticated'`. */
  isAuthenticated: ComputedRef<boolean>;
  /**
   * The signed-in user's claims (typed with `T`, not checked at run time), or `undefined` while nobody is signed in.
   */
  user: ComputedRef<T | undefined>;
  /** Why the last login, callback or discovery failed, until it is cleared or someone signs in. */
  error: ComputedRef<AuthError | undefined>;
  /** The client given to {@link createAuth}, for everything else (`getIdTokenClaims`, `countTabs`, ...). */
  client: PkceClient;
  /** {@link PkceClient.loginWithRedirect}, bound to the client. */
  loginWithRedirect: PkceClient['loginWithRedirect'];
  /** {@link PkceClient.loginWithPopup}, bound to the client. */
  loginWithPopup: PkceClient['loginWithPopup'];
  /** {@link PkceClient.logout}, bound to the client. */
  logout: PkceClient['logout'];
  /** {@link PkceClient.getAccessToken}, bound to the client. */
  getAccessToken: PkceClient['getAccessToken'];
  /** Removes `error` from the state (a failed login that was shown); then the guard may start a login again. */
  clearError: () => void;
  /** Clears the error and starts a redirect login (a "sign in again" button). */
  retryLogin: (options?: LoginOptions) => Promise<void>;
}

/** The part of a vue-router `Router` the plugin uses (any router with these three methods works). */
export interface RouterLike {
  /** Adds a navigation guard; the plugin's guard waits for the start and drops callback parameters from the route. */
  beforeEach(
    guard: (
      to: RouteLike,
    ) => Promise<true | { path: string; query: Record<string, RouteQueryValue>; hash: string; replace: true }>,
  ): unknown;
  /**
   * Navigates to `to` without a new history entry; the default `onRedirectCallback` goes to the return path with it.
   */
  replace(to: string): Promise<unknown>;
  /** Resolves once the router's first navigation is done; the callback is delivered after it. */
  isReady(): Promise<unknown>;
}

/**
 * One value of a route's query, as vue-router gives it: a string, `null` (a key without `=`), or a repeated key's
 * values.
 */
export type RouteQueryValue = string | null | (string | null)[];

/** The part of a vue-router route the guards read. */
export interface RouteLike {
  /** The path, without query and hash. */
  path: string;
  /** The path with query and hash, as written in the address bar (under the router's base). */
  fullPath: string;
  /** The query parameters, by name. */
  query: Record<string, RouteQueryValue>;
  /** The hash, with its `#` (empty when there is none). */
  hash: string;
}

/** Options of {@link createAuth}. */
export interface AuthPluginOptions {
  /**
   * Called once when this page was a redirect callback, with the `appState` given to `loginWithRedirect` (for example
   * `{ returnTo }`, which {@link createAuthGuard} sets; see {@link getReturnTo}) and, when the login failed, its error
   * (also in `useAuth().error`).
   * @defaultValue with `router`: `router.replace(getReturnTo(appState))` after a success; without it, nothing
   */
  onRedirectCallback?: (appState: unknown, error?: AuthError) => void;
  /**
   * Your vue-router. The plugin then adds a `beforeEach` that waits for the start and drops `code`, `state`, `iss`,
   * `error`... from the route, so the router's first navigation cannot write the callback URL back, on success and
   * on failure alike.
   * @defaultValue undefined (no guard is added)
   */
  router?: RouterLike;
}

/** The plugin returned by {@link createAuth}. */
export interface AuthPlugin {
  /** The client the plugin binds. */
  readonly client: PkceClient;
  /** Called by `app.use()`: provides {@link useAuth} to the app and starts the client. */
  install(app: App): void;
}

const KEY: InjectionKey<UseAuthResult> = Symbol('pkce-spa');
/** What a redirect callback adds to the URL; the router must not keep it (RFC 6749 §4.1.2, RFC 9207). */
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'];

/**
 * A Vue plugin that provides `client` to {@link useAuth} and starts it with `client.start()` (once per page: the
 * callback of a login pending in this tab is handled once), then calls `onRedirectCallback(appState, error?)`. With
 * `router`, the router's first navigation waits for the start and never writes callback parameters back.
 * The app holds one subscription to the client, released when the app unmounts.
 * @example
 * const client = new PkceClient({ issuer, clientId, redirectUri: location.origin + '/' });
 * createApp(App).use(createAuth(client, { router })).use(router).mount('#app');
 */
export function createAuth(client: PkceClient, options: AuthPluginOptions = {}): AuthPlugin {
  return {
    client,
    install(app) {
      const raw = shallowRef(client.getState());
      const state = computed(() => raw.value);
      app.provide(KEY, {
        state,
        isLoading: computed(() => state.value.status === 'loading'),
        isAuthenticated: computed(() => state.value.status === 'authenticated'),
        user: computed(() => state.value.user),
        error: computed(() => state.value.error),
        client,
        loginWithRedirect: (o) => client.loginWithRedirect(o),
        loginWithPopup: (o) => client.loginWithPopup(o),
        logout: (o) => logoutFrom(client, o),
        getAccessToken: (o) => client.getAccessToken(o),
        clearError: () => client.clearError(),
        retryLogin: (o = {}) => retryLogin(client, o),
      });
      // Server-side rendering: the state stays `loading` and nothing starts; an app per request must not leave a
      // listener on a shared client (a server app is never unmounted).
      if (typeof window === 'undefined') return;
      const unsubscribe = client.subscribe((next) => (raw.value = next));
      // app.onUnmount is Vue 3.5+; wrap unmount() on older versions.
      const appWithHook = app as App & { onUnmount?: (fn: () => void) => void };
      if (typeof appWithHook.onUnmount === 'function') appWithHook.onUnmount(unsubscribe);
      else {
        const unmount = app.unmount.bind(app);
        app.unmount = () => {
          unsubscribe();
          unmount();
        };
      }
      const { router } = options;
      const onRedirectCallback =
        options.onRedirectCallback ??
        ((appState: unknown, error?: AuthError) =>
          void (error ? undefined : router?.replace(getReturnTo(appState)).catch(() => undefined)));
      router?.beforeEach(async (to) => {
        await client.start();
        if (!('state' in to.query && ('code' in to.query || 'error' in to.query))) return true;
        const query = { ...to.query };
        for (const p of CALLBACK_PARAMS) delete query[p];
        return { path: to.path, query, hash: to.hash, replace: true };
      });
      // After the router's first navigation (cleaned by the guard above), or it would cancel the app's navigation.
      deliverCallback(client, (appState, error) => {
        const deliver = () => (error ? onRedirectCallback(appState, error) : onRedirectCallback(appState));
        if (router) void router.isReady().then(deliver, deliver);
        else deliver();
      });
    },
  };
}

/**
 * The auth state as read-only refs, and the client's methods. Call it in `setup()` (or anywhere `inject` works).
 * @throws {AuthError} `invalid_options` when the app did not install {@link createAuth}, or outside `setup()`.
 */
export function useAuth<T extends object = User>(): UseAuthResult<T> {
  const auth = hasInjectionContext() ? inject(KEY, undefined) : undefined;
  if (!auth) {
    throw new AuthError(
      'invalid_options',
      'useAuth() needs app.use(createAuth(client)) and must be called in setup() (pkce-spa/vue)',
    );
  }
  return auth as unknown as UseAuthResult<T>;
}

/** Options of {@link createAuthGuard}; `R` is what `onError` returns to the router. */
export interface AuthGuardOptions<R = never> {
  /**
   * For the login.
   * @defaultValue `{ appState: { returnTo: to.fullPath } }`
   */
  loginOptions?: LoginOptions;
  /**
   * What the guard returns instead of starting a login when one failed (this page's callback or discovery, or
   * `login_loop`), e.g. `false` or an error route. The error is also in `useAuth().error` unless it is `login_loop`
   * or `loginWithRedirect`'s own.
   * @defaultValue undefined: the guard rejects and vue-router calls `router.onError`
   */
  onError?: (error: AuthError, to: { fullPath: string }) => R;
}

/**
 * A navigation guard for routes that need a signed-in user. It waits until the client has started (a callback on
 * this page is handled first), resolves `true` for a signed-in user, and otherwise starts `loginWithRedirect` with
 * `appState: { returnTo: to.fullPath }` and resolves `false` (the navigation is cancelled; the page is leaving).
 * During server-side rendering it resolves `true` (the page renders `loading`); the guard in the browser decides.
 * @example
 * const guard = createAuthGuard(client);
 * router.beforeEach((to) => !to.meta.requiresAuth || guard(to));
 * @throws {AuthError} (rejects) with this page's failed callback or discovery error instead of looping through the
 *   provider, or with what `loginWithRedirect` throws; vue-router passes it to `router.onError`.
 */
export function createAuthGuard<R = never>(
  client: PkceClient,
  options: AuthGuardOptions<R> = {},
): (to: { fullPath: string }) => Promise<boolean | R> {
  const failed = (error: AuthError, to: { fullPath: string }): R => {
    if (!options.onError) throw error;
    return options.onError(error, to);
  };
  return async (to) => {
    // Server-side rendering: nobody is signed in there and nothing can redirect; the browser's guard decides.
    if (typeof window === 'undefined') return true;
    const login = await needsLogin(client);
    if (login === false) return true;
    if (login !== true) return failed(login, to);
    try {
      await redirectOnce(client, { appState: { returnTo: to.fullPath }, ...options.loginOptions });
    } catch (e) {
      return failed(e as AuthError, to);
    }
    return false;
  };
}
