/**
 * The `cache: 'indexeddb'` store: one record per issuer + client id in our own idb-keyval store (database `pkce-spa`,
 * object store `sessions`), opened on first use, never at import time. Loaded on demand by persisted-session.ts.
 *
 * Every function takes the store last, as idb-keyval's do (`customStore`): {@link idbStore} unless given. Tests hand in
 * their own (an IndexedDB of their own, or one that refuses); apps never need to.
 *
 * A record is `{ n, iv, data, k }`: `n` is the session's version (see tabs.ts) and `data` the AES-GCM encryption of the
 * refresh token, the ID token and its claims, with the record's key as additional data so a record cannot be moved
 * to another key. Access tokens are never stored. The AES key is a non-extractable `CryptoKey`, created once per
 * origin and kept in the same store as a `CryptoKey` object (structured clone), never as bytes.
 *
 * What this protects against: a copy of the IndexedDB files (backups, disk forensics, a synced profile, a support
 * bundle) does not reveal the refresh token, because the key material cannot be read out of the browser.
 * What it does not: script running in this origin (XSS, a malicious dependency) can use the key to decrypt, or simply
 * call the SDK; only a strict Content Security Policy and the provider's refresh-token rotation limit that.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { userFromClaims, type Session } from '../session.js';

/** The key under which the AES-GCM key is stored; record keys are `${issuer} ${clientId}`, so they never clash. */
const KEY = '#key';

let defaultStore: UseStore | undefined;
/** The AES-GCM key of each store (one store in an app; each test's own in tests). */
const aesKeys = new WeakMap<UseStore, Promise<CryptoKey>>();

/** Our store, created on first use; `createStore` itself opens the database only when a request runs. */
export const idbStore: UseStore = (mode, fn) => (defaultStore ??= createStore('pkce-spa', 'sessions'))(mode, fn);

/**
 * Reads `id` and hands what is there to `then`, which may write in the same transaction (so two tabs cannot interleave
 * between the read and the write); resolves once the transaction has committed.
 */
const update = (
  id: string,
  then: (found: { n?: number } | undefined, s: IDBObjectStore) => unknown,
  store: UseStore,
): Promise<void> =>
  store('readwrite', (s) => {
    const request = s.get(id);
    request.onsuccess = () => then(request.result, s);
    return promisifyRequest(s.transaction);
  });

/** Puts `record` under `id` (deletes when there is none) unless the stored one is newer than `upTo`, atomically. */
const replace = (id: string, upTo: number, store: UseStore, record?: object): Promise<void> =>
  update(id, (found, s) => Number(found?.n) > upTo || (record ? s.put(record, id) : s.delete(id)), store);

/** The AES-GCM key: the stored one, or a new non-extractable one stored in the same transaction that looked. */
function cryptoKey(store: UseStore): Promise<CryptoKey> {
  let key = aesKeys.get(store);
  if (!key) {
    key = crypto.subtle
      .generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
      .then(async (fresh) => {
        let found = fresh;
        // Get-or-put in one transaction: two tabs starting at once agree on a single key.
        await update(KEY, (stored, s) => (stored instanceof CryptoKey ? (found = stored) : s.put(fresh, KEY)), store);
        return found;
      });
    key.catch(() => aesKeys.delete(store)); // refused: try again next time
    aesKeys.set(store, key);
  }
  return key;
}

const encode = (text: string) => new TextEncoder().encode(text);
const aes = (id: string, iv: BufferSource) => ({ name: 'AES-GCM', iv, additionalData: encode(id) });

/**
 * Encrypts and stores `session` (its refresh token, ID token and claims) as `version`, replacing the previous record
 * in one write (the old refresh token is forgotten only when the new one is stored), unless a newer one is there. A
 * session without a refresh token has nothing worth keeping: it removes the record instead.
 * @throws when IndexedDB or WebCrypto refuses (the caller falls back to memory).
 */
export async function saveSession(id: string, version: number, session: Session, store = idbStore): Promise<void> {
  if (!session.refreshToken) return replace(id, version, store);
  const iv = crypto.getRandomValues(new Uint8Array(12)); // fresh per write: AES-GCM must never reuse an IV
  const plain = encode(JSON.stringify([session.refreshToken, session.idToken, session.claims]));
  const data = await crypto.subtle.encrypt(aes(id, iv), await cryptoKey(store), plain);
  // The DPoP key pair (if any) is stored as CryptoKey objects beside the ciphertext: it cannot be read out anyway.
  await replace(id, version, store, { n: version, iv, data, k: session.dpopKey });
}

/**
 * Reads and decrypts the record of `id`. A record that is corrupt or cannot be decrypted (another key, tampered) is
 * deleted and reported as absent.
 * @throws when IndexedDB or WebCrypto refuses (the caller falls back to memory).
 */
export async function loadSession(
  id: string,
  store = idbStore,
): Promise<{ version: number; session: Session } | undefined> {
  const record = await store('readonly', (s) => promisifyRequest(s.get(id)));
  if (record === undefined) return undefined;
  const key = await cryptoKey(store);
  try {
    const [refreshToken, idToken, claims] = JSON.parse(
      new TextDecoder().decode(await crypto.subtle.decrypt(aes(id, record.iv), key, record.data)),
    );
    if (typeof refreshToken !== 'string' || typeof claims?.sub !== 'string' || !(record.n > 0))
      throw new TypeError('not a session record');
    const dpopKey = record.k?.privateKey instanceof CryptoKey ? (record.k as CryptoKeyPair) : undefined;
    return {
      version: record.n,
      session: { refreshToken, idToken, claims, user: userFromClaims(claims), tokens: new Map(), dpopKey },
    };
  } catch {
    await replace(id, Infinity, store);
    return undefined;
  }
}

/**
 * Deletes the record of `id` unless it is newer than version `upTo` (a session another tab started since), in one
 * transaction.
 * @throws when IndexedDB refuses.
 */
export function removeSession(id: string, upTo = Infinity, store = idbStore): Promise<void> {
  return replace(id, upTo, store);
}
