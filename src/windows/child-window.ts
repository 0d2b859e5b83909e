/**
 * Loaded on demand (a separate chunk in the ESM build): what popup login and hidden-iframe renewal share: the child
 * window ends on our redirect URI and hands its URL to us with postMessage; we accept it only from our own origin,
 * from that very window, and for the state we sent.
 * Every listener and timer is disposed on success, error, timeout and close.
 */
import { AuthError } from '../errors.js';
import { browserWindow, clearTimer, setTimer } from '../env.js';
import { MESSAGE_TYPE } from './relay.js';

interface CallbackMessage {
  type: string;
  url: string;
}

/**
 * How long a hidden frame may rest on a page that is not our callback before the silent login gives up: a provider
 * that cannot answer `prompt=none` at once shows a login page instead (or the browser refuses to frame it, which
 * also fires `load`). A provider page that redirects on by script gets this long after each load.
 */
export const FRAME_GRACE_MS = 2000;

/**
 * Waits for the callback URL from `child` (a popup or an iframe's window).
 * @param isClosed polled every 250 ms; when it returns true the wait fails with `popup_closed`.
 * @param frame the hidden iframe of a silent login: when it comes to rest on any page but our callback, the wait
 *   fails with `login_required` {@link FRAME_GRACE_MS} after that page's load instead of waiting `timeoutMs`.
 * @throws {AuthError} `timeout`, `popup_closed`, `login_required`.
 */
export function waitForCallback(
  child: () => Window | null,
  state: string,
  timeoutMs: number,
  isClosed?: () => boolean,
  frame?: HTMLIFrameElement,
): Promise<string> {
  const w = browserWindow()!;
  return new Promise<string>((resolve, reject) => {
    /** Every outcome ends here: the listener and both timers go, then the promise settles. */
    const done = (url: string | undefined, error?: AuthError): void => {
      w.removeEventListener('message', onMessage);
      frame?.removeEventListener('load', onLoad);
      clearTimer(grace);
      clearTimer(timer);
      clearInterval(poll);
      if (error) reject(error);
      else resolve(url!);
    };
    const onMessage = (event: MessageEvent): void => {
      const data = event.data as Partial<CallbackMessage> | null;
      if (event.origin !== w.location.origin || event.source !== child() || data?.type !== MESSAGE_TYPE) return;
      if (
        typeof data.url !== 'string' ||
        !URL.canParse(data.url) ||
        new URL(data.url).searchParams.get('state') !== state
      )
        return;
      done(data.url);
    };
    let grace: ReturnType<typeof setTimer> | undefined;
    const onLoad = (): void => {
      clearTimer(grace);
      let href: string | undefined;
      try {
        // Readable only when the frame is on our origin: our callback page (or a blank start).
        href = frame!.contentWindow?.location.href;
      } catch {
        // Cross-origin: the provider's page, or the browser's error page for a refused frame.
      }
      if (href === 'about:blank') return;
      if (href && URL.canParse(href) && new URL(href).searchParams.get('state') === state) return done(href);
      grace = setTimer(
        () =>
          done(
            undefined,
            new AuthError(
              'login_required',
              'The provider showed a page (login, consent, or a refused frame) instead of answering prompt=none: ' +
                'show the login button',
            ),
          ),
        FRAME_GRACE_MS,
      );
    };
    frame?.addEventListener('load', onLoad);
    const timer = setTimer(
      () => done(undefined, new AuthError('timeout', `The login window did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const poll = isClosed
      ? setInterval(
          () =>
            isClosed() &&
            done(undefined, new AuthError('popup_closed', 'The login popup was closed before the login finished')),
          250,
        )
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
