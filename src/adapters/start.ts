/**
 * What the React and Vue adapters share, over the core's lifecycle (`client.start()`, which runs once per page
 * however often it is called): handing the callback's outcome to the app once, deciding whether a guard may send the
 * browser to the provider, starting that redirect once, and stopping a login loop. Imports only the public surface,
 * like the adapters.
 */
import { AuthError, type LoginOptions, type LogoutOptions, type PkceClient } from '../index.js';

/** Clients whose callback outcome has been handed to the app (once per page). */
const delivered = new WeakSet<PkceClient>();
const redirects = new WeakMap<PkceClient, Promise<void>>();
/** Clients logged out from this page, until someone signs in again. */
const loggedOut = new WeakSet<PkceClient>();
/** The error the start of this page left in the state (a failed callback or discovery), per client. */
const startErrors = new WeakMap<PkceClient, AuthError | undefined>();

/** How many automatic logins (by a guard) may find nobody signed in within {@link AUTO_LOGIN_WINDOW_MS}. */
export const MAX_AUTO_LOGINS = 3;
export const AUTO_LOGIN_WINDOW_MS = 60_000;
const AUTO_LOGINS_KEY = 'pkce-spa:auto-logins';

/**
 * The return path of a login: `appState.returnTo` when it is a path of this app (starts with one `/`), else
 * `fallback`. Both adapters store it router-relative (`to.fullPath` in Vue, the path under `basename` in React), so
 * it goes straight to `router.replace()` / `navigate()`.
 * @example onRedirectCallback: (appState) => router.replace(getReturnTo(appState))
 */
export function getReturnTo(appState: unknown, fallback = '/'): string {
  const to = (appState as { returnTo?: unknown } | null | undefined)?.returnTo;
  return typeof to === 'string' && /^\/(?![/\\])/.test(to) ? to : fallback;
}

/**
 * Starts `client` and, when this page was a redirect callback (success or failure), calls `deliver(appState, error)`
 * once per page however many providers, plugins or StrictMode mounts ask. `isLive` is asked first, so a mount that
 * is gone does not take it.
 */
export function deliverCallback(
  client: PkceClient,
  deliver: (appState: unknown, error?: AuthError) => void,
  isLive: () => boolean = () => true,
): void {
  void started(client).then(({ callback }) => {
    if (!callback || delivered.has(client) || !isLive()) return;
    delivered.add(client);
    if (callback.error) deliver(callback.appState, callback.error);
    else deliver(callback.appState);
  });
}

function started(client: PkceClient) {
  return client.start().then((result) => {
    if (!startErrors.has(client)) startErrors.set(client, client.getState().error);
    return result;
  });
}

/**
 * Whether an unauthenticated client should be sent to the provider by a guard: not while starting (a callback on this
 * page is handled first), and not when starting failed and nobody cleared that error since: a failed callback or
 * discovery would otherwise loop through the provider.
 * @returns the error to show instead, `true` to log in, `false` when someone is signed in.
 */
export async function needsLogin(client: PkceClient): Promise<AuthError | boolean> {
  await started(client);
  const state = client.getState();
  if (state.status === 'authenticated') {
    forgetAutoLogins();
    return false;
  }
  return state.error && state.error === startErrors.get(client) ? state.error : true;
}

/**
 * Sends the browser to the provider once, however many components or guards ask; a failed attempt may be retried.
 * Counts automatic logins in sessionStorage and refuses the one after {@link MAX_AUTO_LOGINS} within
 * {@link AUTO_LOGIN_WINDOW_MS} (someone signing in resets the count).
 * @throws {AuthError} `login_loop`, or what `loginWithRedirect` throws.
 */
export function redirectOnce(client: PkceClient, options: LoginOptions): Promise<void> {
  let redirect = redirects.get(client);
  if (!redirect) {
    redirect = countAutoLogin().then(() => client.loginWithRedirect(options));
    redirect.catch(() => redirects.delete(client));
    redirects.set(client, redirect);
  }
  return redirect;
}

/**
 * What "sign in again" does: clears the shown error and the loop count, then starts a new login (the user asked, so
 * it is not counted as automatic).
 * @throws {AuthError} what `loginWithRedirect` throws.
 */
export function retryLogin(client: PkceClient, options: LoginOptions): Promise<void> {
  client.clearError();
  forgetAutoLogins();
  redirects.delete(client);
  const redirect = client.loginWithRedirect(options);
  redirects.set(client, redirect);
  redirect.catch(() => redirects.delete(client));
  return redirect;
}

async function countAutoLogin(): Promise<void> {
  const now = Date.now();
  const recent = readAutoLogins().filter((at) => now - at < AUTO_LOGIN_WINDOW_MS);
  if (recent.length >= MAX_AUTO_LOGINS) {
    throw new AuthError(
      'login_loop',
      `${recent.length} automatic logins within ${AUTO_LOGIN_WINDOW_MS / 1000} s left nobody signed in, so no ` +
        "new one was started: check that redirectUri is this app's page (same origin) and renders <AuthProvider> " +
        '/ the plugin; then offer "sign in again"',
    );
  }
  writeAutoLogins([...recent, now]);
}

function readAutoLogins(): number[] {
  try {
    const list: unknown = JSON.parse(sessionStorage.getItem(AUTO_LOGINS_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((at): at is number => typeof at === 'number') : [];
  } catch {
    return [];
  }
}

function writeAutoLogins(list: number[]): void {
  try {
    if (list.length) sessionStorage.setItem(AUTO_LOGINS_KEY, JSON.stringify(list));
    else sessionStorage.removeItem(AUTO_LOGINS_KEY);
  } catch {
    // No sessionStorage: no redirect login either (loginWithRedirect fails with storage_unavailable).
  }
}

function forgetAutoLogins(): void {
  writeAutoLogins([]);
}

/**
 * Logs out and remembers it until someone signs in again on this page: a guard that reacts to the state (React's
 * `<RequireAuth>`) must then not start a login of its own. It would race the end-session redirect, and with a
 * `localOnly` logout the provider's session would sign the user straight back in.
 * @throws {AuthError} what `logout` throws (the mark is dropped when the session survived).
 */
export async function logoutFrom(client: PkceClient, options?: LogoutOptions): Promise<void> {
  if (!loggedOut.has(client)) {
    loggedOut.add(client);
    const off = client.subscribe((s) => {
      if (s.status !== 'authenticated') return;
      loggedOut.delete(client);
      off();
    });
  }
  try {
    await client.logout(options);
  } catch (e) {
    if (client.getState().status === 'authenticated') loggedOut.delete(client);
    throw e;
  }
}

/** Whether this page logged `client` out (through {@link logoutFrom}) and nobody has signed in since. */
export function hasLoggedOut(client: PkceClient): boolean {
  return loggedOut.has(client);
}
