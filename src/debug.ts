/**
 * Debug events: what the `debug` option receives. Each call site is one line (`debug(o, { type: ... })`), so an app
 * that does not set the option pays only for those object literals. No event carries a token, a code, a verifier, a
 * state or a nonce: only what happened, why, and the error code when something failed.
 */
import type { AuthErrorCode } from './errors.js';

/** One structured event for the `debug` option. */
export type DebugEvent =
  /**
   * Provider metadata resolved: from the `metadata` option, the sessionStorage cache or the network (never from
   * another tab).
   */
  | {
      /** The event's kind. */
      type: 'discovery';
      /** Where the metadata came from: the `metadata` option, the sessionStorage cache or the network. */
      source: 'options' | 'cache' | 'network';
    }
  /** A login began: a redirect, a popup, or the hidden iframe (`prompt=none`). */
  | {
      /** The event's kind. */
      type: 'login_start';
      /** How the login runs: a full-page redirect, a popup, or the hidden iframe (`prompt=none`). */
      method: 'redirect' | 'popup' | 'iframe';
    }
  /**
   * A redirect callback was seen on this page: `success`, `error` (with the code), `stale` (callback parameters with
   * no login pending in this tab), or `handed_to_opener` (a popup or iframe passed the URL to the window that started
   * it).
   */
  | {
      /** The event's kind. */
      type: 'callback';
      /** What became of the callback: `success`, `error`, `stale` or `handed_to_opener`. */
      outcome: 'success' | 'error' | 'stale' | 'handed_to_opener';
      /** The error code, when `outcome` is `error`. */
      code?: AuthErrorCode;
    }
  /**
   * An access token is being renewed: why (`missing`, `expiring`, `forced`, `start` = checking a stored session) and
   * how.
   */
  | {
      /** The event's kind. */
      type: 'renewal';
      /**
       * Why the token is renewed: none cached, about to expire, `forceRefresh`, or checking a stored session on
       * start.
       */
      reason: 'missing' | 'expiring' | 'forced' | 'start';
      /** How it is renewed: with the refresh token, or with a `prompt=none` login in a hidden iframe. */
      via: 'refresh_token' | 'iframe';
    }
  /** A renewal failed with this code (the session is kept unless the code is `invalid_grant`). */
  | {
      /** The event's kind. */
      type: 'renewal_failed';
      /** The error code the renewal failed with. */
      code: AuthErrorCode;
    }
  /** A session (or its end) came from another tab, or from the IndexedDB record on start-up. */
  | {
      /** The event's kind. */
      type: 'tab_adoption';
      /** Where the session came from: another tab (BroadcastChannel) or the IndexedDB record. */
      from: 'tab' | 'storage';
      /** Whether the adopted state has someone signed in (`false`: a logout was adopted). */
      signedIn: boolean;
    }
  /** The cross-tab renewal lock was granted after this many milliseconds. */
  | {
      /** The event's kind. */
      type: 'lock_wait';
      /** How long this tab waited for the lock, in milliseconds. */
      waitedMs: number;
    }
  /** IndexedDB refused (`cache: 'indexeddb'`): the session now lives in memory only. */
  | {
      /** The event's kind. */
      type: 'storage_fallback';
      /** The storage that refused. */
      storage: 'indexeddb';
    }
  /** The start-up `prompt=none` attempt ended. */
  | {
      /** The event's kind. */
      type: 'silent_login';
      /** Whether the `prompt=none` attempt signed someone in. */
      outcome: 'success' | 'error';
      /** The error code, when `outcome` is `error` (`login_required` when nobody is signed in at the provider). */
      code?: AuthErrorCode;
    };

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
