import { sessionStore } from '../env.js';

/** Used when the browser refuses sessionStorage: survives nothing but keeps a same-page flow (popup) working. */
const fallback = new Map<string, string>();

/** Reads `key` from sessionStorage (or the in-memory fallback). */
export function readSession(key: string): string | null {
  const store = sessionStore();
  try {
    if (store) return store.getItem(key);
  } catch {
    // Fall through to the in-memory copy.
  }
  return fallback.get(key) ?? null;
}

/** Writes `key` to sessionStorage, or to the in-memory fallback when the browser refuses it. */
export function writeSession(key: string, value: string): void {
  const store = sessionStore();
  try {
    if (store) {
      store.setItem(key, value);
      return;
    }
  } catch {
    // Quota or privacy mode: keep it in memory instead.
  }
  fallback.set(key, value);
}

/** Removes `key` from sessionStorage and the fallback. */
export function removeSession(key: string): void {
  fallback.delete(key);
  try {
    sessionStore()?.removeItem(key);
  } catch {
    // Nothing to remove from a store we cannot reach.
  }
}
