/**
 * Web storage with one try/catch: JSON in and out, undefined when the browser refuses (sandboxed frames, some
 * privacy modes, a full quota) or the entry is missing or corrupt. sessionStorage by default (the login transaction,
 * the provider's public metadata and keys); `localStore()` for the cross-tab marks (signed out on purpose, sessions
 * that ended). Never a token.
 */
import { sessionStore } from '../env.js';

/** The parsed entry `key`, or undefined. */
export function readJson<T>(key: string, storage = sessionStore()): T | undefined {
  try {
    return (JSON.parse(storage?.getItem(key) ?? 'null') as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores `value` as JSON under `key`.
 * @returns false when the browser refused (the caller decides whether that matters).
 */
export function writeJson(key: string, value: unknown, storage = sessionStore()): boolean {
  try {
    storage!.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** Removes `key`; a refused storage has nothing to remove. */
export function removeItem(key: string, storage = sessionStore()): void {
  try {
    storage?.removeItem(key);
  } catch {
    // Nothing was stored where nothing can be read.
  }
}
