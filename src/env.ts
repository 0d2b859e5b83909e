/**
 * Lazy access to browser globals, a clock and timers. Nothing here runs at import time, so the module graph can
 * be imported during server-side rendering. Timers are wrapped so fake timers installed after import still apply.
 */

/** Current time in epoch seconds (fractional). */
export const nowSeconds = (): number => Date.now() / 1000;

/**
 * A clock that only moves forward, in seconds from an arbitrary origin (the page's `performance.now()`); the wall
 * clock (`Date.now()`) can be set back by the user or NTP. Falls back to the wall clock where there is no
 * `performance`.
 */
export const monotonicSeconds = (): number =>
  (typeof performance === 'undefined' ? Date.now() : performance.now()) / 1000;

export const setTimer = (fn: () => void, ms: number): ReturnType<typeof setTimeout> => setTimeout(fn, ms);
export const clearTimer = (id: ReturnType<typeof setTimeout> | undefined): void => clearTimeout(id);

/** `window` when running in a browser, otherwise undefined. */
export function browserWindow(): Window | undefined {
  return typeof window === 'undefined' ? undefined : window;
}

/** `localStorage`, or undefined when the browser refuses it (sandboxed iframes, some privacy modes). */
export function localStore(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

/** `sessionStorage`, or undefined when the browser refuses it (sandboxed iframes, some privacy modes). */
export function sessionStore(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}
