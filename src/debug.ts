/**
 * Debug events: what the `debug` option receives. Each call site is one line (`debug(o, { type: ... })`), so an app
 * that does not set the option pays only for those object literals. No event carries a token, a code, a verifier, a
 * state or a nonce: only what happened, why, and the error code when something failed.
 */
import type { AuthErrorCode } from './errors.js';

/** One structured event for the `debug` option. */
export type DebugEvent =
  /** Provider metadata resolved: from the `metadata` option, the sessionStorage cache or the network (never from another tab). */
  | { type: 'discovery'; source: 'options' | 'cache' | 'network' }
  /** A login began: a redirect, a popup, or the hidden iframe (`prompt=none`). */
  | { type: 'login_start'; method: 'redirect' | 'popup' | 'iframe' }
  /**
   * A redirect callback was seen on this page: `success`, `error` (with the code), `stale` (callback parameters with
   * no login pending in this tab), or `handed_to_opener` (a popup or iframe passed the URL to the window that started it).
   */
  | { type: 'callback'; outcome: 'success' | 'error' | 'stale' | 'handed_to_opener'; code?: AuthErrorCode }
  /** An access token is being renewed: why (`missing`, `expiring`, `forced`, `start` = checking a stored session) and how. */
  | { type: 'renewal'; reason: 'missing' | 'expiring' | 'forced' | 'start'; via: 'refresh_token' | 'iframe' }
  /** A renewal failed with this code (the session is kept unless the code is `invalid_grant`). */
  | { type: 'renewal_failed'; code: AuthErrorCode }
  /** A session (or its end) came from another tab, or from the IndexedDB record on start-up. */
  | { type: 'tab_adoption'; from: 'tab' | 'storage'; signedIn: boolean }
  /** The cross-tab renewal lock was granted after this many milliseconds. */
  | { type: 'lock_wait'; waitedMs: number }
  /** IndexedDB refused (`cache: 'indexeddb'`): the session now lives in memory only. */
  | { type: 'storage_fallback'; storage: 'indexeddb' }
  /** The start-up `prompt=none` attempt ended. */
  | { type: 'silent_login'; outcome: 'success' | 'error'; code?: AuthErrorCode };

/** The `debug` option's type. */
export type DebugListener = (event: DebugEvent) => void;

/** Sends `event` to the `debug` option, if set. A throwing listener never breaks a login. */
export function debug(o: { debug?: DebugListener | undefined }, event: DebugEvent): void {
  try {
    o.debug?.(event);
  } catch {
    // A debug listener is the app's code; the SDK goes on.
  }
}
