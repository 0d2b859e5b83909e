import { AuthError } from './errors.js';
import { browserWindow } from './env.js';

/**
 * Opens the login popup. Must run synchronously inside the user's click (before any await) or browsers block it;
 * it starts blank and is navigated once the authorization URL is ready.
 * @throws {AuthError} `popup_blocked`.
 */
export function openPopup(): Window {
  const w = browserWindow();
  const width = 500;
  const height = 650;
  // Centred over this window.
  const popup = w?.open('', 'pkce-spa-login', `popup,width=${width},height=${height},left=${w.screenX + (w.outerWidth - width) / 2},top=${w.screenY + (w.outerHeight - height) / 2}`);
  if (!popup) {
    throw new AuthError('popup_blocked', 'The browser blocked the login popup: call loginWithPopup() directly in a click handler, before any await');
  }
  return popup;
}

export const MESSAGE_TYPE = 'pkce-spa:callback';

/**
 * In a popup or a hidden iframe that landed on the redirect URI: hands the URL to the window that opened it (same
 * origin only) and returns true. Returns false in a normal top-level page.
 */
export function postCallbackToParent(url: string): boolean {
  const w = browserWindow();
  const target = w && (w.opener && w.opener !== w ? (w.opener as Window) : w.parent !== w ? w.parent : undefined);
  target?.postMessage({ type: MESSAGE_TYPE, url }, w!.location.origin);
  return !!target;
}
