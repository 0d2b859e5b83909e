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
  const left = w ? w.screenX + (w.outerWidth - width) / 2 : 0;
  const top = w ? w.screenY + (w.outerHeight - height) / 2 : 0;
  const popup = w?.open('', 'pkce-spa-login', `popup,width=${width},height=${height},left=${left},top=${top}`);
  if (!popup) {
    throw new AuthError('popup_blocked', 'The browser blocked the login popup: call loginWithPopup() directly in a click handler, before any await');
  }
  return popup;
}

/** Loads `url` in a hidden iframe appended to the document; call `remove()` on every outcome. */
export function openHiddenFrame(url: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
  frame.src = url;
  document.body.appendChild(frame);
  return frame;
}
