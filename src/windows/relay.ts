import { AuthError } from '../errors.js';
import { browserWindow } from '../env.js';
import { readJson, removeItem, writeJson } from '../storage/session-storage.js';

let logins = 0;

/**
 * Opens the login popup. Must run synchronously inside the user's click (before any await) or browsers block it;
 * it starts blank and is navigated once the authorization URL is ready. Each login gets its own window name, so two
 * logins never share (and navigate) one window.
 * @throws {AuthError} `popup_blocked`.
 */
export function openPopup(): Window {
  const w = browserWindow();
  const width = 500;
  const height = 650;
  const name = `pkce-spa-login-${Date.now().toString(36)}-${++logins}`;
  // Centred over this window.
  const popup = w?.open(
    '',
    name,
    `popup,width=${width},height=${height},` +
      `left=${w.screenX + (w.outerWidth - width) / 2},top=${w.screenY + (w.outerHeight - height) / 2}`,
  );
  if (!popup) {
    throw new AuthError(
      'popup_blocked',
      'The browser blocked the login popup: call loginWithPopup() directly in a click handler, before any await',
    );
  }
  return popup;
}

export const MESSAGE_TYPE = 'pkce-spa:callback';

/** sessionStorage key listing the states of popup / iframe logins this window waits for (no secret in it). */
const CHILD_LOGINS = 'pkce-spa:child-logins';

/** Records that this window waits for a child window's callback with `state`; returns the function that forgets it. */
export function expectChildCallback(state: string): () => void {
  writeJson(CHILD_LOGINS, [...(readJson<string[]>(CHILD_LOGINS) ?? []), state]);
  return () => {
    const rest = (readJson<string[]>(CHILD_LOGINS) ?? []).filter((s) => s !== state);
    if (rest.length) writeJson(CHILD_LOGINS, rest);
    else removeItem(CHILD_LOGINS);
  };
}

/**
 * The window that opened this one (popup) or framed it (silent iframe), when it is of this origin and waits for a
 * child login with the state of `url`; otherwise undefined (a normal page, a page another site opened or framed, a
 * stale callback).
 */
export function waitingParent(url: string): Window | undefined {
  const w = browserWindow();
  const target = w && (w.opener && w.opener !== w ? (w.opener as Window) : w.parent !== w ? w.parent : undefined);
  const state = new URL(url).searchParams.get('state');
  try {
    // Reading another window's storage throws unless it is of this origin.
    return state && target && (readJson<string[]>(CHILD_LOGINS, target.sessionStorage) ?? []).includes(state)
      ? target
      : undefined;
  } catch {
    return undefined;
  }
}

/** Hands `url` to the {@link waitingParent} and returns true; false when no window of this origin waits for it. */
export function postCallbackToParent(url: string): boolean {
  const target = waitingParent(url);
  target?.postMessage({ type: MESSAGE_TYPE, url }, browserWindow()!.location.origin);
  return !!target;
}
