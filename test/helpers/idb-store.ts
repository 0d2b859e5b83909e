/**
 * IndexedDB stores for unit tests, handed to the SDK where idb-keyval takes its `customStore` (storage/idb.ts,
 * `new PkceClient(options, store)`). happy-dom has no IndexedDB and no test installs a global one: a client given no
 * store finds none and falls back to memory, as in a browser that refuses IndexedDB.
 */
import { IDBFactory } from 'fake-indexeddb';
import { promisifyRequest, type UseStore } from 'idb-keyval';

/**
 * A private IndexedDB (fake-indexeddb's `IDBFactory`, a real implementation: transactions, structured clone), with
 * the SDK's database and object store; opened on first use. One per "browser profile": the tabs of a test share it.
 */
export function idbTestStore(): UseStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = () => {
    const request = new IDBFactory().open('pkce-spa');
    request.onupgradeneeded = () => request.result.createObjectStore('sessions');
    return promisifyRequest(request);
  };
  return async (mode, callback) =>
    callback((await (db ??= open())).transaction('sessions', mode).objectStore('sessions'));
}

/**
 * A store that refuses while `refusing()` says so (private mode, a blocked or closing database), else `store`.
 */
export function refusingStore(refusing: () => boolean, store = idbTestStore()): UseStore {
  return (mode, callback) =>
    refusing()
      ? Promise.reject(new DOMException('The database connection is closing.', 'InvalidStateError'))
      : store(mode, callback);
}

/** The raw value under `key` in `store` (what a copy of the IndexedDB files would show). */
export const rawRecord = (store: UseStore, key: string) => store('readonly', (s) => promisifyRequest(s.get(key)));

/** Puts `value` under `key` in `store` as it is, bypassing the SDK (a corrupt or tampered record). */
export const putRawRecord = (store: UseStore, key: string, value: unknown) =>
  store('readwrite', (s) => (s.put(value, key), promisifyRequest(s.transaction)));
