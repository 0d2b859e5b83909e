/**
 * What the React and Vue adapters share: starting a client once per page (discovery, then the redirect callback when
 * this URL is one) and starting a login redirect once. Both are memoised per client, because frameworks run effects
 * and guards more than once (React StrictMode mounts twice; a router runs its guard on every navigation) and a
 * callback handled twice fails with `state_mismatch`. Imports only the public surface, like the adapters.
 */
import type { AuthError, LoginOptions, LogoutOptions, PkceClient } from '../index.js';

interface Start {
  /** Settles once the starting state is known; with the callback's `appState` when this page finished a login. */
  done: Promise<{ appState: unknown } | undefined>;
  /** Why starting failed (discovery, or this page's callback); the client's state carries the same object. */
  error?: AuthError;
}

const starts = new WeakMap<PkceClient, Start>();
/** Clients whose callback `appState` has been handed to the app (once per page). */
const delivered = new WeakSet<PkceClient>();
const redirects = new WeakMap<PkceClient, Promise<void>>();
/** Clients logged out from this page, until someone signs in again. */
const loggedOut = new WeakSet<PkceClient>();

/**
 * Starts `client` once per page: `ready()`, then `handleRedirectCallback()` when the current URL is the callback of a
 * login pending in this tab. Later calls return the same {@link Start}. Never rejects: failures are in `error` and in
 * the client's state.
 */
function startClient(client: PkceClient): Start {
  let start = starts.get(client);
  if (!start) {
    const entry = {} as Start;
    entry.done = begin(client).catch((e: AuthError) => {
      entry.error = e;
      return undefined;
    });
    starts.set(client, (start = entry));
  }
  return start;
}

/**
 * Starts `client` and, when this page finished a redirect login, calls `deliver(appState)` once per page however many
 * providers, plugins or StrictMode mounts ask. `isLive` is asked first, so a mount that is gone does not take it.
 */
export function deliverAppState(client: PkceClient, deliver: (appState: unknown) => void, isLive: () => boolean = () => true): void {
  void startClient(client).done.then((result) => {
    if (!result || delivered.has(client) || !isLive()) return;
    delivered.add(client);
    deliver(result.appState);
  });
}

async function begin(client: PkceClient): Promise<{ appState: unknown } | undefined> {
  // In a login popup (or a frame) that landed on the redirect URI: hand the URL to the opener at once. This promise
  // then never settles and the state stays `loading`, so a guarded page cannot start a second login in the popup.
  if (isChildWindowCallback()) return client.handleRedirectCallback();
  await client.ready();
  // ready() leaves the state `loading` exactly when this URL is the callback of a login pending in this tab.
  return client.getState().status === 'loading' ? client.handleRedirectCallback() : undefined;
}

function isChildWindowCallback(): boolean {
  const params = new URL(window.location.href).searchParams;
  const isChild = (!!window.opener && window.opener !== window) || window.parent !== window;
  return isChild && params.has('state') && (params.has('code') || params.has('error'));
}

/**
 * Sends the browser to the provider once, however many components or guards ask; a failed attempt may be retried.
 * @throws {AuthError} what `loginWithRedirect` throws.
 */
export function redirectOnce(client: PkceClient, options: LoginOptions): Promise<void> {
  let redirect = redirects.get(client);
  if (!redirect) {
    redirect = client.loginWithRedirect(options);
    redirect.catch(() => redirects.delete(client));
    redirects.set(client, redirect);
  }
  return redirect;
}

/**
 * Whether an unauthenticated client should be sent to the provider: not when starting failed and nothing happened
 * since (a failed callback or discovery would otherwise loop through the provider forever), and not while starting.
 * Waits for {@link startClient} first, so a callback on this page is never raced by a new login.
 * @returns the error to show instead, `true` to log in, `false` when someone is signed in.
 */
export async function needsLogin(client: PkceClient): Promise<AuthError | boolean> {
  const start = startClient(client);
  await start.done;
  const state = client.getState();
  if (state.status === 'authenticated') return false;
  return state.error && state.error === start.error ? state.error : true;
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
