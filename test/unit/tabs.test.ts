import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PkceClient } from '../../src/index.js';
import { freshClientId, installFakeLocks, rotatingOp, signIn, startLogin, stateOf, tab, type RotatingOp } from '../helpers/rotating-op.js';

// Several clients in one happy-dom window stand in for tabs: same origin, same BroadcastChannel name, and (when
// installed) one Web Locks manager. Chromium proves the same with real tabs in e2e/tabs.spec.ts.

const NodeChannel = globalThis.BroadcastChannel;

/** A BroadcastChannel whose messages arrive `ms` late: a tab that has not yet heard of a renewal. */
function slowChannel(ms: number): typeof BroadcastChannel {
  return class extends NodeChannel {
    override set onmessage(handler: ((e: MessageEvent) => void) | null) {
      super.onmessage = handler && ((e: MessageEvent) => setTimeout(() => handler(e), ms));
    }
  } as typeof BroadcastChannel;
}

const refreshes = (op: RotatingOp) => op.net.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;

beforeEach(() => sessionStorage.clear());
afterEach(() => {
  window.history.replaceState(null, '', 'https://app.example.test/');
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('BroadcastChannel between tabs', () => {
  it('a login in one tab signs in the others, sharing its tokens', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const [a, b] = [await tab(op, clientId), await tab(op, clientId)];
    expect(b.getState().status).toBe('unauthenticated');
    const signedIn = stateOf(b, (s) => s === 'authenticated');
    await signIn(a, op);
    await signedIn;
    expect(b.getUser()).toMatchObject({ sub: 'alice' });
    expect(await b.getAccessToken()).toBe(await a.getAccessToken());
    expect(op.net.count('/token')).toBe(1);
  });

  it('new tokens from one tab spare the other tabs a renewal', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const [a, b] = [await tab(op, clientId), await tab(op, clientId)];
    const joined = stateOf(b, (s) => s === 'authenticated');
    await signIn(a, op);
    await joined;
    const renewed = new Promise<void>((resolve) => b.subscribe(() => resolve()));
    const token = await a.getAccessToken({ forceRefresh: true });
    await renewed; // b's user object changed with the new ID token
    expect(await b.getAccessToken()).toBe(token);
    expect(refreshes(op)).toBe(1);
  });

  it('logout in one tab signs out every tab', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const [a, b, c] = [await tab(op, clientId), await tab(op, clientId), await tab(op, clientId)];
    const all = Promise.all([b, c].map((t) => stateOf(t, (s) => s === 'authenticated')));
    await signIn(a, op);
    await all;
    const out = Promise.all([b, c].map((t) => stateOf(t, (s) => s === 'unauthenticated')));
    await a.logout({ localOnly: true });
    await out;
    expect([a, b, c].map((t) => t.isAuthenticated())).toEqual([false, false, false]);
  });

  it('without Web Locks (documented fallback) a new tab does not look for a signed-in sibling', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    await signIn(await tab(op, clientId), op);
    const late = await tab(op, clientId);
    expect(late.getState().status).toBe('unauthenticated');
    expect(await late.countTabs()).toBe(0);
  });
});

describe.each(['memory', 'indexeddb'] as const)('Web Locks between tabs (cache: %s)', (cache) => {
  let locks: { uninstall: () => void };
  beforeEach(() => {
    locks = installFakeLocks();
  });
  afterEach(() => locks.uninstall());

  async function signedInTabs(count: number, op: RotatingOp, clientId: string): Promise<PkceClient[]> {
    const first = await tab(op, clientId, { cache });
    await signIn(first, op);
    const tabs = [first];
    for (let i = 1; i < count; i++) tabs.push(await tab(op, clientId, { cache }));
    return tabs;
  }

  it('a new tab takes the verified session of a signed-in sibling and sends no request', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const [a] = await signedInTabs(1, op, clientId);
    const sent = op.net.requests.length;
    // Metadata from the option; the JWKS was cached by the sibling's code exchange (this window's sessionStorage).
    const b = await tab(op, clientId, { cache });
    expect(b.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    expect(await b.getAccessToken()).toBe(await a!.getAccessToken());
    expect(op.net.requests.length).toBe(sent);
    expect(await b.countTabs()).toBe(2);
  });

  it('the page the provider sends back to shares the new session with the tabs already open and those opened later', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const open = await tab(op, clientId, { cache });
    const callback = await startLogin(await tab(op, clientId, { cache }), op);
    // The browser comes back: a new page on the callback URL starts its client, which waits for the callback.
    window.history.replaceState(null, '', callback);
    const back = await tab(op, clientId, { cache });
    expect(back.getState().status).toBe('loading');
    const joined = stateOf(open, (s) => s === 'authenticated');
    await back.handleRedirectCallback();
    await joined;
    const later = await tab(op, clientId, { cache });
    expect(later.getState().status).toBe('authenticated');
    expect(await later.getAccessToken()).toBe(await back.getAccessToken());
    expect(op.net.count('/token')).toBe(1);
  });

  it('3 tabs forcing renewal at the same moment, 10 rounds: every refresh token is spent once', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const tabs = await signedInTabs(3, op, clientId);
    for (let round = 0; round < 10; round++) {
      const tokens = await Promise.all(tabs.map((t) => t.getAccessToken({ forceRefresh: true })));
      expect(tokens.every((t) => /^at-\d+$/.test(t))).toBe(true);
    }
    expect(op.invalidGrants()).toBe(0);
    expect(new Set(op.spent).size).toBe(op.spent.length);
    expect(op.spent.length).toBeGreaterThanOrEqual(10);
    expect(tabs.map((t) => t.getState().status)).toEqual(['authenticated', 'authenticated', 'authenticated']);
    expect(await tabs[0]!.countTabs()).toBe(3);
  });

  it('a tab that has not heard of a renewal yet takes it over instead of spending its rotated refresh token', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const [a] = await signedInTabs(1, op, clientId);
    vi.stubGlobal('BroadcastChannel', slowChannel(200));
    const b = await tab(op, clientId, { cache }); // joins (slowly); every later message reaches it 200 ms late
    expect(b.getState().status).toBe('authenticated');
    const before = await b.getAccessToken();

    const renewed = await a!.getAccessToken({ forceRefresh: true });
    const spentBefore = [...op.spent];
    // b still holds rt-1 in memory, which a just rotated; b must not send it.
    const token = await b.getAccessToken({ forceRefresh: true });
    expect(op.invalidGrants()).toBe(0);
    expect(new Set(op.spent).size).toBe(op.spent.length);
    expect(op.spent.slice(spentBefore.length)).not.toContain('rt-1');
    expect(token).not.toBe(before);
    if (token === renewed) expect(op.spent).toEqual(spentBefore); // took a's result: no request at all
  });

  it('a forced renewal that waited for the lock uses the renewal that ran meanwhile', async () => {
    const clientId = freshClientId();
    const op = rotatingOp(clientId);
    const [a, b] = await signedInTabs(2, op, clientId);
    const [ta, tb] = await Promise.all([a!.getAccessToken({ forceRefresh: true }), b!.getAccessToken({ forceRefresh: true })]);
    expect(op.invalidGrants()).toBe(0);
    expect(refreshes(op)).toBeLessThanOrEqual(2);
    if (refreshes(op) === 1) expect(ta).toBe(tb);
  });
});
