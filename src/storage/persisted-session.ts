/**
 * The session record of `cache: 'indexeddb'` for one issuer + client id: load, save and remove, over the encrypted
 * store of idb.ts. tabs.ts decides when (versions, locks); this module decides how, and what happens when the browser
 * refuses.
 *
 * Invariants:
 * - A record carries its session's version (tabs.ts). A write never replaces a record newer than the version it was
 *   given: a session that another tab stored meanwhile survives (read and write in one IndexedDB transaction, idb.ts).
 * - Only a session with a refresh token is stored; saving one without removes the record it replaces (idb.ts). Access
 *   tokens are never stored.
 * - Nothing loaded is trusted: the caller verifies the session (ID-token signature, issuer, audience, subject) before
 *   it adopts it, and removes a refused one.
 * - When the browser refuses IndexedDB (private mode, blocked, none at all), the session lives in memory for the rest
 *   of this client's life: one `storage_unavailable` warning, one `storage_fallback` debug event, no further attempt.
 * - The IndexedDB code (idb.ts and idb-keyval) is loaded on first use, so apps with `cache: 'memory'` never download
 *   it.
 */
import type { UseStore } from 'idb-keyval';
import { AuthError } from '../errors.js';
import { debug } from '../debug.js';
import type { ResolvedOptions } from '../options.js';
import type { Session } from '../session.js';

/** A stored session and its version (tabs.ts). */
export interface StoredSession {
  version: number;
  session: Session;
}

/** The session record of one issuer + client id. Nothing here rejects: a refused step falls back to memory. */
export interface PersistedSession {
  /** The stored session; undefined when there is none, with `cache: 'memory'`, or when IndexedDB refuses. */
  load(): Promise<StoredSession | undefined>;
  /** Stores `session` as version `version` (removes the record when the session has no refresh token). */
  save(version: number, session: Session): Promise<void>;
  /**
   * Removes the record unless it is newer than `upTo` (a session another tab started since).
   * @param upTo the newest version to remove (`Infinity`: any, as a logout does).
   */
  remove(upTo: number): Promise<void>;
}

/**
 * The session record of `id` (`${issuer} ${clientId}`); does nothing with `cache: 'memory'`.
 * @param host the IndexedDB store (idb.ts's own unless given; tests hand in theirs) and where the
 *   `storage_unavailable` warning goes.
 */
export function persistedSession(
  options: ResolvedOptions,
  id: string,
  host: { store?: UseStore | undefined; warn(warning: AuthError): void },
): PersistedSession {
  /** False with `cache: 'memory'`, and once the browser refused IndexedDB. */
  let isEnabled = options.cache === 'indexeddb';
  const { store } = host;

  /** Runs an IndexedDB step; when the browser refuses, goes on in memory with a warning. */
  const run = async <T>(step: (idb: typeof import('./idb.js')) => Promise<T>): Promise<T | undefined> => {
    if (!isEnabled) return undefined;
    try {
      return await step(await import('./idb.js'));
    } catch (cause) {
      if (isEnabled) {
        // Checked again: several steps may fail at once, and the user hears of it once.
        isEnabled = false;
        debug(options, { type: 'storage_fallback', storage: 'indexeddb' });
        host.warn(
          new AuthError('storage_unavailable', 'IndexedDB is unavailable; the session is kept in memory only.', {
            cause,
          }),
        );
      }
      return undefined;
    }
  };

  return {
    load: () => run((idb) => idb.loadSession(id, store)),
    save: (version, session) => run((idb) => idb.saveSession(id, version, session, store)),
    remove: (upTo) => run((idb) => idb.removeSession(id, upTo, store)),
  };
}
