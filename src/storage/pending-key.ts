/**
 * Loaded on demand with DPoP: the key pair of a redirect login between the authorization request and the callback.
 * sessionStorage (where the transaction lives) holds only JSON, and a non-extractable `CryptoKey` cannot become
 * JSON, so the key waits in our IndexedDB store under its login's `state` (a `CryptoKey` object, never bytes) and is
 * deleted when the callback takes it. Entries of abandoned logins are deleted after an hour by the next login.
 * Like idb.ts, each function takes the store last (tests hand in their own).
 */
import { promisifyRequest } from 'idb-keyval';
import { idbStore } from './idb.js';

const PREFIX = '#dpop-login ';
const MAX_AGE_MS = 3_600_000;

/** Stores `key` for the login with `state`, dropping entries of logins abandoned more than an hour ago. */
export function savePendingKey(state: string, key: CryptoKeyPair, store = idbStore): Promise<void> {
  return store('readwrite', (s) => {
    // Every record is visited (a handful: sessions, the AES key, pending logins), which needs no IDBKeyRange global
    // of the store's realm.
    const cursor = s.openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      if (String(c.key).startsWith(PREFIX) && !(Date.now() - (c.value as { at: number }).at < MAX_AGE_MS)) c.delete();
      c.continue();
    };
    s.put({ at: Date.now(), key }, PREFIX + state);
    return promisifyRequest(s.transaction);
  });
}

/** Removes and returns the key of the login with `state`; undefined when there is none. */
export async function takePendingKey(state: string, store = idbStore): Promise<CryptoKeyPair | undefined> {
  let found: { key?: CryptoKeyPair } | undefined;
  await store('readwrite', (s) => {
    const request = s.get(PREFIX + state);
    request.onsuccess = () => {
      found = request.result;
      s.delete(PREFIX + state);
    };
    return promisifyRequest(s.transaction);
  });
  return found?.key?.privateKey instanceof CryptoKey ? found.key : undefined;
}
