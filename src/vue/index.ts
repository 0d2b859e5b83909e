/**
 * pkce-spa for Vue 3.3+: `app.use(createAuth(client))` starts the client and handles the redirect callback,
 * `useAuth()` gives read-only refs that follow the client's state, and `createAuthGuard(client)` is a router guard
 * (any router: it is just `(to) => Promise<boolean>`) that sends signed-out users to the provider.
 */
import { computed, hasInjectionContext, inject, shallowRef, type App, type ComputedRef, type InjectionKey } from 'vue';
import { AuthError, type AuthState, type LoginOptions, type PkceClient, type User } from '../index.js';
import { deliverAppState, needsLogin, redirectOnce } from '../adapters/start.js';

/** What {@link useAuth} returns: read-only refs over the client's state, the client and its methods (bound). */
export interface UseAuthResult {
  /** The whole {@link AuthState}; a new object each time something changes. */
  state: ComputedRef<AuthState>;
  /** `status === 'loading'`: the client does not know yet whether someone is signed in. */
  isLoading: ComputedRef<boolean>;
  /** `status === 'authenticated'`. */
  isAuthenticated: ComputedRef<boolean>;
  /** The signed-in user's profile claims, or undefined. */
  user: ComputedRef<User | undefined>;
  /** {@link AuthState.error}: why start-up, a login or the callback failed, or why the session ended. */
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
}

/** Options of {@link createAuth}. */
export interface AuthPluginOptions {
  /**
   * Called once when this page finished a redirect login, with the `appState` given to `loginWithRedirect` (for
   * example `{ returnTo }`, which {@link createAuthGuard} sets).
   */
  onRedirectCallback?: (appState: unknown) => void;
}

/** The plugin returned by {@link createAuth}. */
export interface AuthPlugin {
  /** The client the plugin binds. */
  readonly client: PkceClient;
  /** Called by `app.use()`: provides {@link useAuth} to the app and starts the client. */
  install(app: App): void;
}

const KEY: InjectionKey<UseAuthResult> = Symbol('pkce-spa');

/**
 * A Vue plugin that provides `client` to {@link useAuth} and starts it: `ready()`, then `handleRedirectCallback()`
 * when the URL is the callback of a login pending in this tab (once per page), then `onRedirectCallback(appState)`.
 * The app holds one subscription to the client, released when the app unmounts.
 * @example
 * const client = new PkceClient({ issuer, clientId, redirectUri: location.origin + '/' });
 * createApp(App).use(router).use(createAuth(client, { onRedirectCallback: (appState) => router.replace(returnTo(appState)) })).mount('#app');
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
        logout: (o) => client.logout(o),
        getAccessToken: (o) => client.getAccessToken(o),
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
      deliverAppState(client, (appState) => options.onRedirectCallback?.(appState));
    },
  };
}

/**
 * The auth state as read-only refs, and the client's methods. Call it in `setup()` (or anywhere `inject` works).
 * @throws {AuthError} `invalid_options` when the app did not install {@link createAuth}, or outside `setup()`.
 */
export function useAuth(): UseAuthResult {
  const auth = hasInjectionContext() ? inject(KEY, undefined) : undefined;
  if (!auth) {
    throw new AuthError('invalid_options', 'useAuth() needs app.use(createAuth(client)) and must be called in setup() (pkce-spa/vue)');
  }
  return auth;
}

/** Options of {@link createAuthGuard}. */
export interface AuthGuardOptions {
  /** For the login; `appState` defaults to `{ returnTo: to.fullPath }`. */
  loginOptions?: LoginOptions;
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
export function createAuthGuard(client: PkceClient, options: AuthGuardOptions = {}): (to: { fullPath: string }) => Promise<boolean> {
  return async (to) => {
    // Server-side rendering: nobody is signed in there and nothing can redirect; the browser's guard decides.
    if (typeof window === 'undefined') return true;
    const login = await needsLogin(client);
    if (login === false) return true;
    if (login !== true) throw login;
    await redirectOnce(client, { appState: { returnTo: to.fullPath }, ...options.loginOptions });
    return false;
  };
}
