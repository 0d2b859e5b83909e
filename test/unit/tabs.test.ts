import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PkceClient } from '../../src/index.js';
import { fakeProvider, type FakeProvider } from '../helpers/fake-provider.js';
import { installFakeLocks } from '../helpers/fake-locks.js';
import { waitForState } from '../helpers/wait.js';

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

const refreshes = (op: FakeProvider) =>
  op.net.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;

describe('BroadcastChannel between tabs', () => {
  it('a login in one tab signs in the others, sharing its tokens', async () => {
    const op = fakeProvider();
    const [a, b] = [await op.tab(), await op.tab()];
    expect(b.getState().status).toBe('unauthenticated');
    const signedIn = waitForState(b, (s) => s.status === 'authenticated');
    await op.signIn(a);
    await signedIn;
    expect(b.getUser()).toMatchObject({ sub: 'alice' });
    expect(await b.getAccessToken()).toBe(await a.getAccessToken());
    expect(op.net.count('/token')).toBe(1);
  });

  it('new tokens from one tab spare the other tabs a renewal', async () => {
    const op = fakeProvider();
    const [a, b] = [await op.tab(), await op.tab()];
    const joined = waitForState(b, (s) => s.status === 'authenticated');
    await op.signIn(a);
    await joined;
    const renewed = new Promise<void>((resolve) => b.subscribe(() => resolve()));
    const token = await a.getAccessToken({ forceRefresh: true });
    await renewed; // b's user object changed with the new ID token
    expect(await b.getAccessToken()).toBe(token);
    expect(refreshes(op)).toBe(1);
  });

  it('logout in one tab signs out every tab', async () => {
    const op = fakeProvider();
    const [a, b, c] = [await op.tab(), await op.tab(), await op.tab()];
    const all = Promise.all([b, c].map((t) => waitForState(t, (s) => s.status === 'authenticated')));
    await op.signIn(a);
    await all;
    const out = Promise.all([b, c].map((t) => waitForState(t, (s) => s.status === 'unauthenticated')));
    await a.logout({ localOnly: true });
    await out;
    expect([a, b, c].map((t) => t.isAuthenticated())).toEqual([false, false, false]);
  });

  it('without Web Locks (documented fallback) a new tab does not look for a signed-in sibling', async () => {
    const op = fakeProvider();
    await op.signIn(await op.tab());
    const late = await op.tab();
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

  async function signedInTabs(count: number, op: FakeProvider): Promise<PkceClient[]> {
    const first = await op.tab({ cache });
    await op.signIn(first);
    expect(first.getState().warning).toBeUndefined(); // with 'indexeddb', the provider's store took the session
    const tabs = [first];
    for (let i = 1; i < count; i++) tabs.push(await op.tab({ cache }));
    return tabs;
  }

  it('a new tab takes the verified session of a signed-in sibling and sends no request', async () => {
    const op = fakeProvider();
    const [a] = await signedInTabs(1, op);
    const sent = op.net.requests.length;
    // Metadata from the option; the JWKS was cached by the sibling's code exchange (this window's sessionStorage).
    const b = await op.tab({ cache });
    expect(b.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    expect(await b.getAccessToken()).toBe(await a!.getAccessToken());
    expect(op.net.requests.length).toBe(sent);
    expect(await b.countTabs()).toBe(2);
  });

  it('the page the provider sends back to shares the new session with the tabs already open and those opened later', async () => {
    const op = fakeProvider();
    const open = await op.tab({ cache });
    const callback = await op.startLogin(await op.tab({ cache }));
    // The browser comes back: a new page on the callback URL starts its client, which waits for the callback.
    window.history.replaceState(null, '', callback);
    const back = await op.tab({ cache });
    expect(back.getState().status).toBe('loading');
    const joined = waitForState(open, (s) => s.status === 'authenticated');
    await back.handleRedirectCallback();
    await joined;
    const later = await op.tab({ cache });
    expect(later.getState().status).toBe('authenticated');
    expect(await later.getAccessToken()).toBe(await back.getAccessToken());
    expect(op.net.count('/token')).toBe(1);
  });

  it('3 tabs forcing renewal at the same moment, 10 rounds: every refresh token is spent once', async () => {
    const op = fakeProvider();
    const tabs = await signedInTabs(3, op);
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
    const op = fakeProvider();
    const [a] = await signedInTabs(1, op);
    vi.stubGlobal('BroadcastChannel', slowChannel(200));
    const b = await op.tab({ cache }); // joins (slowly); every later message reaches it 200 ms late
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
    const op = fakeProvider();
    const [a, b] = await signedInTabs(2, op);
    const [ta, tb] = await Promise.all([
      a!.getAccessToken({ forceRefresh: true }),
      b!.getAccessToken({ forceRefresh: true }),
    ]);
    expect(op.invalidGrants()).toBe(0);
    expect(refreshes(op)).toBeLessThanOrEqual(2);
    if (refreshes(op) === 1) expect(ta).toBe(tb);
  });
});
