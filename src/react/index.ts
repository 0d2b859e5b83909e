/**
 * pkce-spa for React 18+: `<AuthProvider client>` starts the client and handles the redirect callback, `useAuth()`
 * re-renders on every state change (useSyncExternalStore over `client.subscribe` / `client.getState`), and
 * `<RequireAuth>` sends signed-out users to the provider. Written without JSX; the build adds `'use client'`.
 */
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { AuthError, type AuthState, type LoginOptions, type PkceClient } from '../index.js';
import { deliverAppState, hasLoggedOut, logoutFrom, needsLogin, redirectOnce } from '../adapters/start.js';

/** What {@link useAuth} returns: the state, two booleans derived from it, the client and its methods (bound). */
export interface UseAuthResult extends AuthState {
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
}

type Methods = Pick<UseAuthResult, 'client' | 'loginWithRedirect' | 'loginWithPopup' | 'logout' | 'getAccessToken'>;

interface Context extends Methods {
  subscribe: (onChange: () => void) => () => void;
  getState: () => AuthState;
}

const AuthContext = createContext<Context | undefined>(undefined);

/** Props of {@link AuthProvider}. */
export interface AuthProviderProps {
  /** The app's client, created once outside the component: `new PkceClient(options)`. */
  client: PkceClient;
  /**
   * Called once when this page finished a redirect login, with the `appState` given to `loginWithRedirect` (for
   * example `{ returnTo }`, which {@link RequireAuth} sets). The address bar is already clean.
   */
  onRedirectCallback?: (appState: unknown) => void;
  /** The app. */
  children?: ReactNode;
}

/**
 * Provides `client` to {@link useAuth} and starts it: `ready()`, then `handleRedirectCallback()` when the URL is the
 * callback of a login pending in this tab (exactly once, StrictMode included), then `onRedirectCallback(appState)`.
 * A failed callback or discovery is in `useAuth().error`.
 * @example
 * const client = new PkceClient({ issuer, clientId, redirectUri: location.origin + '/' });
 * createRoot(el).render(createElement(AuthProvider, { client, onRedirectCallback: (appState) => navigate(returnTo(appState)) }, createElement(App)));
 */
export function AuthProvider({ client, onRedirectCallback, children }: AuthProviderProps): ReactNode {
  const value = useMemo<Context>(() => ({
    client,
    subscribe: (onChange) => client.subscribe(onChange),
    getState: () => client.getState(),
    loginWithRedirect: (options) => client.loginWithRedirect(options),
    loginWithPopup: (options) => client.loginWithPopup(options),
    logout: (options) => logoutFrom(client, options),
    getAccessToken: (options) => client.getAccessToken(options),
  }), [client]);
  const callback = useRef(onRedirectCallback);
  useEffect(() => {
    callback.current = onRedirectCallback;
  });
  useEffect(() => {
    let isMounted = true;
    // StrictMode's first mount is gone by the time the start settles; the live one delivers.
    deliverAppState(client, (appState) => callback.current?.(appState), () => isMounted);
    return () => {
      isMounted = false;
    };
  }, [client]);
  return createElement(AuthContext.Provider, { value }, children);
}

/**
 * The auth state and the client's methods; re-renders when the state changes.
 * @throws {AuthError} `invalid_options` when called outside {@link AuthProvider}.
 */
export function useAuth(): UseAuthResult {
  const context = useContext(AuthContext);
  if (!context) throw new AuthError('invalid_options', 'useAuth() must be called inside <AuthProvider client={client}> (pkce-spa/react)');
  // The server snapshot is the client's own state (`loading` during SSR): effects, and so logins, run in the browser only.
  const state = useSyncExternalStore(context.subscribe, context.getState, context.getState);
  return useMemo(() => {
    const { subscribe, getState, ...methods } = context;
    return { ...state, isLoading: state.status === 'loading', isAuthenticated: state.status === 'authenticated', ...methods };
  }, [state, context]);
}

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  /** Rendered once someone is signed in. */
  children?: ReactNode;
  /** Rendered while loading and while the browser is being sent to the provider. Default: nothing. */
  fallback?: ReactNode;
  /** For the login; `appState` defaults to `{ returnTo: path + query + hash }` of the current page. */
  loginOptions?: LoginOptions;
}

/**
 * Renders `children` only for a signed-in user; otherwise renders `fallback` and starts `loginWithRedirect` (once,
 * StrictMode included). When this page's callback or discovery failed, it throws that `AuthError` to the nearest
 * error boundary instead of sending the user straight back to the provider, which could loop.
 * @throws {AuthError} the failed callback's or discovery's error, or what `loginWithRedirect` throws, during render.
 */
export function RequireAuth({ children, fallback = null, loginOptions }: RequireAuthProps): ReactNode {
  const { status, client } = useAuth();
  const [failure, setFailure] = useState<AuthError>();
  const options = useRef(loginOptions);
  useEffect(() => {
    options.current = loginOptions;
  });
  useEffect(() => {
    // After a logout from this page, stay on the fallback: the end-session redirect is under way (or, with localOnly,
    // the app decides where to go); a new login here would race it.
    if (status !== 'unauthenticated' || hasLoggedOut(client)) return;
    let isMounted = true;
    const { pathname, search, hash } = window.location;
    needsLogin(client)
      .then((login) => {
        if (!isMounted || login === false) return;
        if (login !== true) return setFailure(login);
        return redirectOnce(client, { appState: { returnTo: pathname + search + hash }, ...options.current });
      })
      .catch((e: AuthError) => isMounted && setFailure(e));
    return () => {
      isMounted = false;
    };
  }, [status, client]);
  if (failure) throw failure;
  return status === 'authenticated' ? children : fallback;
}
