/**
 * pkce-spa for React 18+: `<AuthProvider client>` starts the client and handles the redirect callback, `useAuth()`
 * re-renders on every state change (useSyncExternalStore over `client.subscribe` / `client.getState`), and
 * `<RequireAuth>` sends signed-out users to the provider. Written without JSX; the build adds `'use client'`.
 */
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { AuthError, type AuthState, type LoginOptions, type PkceClient, type User } from '../index.js';
import {
  deliverCallback,
  getReturnTo,
  hasLoggedOut,
  logoutFrom,
  needsLogin,
  redirectOnce,
  retryLogin,
} from '../adapters/start.js';

export { getReturnTo };

/**
 * What {@link useAuth} returns: the state, two booleans derived from it, the client and its methods (bound).
 * `T` types the user's custom claims.
 */
export interface UseAuthResult<T extends object = User> extends AuthState<T> {
  /** `status === 'loading'`: the client does not know yet whether someone is signed in. */
  isLoading: boolean;
  /** `status === 'authenticated'`. */
  isAuthenticated: boolean;
  /** The client given to {@link AuthProvider}, for everything else (`getIdTokenClaims`, `countTabs`, ...). */
  client: PkceClient;
  /** {@link PkceClient.loginWithRedirect}, bound to the client. */
  loginWithRedirect: PkceClient['loginWithRedirect'];
  /** {@link PkceClient.loginWithPopup}, bound to the client. */
  loginWithPopup: PkceClient['loginWithPopup'];
  /** {@link PkceClient.logout}, bound to the client. */
  logout: PkceClient['logout'];
  /** {@link PkceClient.getAccessToken}, bound to the client. */
  getAccessToken: PkceClient['getAccessToken'];
  /** Removes `error` from the state (a failed login that was shown); then a guard may start a login again. */
  clearError: () => void;
  /** Clears the error and starts a redirect login (a "sign in again" button). */
  retryLogin: (options?: LoginOptions) => Promise<void>;
}

type Methods = Pick<
  UseAuthResult,
  'client' | 'loginWithRedirect' | 'loginWithPopup' | 'logout' | 'getAccessToken' | 'clearError' | 'retryLogin'
>;

interface Context extends Methods {
  subscribe: (onChange: () => void) => () => void;
  getState: () => AuthState;
  basename: string;
}

const AuthContext = createContext<Context | undefined>(undefined);

/** Props of {@link AuthProvider}. */
export interface AuthProviderProps {
  /** The app's client, created once outside the component: `new PkceClient(options)`. */
  client: PkceClient;
  /**
   * Called once when this page was a redirect callback, with the `appState` given to `loginWithRedirect` (for example
   * `{ returnTo }`, which {@link RequireAuth} sets; see {@link getReturnTo}) and, when the login failed, its error
   * (also
   * in `useAuth().error`). The address bar is already clean; navigate so your router's location is clean too.
   * @example onRedirectCallback={(appState) => navigate(getReturnTo(appState), { replace: true })}
   * @defaultValue undefined (nothing is called)
   */
  onRedirectCallback?: (appState: unknown, error?: AuthError) => void;
  /**
   * Your router's base path (react-router's `basename`, e.g. `/app`). {@link RequireAuth} stores the return path
   * relative to it, so `appState.returnTo` goes straight to `navigate()`.
   * @defaultValue `''`
   */
  basename?: string;
  /** The app, or the part of it that uses {@link useAuth} and {@link RequireAuth}. */
  children?: ReactNode;
}

/**
 * Provides `client` to {@link useAuth} and starts it with `client.start()` (once per page, StrictMode included: the
 * callback of a login pending in this tab is handled once), then calls `onRedirectCallback(appState, error?)`.
 * A failed callback or discovery is in `useAuth().error`. Put it inside your router to navigate from the callback.
 * @example
 * const client = new PkceClient({ issuer, clientId, redirectUri: location.origin + '/' });
 * function Auth({ children }) {
 *   const navigate = useNavigate();
 *   return (
 *     <AuthProvider client={client} onRedirectCallback={(s) => navigate(getReturnTo(s), { replace: true })}>
 *       {children}
 *     </AuthProvider>
 *   );
 * }
 */
export function AuthProvider({ client, onRedirectCallback, basename = '', children }: AuthProviderProps): ReactNode {
  const value = useMemo<Context>(
    () => ({
      client,
      basename: basename.replace(/\/+$/, ''),
      subscribe: (onChange) => client.subscribe(onChange),
      getState: () => client.getState(),
      loginWithRedirect: (options) => client.loginWithRedirect(options),
      loginWithPopup: (options) => client.loginWithPopup(options),
      logout: (options) => logoutFrom(client, options),
      getAccessToken: (options) => client.getAccessToken(options),
      clearError: () => client.clearError(),
      retryLogin: (options = {}) => retryLogin(client, options),
    }),
    [client, basename],
  );
  const callback = useRef(onRedirectCallback);
  useEffect(() => {
    callback.current = onRedirectCallback;
  });
  useEffect(() => {
    let isMounted = true;
    // StrictMode's first mount is gone by the time the start settles; the live one delivers.
    deliverCallback(
      client,
      (appState, error) => callback.current?.(appState, error),
      () => isMounted,
    );
    return () => {
      isMounted = false;
    };
  }, [client]);
  return createElement(AuthContext.Provider, { value }, children);
}

/**
 * The auth state and the client's methods; re-renders when the state changes. `T` types the user's custom claims
 * (not checked at run time).
 * @example const { user } = useAuth<{ sub: string; roles: string[] }>();
 * @throws {AuthError} `invalid_options` when called outside {@link AuthProvider}.
 */
export function useAuth<T extends object = User>(): UseAuthResult<T> {
  const context = useContext(AuthContext);
  if (!context)
    throw new AuthError(
      'invalid_options',
      'useAuth() must be called inside <AuthProvider client={client}> (pkce-spa/react)',
    );
  // The server snapshot is the client's own state (`loading` during SSR): effects, and so logins, run in the browser
  // only.
  const state = useSyncExternalStore(context.subscribe, context.getState, context.getState);
  return useMemo(() => {
    const { subscribe, getState, basename, ...methods } = context;
    return {
      ...(state as AuthState<T>),
      isLoading: state.status === 'loading',
      isAuthenticated: state.status === 'authenticated',
      ...methods,
    };
  }, [state, context]);
}

/** What an error fallback of {@link RequireAuth} receives. */
export interface AuthErrorFallbackProps {
  /** Why nobody is signed in: the failed callback or discovery, `login_loop`, or a failed `loginWithRedirect`. */
  error: AuthError;
  /** Clears the error and sends the browser to the provider again (back to this page afterwards). */
  retry: () => void;
}

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  /** Rendered once someone is signed in. */
  children?: ReactNode;
  /**
   * Rendered while loading and while the browser is being sent to the provider.
   * @defaultValue `null` (nothing)
   */
  fallback?: ReactNode;
  /**
   * Rendered instead of starting a login when one failed (a cancelled or rejected login, discovery, `login_loop`): a
   * component or render function given `{ error, retry }`.
   * @defaultValue {@link AuthErrorFallback}: a `role="alert"` box with the message and a "Sign in again" button
   */
  errorFallback?: (props: AuthErrorFallbackProps) => ReactNode;
  /**
   * Where to return after the login, router-relative.
   * @defaultValue this page's path under `basename`, with its query and hash
   */
  returnTo?: string;
  /**
   * For the login.
   * @defaultValue `{ appState: { returnTo } }`
   */
  loginOptions?: LoginOptions;
}

/** The default error fallback: visible, with the message and a way to try again. */
export function AuthErrorFallback({ error, retry }: AuthErrorFallbackProps): ReactNode {
  return createElement(
    'div',
    { role: 'alert' },
    createElement('p', null, `Sign-in failed (${error.code}): ${error.description ?? error.message}`),
    createElement('button', { type: 'button', onClick: retry }, 'Sign in again'),
  );
}

/**
 * Renders `children` only for a signed-in user; otherwise renders `fallback` and starts `loginWithRedirect` (once,
 * StrictMode included, never while a redirect is under way). When this page's callback or discovery failed, or
 * automatic logins loop (`login_loop`), it renders `errorFallback` instead of sending the user straight back to the
 * provider; its `retry` clears the error and logs in again.
 */
export function RequireAuth({
  children,
  fallback = null,
  errorFallback = AuthErrorFallback,
  returnTo,
  loginOptions,
}: RequireAuthProps): ReactNode {
  const { status, client } = useAuth();
  const { basename } = useContext(AuthContext)!;
  const [failure, setFailure] = useState<AuthError>();
  const options = useRef<LoginOptions>({});
  useEffect(() => {
    options.current = { appState: { returnTo: returnTo ?? currentPath(basename) }, ...loginOptions };
  });
  useEffect(() => {
    // After a logout from this page, stay on the fallback: the end-session redirect is under way (or, with localOnly,
    // the app decides where to go); a new login here would race it.
    if (status !== 'unauthenticated' || hasLoggedOut(client)) return;
    let isMounted = true;
    const login = { appState: { returnTo: returnTo ?? currentPath(basename) }, ...loginOptions };
    needsLogin(client)
      .then((needed) => {
        if (!isMounted || needed === false) return;
        if (needed !== true) return setFailure(needed);
        return redirectOnce(client, login);
      })
      .catch((e: AuthError) => isMounted && setFailure(e));
    return () => {
      isMounted = false;
    };
    // Only a new status (or client) decides again; the props are read at that moment.
  }, [status, client]);
  if (status === 'authenticated') return children;
  if (failure) {
    const retry = () => {
      setFailure(undefined);
      retryLogin(client, options.current).catch((e: AuthError) => setFailure(e));
    };
    return createElement(errorFallback, { error: failure, retry });
  }
  return fallback;
}

/** This page's path relative to `basename` (router-relative), with query and hash. */
function currentPath(basename: string): string {
  const { pathname, search, hash } = window.location;
  const path =
    basename && (pathname === basename || pathname.startsWith(`${basename}/`))
      ? pathname.slice(basename.length) || '/'
      : pathname;
  return path + search + hash;
}
