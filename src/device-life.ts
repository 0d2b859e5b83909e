/**
 * Device life: a tab that was hidden, frozen, offline or in the back/forward cache comes back. Nothing here sends a
 * token request: the next `getAccessToken()` renews if the token needs it, through the cross-tab lock ("check, lock,
 * check again"), so five tabs waking together make one request and a rotated refresh token is never spent twice.
 * A wall-clock jump needs no event: expiry is judged by the earlier of the wall-clock and monotonic deadlines
 * (clock.ts).
 *
 * What a returning tab may have missed is a session that ended meanwhile (logout or a rejected refresh token in
 * another tab: a page in the back/forward cache or a frozen page hears no BroadcastChannel message), and a newer
 * session. For the first, whoever ends a session leaves a mark in localStorage: the version up to which sessions
 * ended, a number and nothing else. A returning tab whose version is not newer drops its session before any use.
 * For the second, it asks the live tabs again (tabs.ts `rejoin`).
 */
import { browserWindow, localStore } from './env.js';
import { readJson, removeItem, writeJson } from './storage/session-storage.js';

const endedKey = (id: string): string => `pkce-spa:ended:${id}`;

/** Notes that every session of `id` up to `version` ended. Best effort: without localStorage, nothing is noted. */
export function markEnded(id: string, version: number): void {
  // Storage refused (sandboxed frame, privacy mode): tabs that were away learn it at their next renewal instead.
  if (version > endedUpTo(id)) writeJson(endedKey(id), version, localStore());
}

/**
 * Forgets the mark when someone signs in: versions come from the wall clock, and a clock set back after a logout must
 * not make the new session look ended. A tab that returns with an older session then finds the new one held by a
 * live tab and takes it (tabs.ts `rejoin`).
 */
export function clearEnded(id: string): void {
  removeItem(endedKey(id), localStore());
}

/** The version up to which sessions of `id` ended; 0 when none did (or storage is refused). */
export function endedUpTo(id: string): number {
  return Number(readJson<number>(endedKey(id), localStore())) || 0;
}

/**
 * Calls `resume` when the tab comes back (visible again, online again, restored from the back/forward cache) and
 * `online` when the network returns. Returns the function that stops listening.
 */
export function watchDeviceLife(on: { resume: () => void; online: () => void }): () => void {
  const w = browserWindow();
  if (!w?.addEventListener) return () => {};
  const visible = () => w.document?.visibilityState === 'visible' && on.resume();
  const shown = (e: PageTransitionEvent) => e.persisted && on.resume();
  const online = () => {
    on.online();
    on.resume();
  };
  w.document?.addEventListener('visibilitychange', visible);
  w.addEventListener('pageshow', shown);
  w.addEventListener('online', online);
  return () => {
    w.document?.removeEventListener('visibilitychange', visible);
    w.removeEventListener('pageshow', shown);
    w.removeEventListener('online', online);
  };
}
