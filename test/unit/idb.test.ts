import { describe, expect, it, vi } from 'vitest';
import { loadSession, removeSession, saveSession } from '../../src/storage/idb.js';
import type { Session } from '../../src/session.js';
import { createPkceClient } from '../../src/index.js';
import {
  ISSUER,
  REDIRECT_URI,
  fakeProvider,
  freshClientId,
  json,
  metadata,
  recordId,
} from '../helpers/fake-provider.js';
import { idbTestStore, putRawRecord as putRaw, rawRecord as raw, refusingStore } from '../helpers/idb-store.js';

const bytes = (v: ArrayBuffer | Uint8Array) => Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(v));

function session(refreshToken = 'rt-secret-1'): Session {
  const claims = { iss: 'https://op.example.test', sub: 'alice', aud: 'spa', exp: 2e9, iat: 1e9, name: 'Alice' };
  return {
    refreshToken,
    idToken: 'header.payload.sig',
    claims,
    user: { sub: 'alice', name: 'Alice' },
    tokens: new Map([['|', { accessToken: 'at-secret', tokenType: 'Bearer', expiresAt: 2e9, scope: undefined }]]),
  };
}

describe('encrypted IndexedDB record', () => {
  it('round-trips the refresh token, ID token and claims, and never stores the access token', async () => {
    const store = idbTestStore();
    const id = recordId(freshClientId());
    await saveSession(id, 7, session(), store);
    const loaded = await loadSession(id, store);
    expect(loaded?.version).toBe(7);
    expect(loaded?.session).toMatchObject({
      refreshToken: 'rt-secret-1',
      idToken: 'header.payload.sig',
      claims: { sub: 'alice' },
      user: { sub: 'alice', name: 'Alice' },
    });
    expect(loaded?.session.user).not.toHaveProperty('iss');
    expect(loaded?.session.tokens.size).toBe(0);
  });

  it('stores ciphertext under a non-extractable AES-GCM CryptoKey kept as a key object, with a fresh IV per write', async () => {
    const store = idbTestStore();
    const id = recordId(freshClientId());
    await saveSession(id, 1, session(), store);
    const first = await raw(store, id);
    await saveSession(id, 2, session(), store);
    const second = await raw(store, id);
    const stored = bytes(first.data).toString('latin1') + JSON.stringify(first);
    for (const secret of ['rt-secret-1', 'at-secret', 'header.payload.sig', 'alice'])
      expect(stored).not.toContain(secret);
    expect(first.iv).toHaveLength(12);
    expect(bytes(first.iv).equals(bytes(second.iv))).toBe(false);

    const key = await raw(store, '#key');
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key).toMatchObject({ extractable: false, type: 'secret', algorithm: { name: 'AES-GCM', length: 256 } });
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('discards corrupt, tampered and moved records instead of failing', async () => {
    const store = idbTestStore();
    const a = recordId(freshClientId());
    const b = recordId(freshClientId());
    await putRaw(store, a, 'not a record');
    expect(await loadSession(a, store)).toBeUndefined();
    expect(await raw(store, a)).toBeUndefined();

    await saveSession(a, 1, session(), store);
    const record = await raw(store, a);
    const data = new Uint8Array(record.data.slice(0));
    data[0] = data[0]! ^ 1;
    await putRaw(store, a, { ...record, data: data.buffer });
    expect(await loadSession(a, store)).toBeUndefined();
    expect(await raw(store, a)).toBeUndefined();

    // The record key is authenticated data: a record copied to another client's key does not decrypt.
    await saveSession(a, 1, session(), store);
    await putRaw(store, b, await raw(store, a));
    expect(await loadSession(b, store)).toBeUndefined();
    expect(await raw(store, b)).toBeUndefined();
    expect((await loadSession(a, store))?.session.refreshToken).toBe('rt-secret-1');
  });

  it('does not end or overwrite a newer session than the caller knows', async () => {
    const store = idbTestStore();
    const id = recordId(freshClientId());
    await saveSession(id, 10, session('rt-newer'), store);
    await removeSession(id, 9, store);
    await saveSession(id, 8, session('rt-older'), store);
    expect((await loadSession(id, store))?.session.refreshToken).toBe('rt-newer');
    await removeSession(id, 10, store);
    expect(await raw(store, id)).toBeUndefined();
  });
});

describe("cache: 'indexeddb'", () => {
  it('restores the session after a reload with exactly one refresh grant and no navigation', async () => {
    const op = fakeProvider();
    const clientId = op.clientId;
    const first = await op.tab({ cache: 'indexeddb' });
    await op.signIn(first);
    expect(op.net.count('/token')).toBe(1);
    const before = op.net.requests.length;
    const assign = vi.spyOn(window.location, 'assign');

    const reloaded = await op.tab({ cache: 'indexeddb' });
    expect(reloaded.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    const sent = op.net.requests.slice(before);
    expect(sent.map((r) => r.body.get('grant_type'))).toEqual(['refresh_token']);
    expect(sent[0]!.body.get('refresh_token')).toBe('rt-1');
    expect(assign).not.toHaveBeenCalled();
    expect(await reloaded.getAccessToken()).toBe('at-2');
    expect((await loadSession(recordId(clientId), op.store))?.session.refreshToken).toBe('rt-2');
  });

  it('clears the cache and starts signed out when the provider rejects the stored refresh token', async () => {
    const op = fakeProvider();
    const clientId = op.clientId;
    await op.signIn(await op.tab({ cache: 'indexeddb' }));
    op.live.clear(); // revoked at the provider meanwhile

    const reloaded = await op.tab({ cache: 'indexeddb' });
    expect(reloaded.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'invalid_grant' } });
    expect(await raw(op.store, recordId(clientId))).toBeUndefined();
    const again = await op.tab({ cache: 'indexeddb' });
    expect(again.getState().status).toBe('unauthenticated');
    expect(op.spent).toEqual(['rt-1']); // the dead token was tried once, never again
  });

  it('writes the rotated refresh token before it forgets the old one', async () => {
    const op = fakeProvider();
    const clientId = op.clientId;
    const c = await op.tab({ cache: 'indexeddb' });
    await op.signIn(c);
    const id = recordId(clientId);
    const seenDuringRequest: (string | undefined)[] = [];
    const answer = op.refresh;
    op.refresh = async (rt) => {
      seenDuringRequest.push((await loadSession(id, op.store))?.session.refreshToken);
      return answer(rt);
    };
    await c.getAccessToken({ forceRefresh: true });
    expect(seenDuringRequest).toEqual(['rt-1']); // the old token is still stored while the grant runs
    expect((await loadSession(id, op.store))?.session.refreshToken).toBe('rt-2'); // and the new one once the call returns
  });

  it('keeps the stored refresh token when renewal fails on the network, and uses it again', async () => {
    const op = fakeProvider();
    const clientId = op.clientId;
    const c = await op.tab({ cache: 'indexeddb' });
    await op.signIn(c);
    const answer = op.refresh;
    op.refresh = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(c.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'network_error',
    });
    expect(c.getState().status).toBe('authenticated');
    expect((await loadSession(recordId(clientId), op.store))?.session.refreshToken).toBe('rt-1');

    op.refresh = answer;
    const reloaded = await op.tab({ cache: 'indexeddb' });
    expect(reloaded.getState().status).toBe('authenticated');
    expect(op.spent).toEqual(['rt-1', 'rt-1']);
    expect(op.invalidGrants()).toBe(0);
  });

  it('clears the stored session on invalid_grant during renewal and on logout', async () => {
    const op = fakeProvider();
    const clientId = op.clientId;
    const c = await op.tab({ cache: 'indexeddb' });
    await op.signIn(c);
    op.refresh = () => json({ error: 'invalid_grant' }, 400);
    await expect(c.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'invalid_grant',
    });
    expect(await raw(op.store, recordId(clientId))).toBeUndefined();

    const op2 = fakeProvider();
    const other = op2.clientId;
    const d = await op2.tab({ cache: 'indexeddb' });
    await op2.signIn(d);
    expect(await raw(op2.store, recordId(other))).toBeDefined();
    await d.logout({ localOnly: true });
    expect(await raw(op2.store, recordId(other))).toBeUndefined();
    expect(op2.net.count('/revoke')).toBe(1);
  });

  it('falls back to memory with a storage_unavailable warning when IndexedDB refuses, for the rest of its life', async () => {
    let refusing = true;
    const behind = idbTestStore();
    const op = fakeProvider({ store: refusingStore(() => refusing, behind) });
    const clientId = op.clientId;
    const events: string[] = [];
    const c = await op.tab({ cache: 'indexeddb', debug: (e) => events.push(e.type) });
    expect(c.getState()).toMatchObject({ status: 'unauthenticated', warning: { code: 'storage_unavailable' } });
    expect(c.getState().warning?.message).toMatch(/memory only/);
    const seen: string[] = [];
    c.subscribe((s) => seen.push(`${s.status}:${s.warning?.code}`));
    await op.signIn(c);
    refusing = false; // the browser would accept again: the client stays in memory, with its one warning
    expect(await c.getAccessToken({ forceRefresh: true })).toBe('at-2');
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['authenticated:storage_unavailable'])); // the warning stays in every state
    expect(events.filter((t) => t === 'storage_fallback')).toHaveLength(1);
    expect(await raw(behind, recordId(clientId))).toBeUndefined();
  });

  it("with cache: 'memory' the session never touches IndexedDB: login, renewal and logout open no store", async () => {
    const opened: IDBTransactionMode[] = [];
    const store = idbTestStore();
    const op = fakeProvider({ store: (mode, callback) => (opened.push(mode), store(mode, callback)) });
    const c = await op.tab({ cache: 'memory' });
    await op.signIn(c);
    expect(await c.getAccessToken({ forceRefresh: true })).toBe('at-2');
    await c.logout({ localOnly: true });
    expect(c.getState()).toMatchObject({ status: 'unauthenticated' });
    expect(c.getState().warning).toBeUndefined();
    expect(opened).toEqual([]);
  });

  it('falls back to memory with a warning where there is no IndexedDB at all (a client given no store)', async () => {
    expect(globalThis.indexedDB).toBeUndefined(); // happy-dom has none, and no test installs one
    const op = fakeProvider();
    const c = await createPkceClient({
      issuer: ISSUER,
      clientId: op.clientId,
      redirectUri: REDIRECT_URI,
      metadata,
      fetch: op.net.fetch,
      cache: 'indexeddb',
    });
    expect(c.getState()).toMatchObject({ status: 'unauthenticated', warning: { code: 'storage_unavailable' } });
    expect(c.getState().warning?.message).toMatch(/memory only/);
    await op.signIn(c); // and a login still works, in memory
    expect(c.getState()).toMatchObject({ status: 'authenticated', warning: { code: 'storage_unavailable' } });
  });
});
