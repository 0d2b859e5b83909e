/**
 * Loaded on demand (a separate chunk in the ESM build): what popup login and hidden-iframe renewal share: the child window ends on our redirect URI and hands its URL to us
 * with postMessage; we accept it only from our own origin, from that very window, and for the state we sent.
 * Every listener and timer is disposed on success, error, timeout and close.
 */
import { AuthError } from './errors.js';
import { browserWindow, clearTimer, setTimer } from './env.js';
import { MESSAGE_TYPE } from './popup.js';

interface CallbackMessage {
  type: string;
  url: string;
}

/**
 * Waits for the callback URL from `child` (a popup or an iframe's window).
 * @param isClosed polled every 250 ms; when it returns true the wait fails with `popup_closed`.
 * @throws {AuthError} `timeout`, `popup_closed`.
 */
export function waitForCallback(
  child: () => Window | null,
  state: string,
  timeoutMs: number,
  isClosed?: () => boolean,
): Promise<string> {
  const w = browserWindow()!;
  return new Promise<string>((resolve, reject) => {
    /** Every outcome ends here: the listener and both timers go, then the promise settles. */
    const done = (url: string | undefined, error?: AuthError): void => {
      w.removeEventListener('message', onMessage);
      clearTimer(timer);
      clearInterval(poll);
      if (error) reject(error);
      else resolve(url!);
    };
    const onMessage = (event: MessageEvent): void => {
      const data = event.data as Partial<CallbackMessage> | null;
      if (event.origin !== w.location.origin || event.source !== child() || data?.type !== MESSAGE_TYPE) return;
      if (typeof data.url !== 'string' || !URL.canParse(data.url) || new URL(data.url).searchParams.get('state') !== state) return;
      done(data.url);
    };
    const timer = setTimer(() => done(undefined, new AuthError('timeout', `The login window did not answer within ${timeoutMs} ms`)), timeoutMs);
    const poll = isClosed
      ? setInterval(() => isClosed() && done(undefined, new AuthError('popup_closed', 'The login popup was closed before the login finished')), 250)
      : undefined;
    w.addEventListener('message', onMessage);
  });
}

/** Loads `url` in a hidden iframe appended to the document; the caller removes it on every outcome. */
export function openHiddenFrame(url: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
  frame.src = url;
  document.body.appendChild(frame);
  return frame;
}
