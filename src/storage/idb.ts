/**
 * The `cache: 'indexeddb'` store: one record per issuer + client id in our own idb-keyval store (database `pkce-spa`,
 * object store `sessions`), opened on first use, never at import time.
 *
 * A record is `{ n, iv, data }`: `n` is the session's version (see tabs.ts) and `data` the AES-GCM encryption of the
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

let store: UseStore | undefined;
let aesKey: Promise<CryptoKey> | undefined;

/** Our store, created on first use; `createStore` itself opens the database only when a request runs. */
export const idbStore: UseStore = (mode, fn) => (store ??= createStore('pkce-spa', 'sessions'))(mode, fn);

/**
 * Reads `id` and hands what is there to `then`, which may write in the same transaction (so two tabs cannot interleave
 * between the read and the write); resolves once the transaction has committed.
 */
const update = (id: string, then: (found: { n?: number } | undefined, s: IDBObjectStore) => unknown): Promise<void> =>
  idbStore('readwrite', (s) => {
    const request = s.get(id);
    request.onsuccess = () => then(request.result, s);
    return promisifyRequest(s.transaction);
  });

/** Puts `record` under `id` (deletes when there is none) unless the stored one is newer than `upTo`, atomically. */
const replace = (id: string, upTo: number, record?: object): Promise<void> =>
  update(id, (found, s) => Number(found?.n) > upTo || (record ? s.put(record, id) : s.delete(id)));

/** The AES-GCM key: the stored one, or a new non-extractable one stored in the same transaction that looked. */
function cryptoKey(): Promise<CryptoKey> {
  return (aesKey ??= crypto.subtle
    .generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    .then(async (fresh) => {
      let key = fresh;
      // Get-or-put in one transaction: two tabs starting at once agree on a single key.
      await update(KEY, (found, s) => (found instanceof CryptoKey ? (key = found) : s.put(fresh, KEY)));
      return key;
    })
    .catch((e) => {
      aesKey = undefined;
      throw e;
    }));
}

const encode = (text: string) => new TextEncoder().encode(text);
const aes = (id: string, iv: BufferSource) => ({ name: 'AES-GCM', iv, additionalData: encode(id) });

/**
 * Encrypts and stores `session` (its refresh token, ID token and claims) as version `n`, replacing the previous record
 * in one write (the old refresh token is forgotten only when the new one is stored), unless a newer one is there.
 * @throws when IndexedDB or WebCrypto refuses (the caller falls back to memory).
 */
export async function saveSession(id: string, n: number, session: Session): Promise<void> {
  const iv = crypto.getRandomValues(new Uint8Array(12)); // fresh per write: AES-GCM must never reuse an IV
  const plain = encode(JSON.stringify([session.refreshToken, session.idToken, session.claims]));
  const data = await crypto.subtle.encrypt(aes(id, iv), await cryptoKey(), plain);
  // The DPoP key pair (if any) is stored as CryptoKey objects beside the ciphertext: it cannot be read out anyway.
  await replace(id, n, { n, iv, data, k: session.dpopKey });
}

/**
 * Reads and decrypts the record of `id`. A record that is corrupt or cannot be decrypted (another key, tampered) is
 * deleted and reported as absent.
 * @throws when IndexedDB or WebCrypto refuses (the caller falls back to memory).
 */
export async function loadSession(id: string): Promise<{ n: number; session: Session } | undefined> {
  const record = await idbStore('readonly', (s) => promisifyRequest(s.get(id)));
  if (record === undefined) return undefined;
  const key = await cryptoKey();
  try {
    const [refreshToken, idToken, claims] = JSON.parse(
      new TextDecoder().decode(await crypto.subtle.decrypt(aes(id, record.iv), key, record.data)),
    );
    if (typeof refreshToken !== 'string' || typeof claims?.sub !== 'string' || !(record.n > 0))
      throw new TypeError('not a session record');
    const dpopKey = record.k?.privateKey instanceof CryptoKey ? (record.k as CryptoKeyPair) : undefined;
    return {
      n: record.n,
      session: { refreshToken, idToken, claims, user: userFromClaims(claims), tokens: new Map(), dpopKey },
    };
  } catch {
    await removeSession(id);
    return undefined;
  }
}

/**
 * Deletes the record of `id` unless it is newer than version `upTo` (a session another tab started since), in one
 * transaction.
 * @throws when IndexedDB refuses.
 */
export function removeSession(id: string, upTo = Infinity): Promise<void> {
  return replace(id, upTo);
}
