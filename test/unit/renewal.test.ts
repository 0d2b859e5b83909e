import { describe, expect, it, vi } from 'vitest';
import { isAuthError, type PkceClient } from '../../src/index.js';
import { renewalMargin } from '../../src/session.js';
import { fakeProvider, freshClientId } from '../helpers/fake-provider.js';
import { installFakeLocks } from '../helpers/fake-locks.js';

// Renewal that is kind to the provider: the renewal margin, backoff shared by tabs, device clocks that are off or
// jump. Time is Vitest's fake clock: `advance` moves the wall and the monotonic clock together (time passes),
// `vi.setSystemTime` moves only the wall clock (the user or NTP changed it).

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const fakeTime = () => vi.useFakeTimers({ toFake: ['Date', 'performance', 'setTimeout', 'clearTimeout'] });

interface ProviderOptions {
  /** expires_in of access tokens. */
  ttl?: number;
  /** How many seconds the device's clock is ahead of the provider's (negative: behind). */
  deviceAheadSeconds?: number;
  /** Lifetime of ID tokens. */
  idTtl?: number;
  /** Whether responses carry a Date header the page can read. */
  date?: boolean;
}

/**
 * The fake provider on its own clock (the device's minus `deviceAheadSeconds`): it rotates refresh tokens, records
 * when each access token expires on that clock, and can be told to fail.
 */
function provider({ ttl = 90, deviceAheadSeconds = 0, idTtl = 3600, date = true }: ProviderOptions = {}) {
  const op = fakeProvider({
    expiresInSeconds: ttl,
    idTokenSeconds: idTtl,
    clockBehindSeconds: deviceAheadSeconds,
    dateHeader: date,
  });
  const rotate = op.refresh;
  const p = {
    op,
    /** Replaces the answer to refresh grants (an outage, a 503); undefined: answer normally. */
    fail: undefined as undefined | (() => Response | Promise<Response>),
    refreshes: (): number => op.net.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length,
    /** Seconds the token has left on the provider's clock. */
    left: (token: string) => op.expiresAt.get(token)! - op.now(),
    async signedIn(): Promise<PkceClient> {
      const c = await op.tab();
      await op.signIn(c);
      return c;
    },
  };
  op.refresh = (rt) => (p.fail ? p.fail() : rotate(rt));
  return p;
}

const offline = () => Promise.reject(new TypeError('Failed to fetch'));
const outcome = (c: PkceClient) =>
  c.getAccessToken().then(
    (token) => ({ token }),
    (e: unknown) => ({ error: isAuthError(e) ? e.code : String(e) }),
  );

describe('renewal margin', () => {
  it('fits the token: a tenth of the lifetime, at most leewaySeconds, at least 5 s (half of a very short token)', () => {
    const margin = (lifetimeSeconds: number | undefined, leeway = 60, minTtl = 0) =>
      renewalMargin(
        { accessToken: 'x', tokenType: 'Bearer', expiresAt: 0, lifetimeSeconds, scope: undefined },
        leeway,
        minTtl,
      );
    expect(margin(90)).toBe(9);
    expect(margin(300)).toBe(30);
    expect(margin(3600)).toBe(60);
    expect(margin(3600, 20)).toBe(20);
    expect(margin(30)).toBe(5);
    expect(margin(6)).toBe(3);
    expect(margin(90, 0)).toBe(5);
    expect(margin(undefined)).toBe(60); // a token from an older record: leewaySeconds as before
    expect(margin(90, 60, 120)).toBe(120); // minTtlSeconds wins when it asks for more
  });

  it('uses a 90 s token for 81 s, then renews it once', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    const first = await c.getAccessToken();
    await advance(80_500);
    expect(await c.getAccessToken()).toBe(first);
    expect(p.refreshes()).toBe(0);
    await advance(1000); // 8.5 s left < 9 s
    expect(await c.getAccessToken()).not.toBe(first);
    expect(p.refreshes()).toBe(1);
  });

  it('minTtlSeconds above the margin renews earlier for that call', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    await advance(30_000);
    await c.getAccessToken({ minTtlSeconds: 70 });
    expect(p.refreshes()).toBe(1);
  });

  it('one tab calling every second for an hour with 90 s tokens sends 45 token requests at most', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    const failures: string[] = [];
    for (let s = 0; s < 3600; s += 1) {
      const r = await outcome(c);
      if ('error' in r) failures.push(r.error);
      else expect(p.left(r.token)).toBeGreaterThan(0);
      await advance(1000);
    }
    expect(failures).toEqual([]);
    expect(p.refreshes()).toBeLessThanOrEqual(45);
    expect(p.refreshes()).toBeGreaterThanOrEqual(43);
  });
});

describe('backoff when renewal fails', () => {
  it('a failed renewal returns the still-valid token, and the next attempt waits', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    const first = await c.getAccessToken();
    p.fail = offline;
    await advance(82_000); // due for renewal, 8 s left
    expect(await c.getAccessToken()).toBe(first);
    expect(p.refreshes()).toBe(1);
    for (let i = 0; i < 5; i += 1) expect(await c.getAccessToken()).toBe(first); // inside the first pause (0.5 to 1 s)
    expect(p.refreshes()).toBe(1);
    await advance(1000);
    expect(await c.getAccessToken()).toBe(first);
    expect(p.refreshes()).toBe(2);
  });

  it('once the token has expired, calls during a pause fail fast with the cause, and no request is sent', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    p.fail = offline;
    await advance(95_000); // expired
    const first = await outcome(c);
    expect(first).toEqual({ error: 'network_error' });
    const sent = p.refreshes();
    await expect(c.getAccessToken()).rejects.toMatchObject({
      code: 'network_error',
      message: expect.stringMatching(/paused for \d+ s after 1 failed attempt/),
    });
    expect(p.refreshes()).toBe(sent);
  });

  it('5 tabs calling every second through a 60 s outage send at most 10 token requests, and the first after it succeeds', async () => {
    fakeTime();
    const locks = installFakeLocks();
    try {
      const clientId = freshClientId();
      const op = fakeProvider({ clientId }); // 300 s tokens: renewal due 30 s before expiry
      const tabs = [await op.tab()];
      await op.signIn(tabs[0]!);
      for (let i = 1; i < 5; i += 1) tabs.push(await op.tab());
      expect(tabs.map((t) => t.getState().status)).toEqual(Array(5).fill('authenticated'));
      const works = op.refresh;
      const sent = () => op.net.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;

      await advance(270_000); // renewal is due now; the outage starts
      op.refresh = () => offline() as never;
      const codes = new Map<string, number>();
      let tokensWhileValid = 0;
      for (let s = 0; s < 60; s += 1) {
        for (const r of await Promise.all(tabs.map(outcome))) {
          if ('token' in r) tokensWhileValid += 1;
          else codes.set(r.error, (codes.get(r.error) ?? 0) + 1);
        }
        await advance(1000);
      }
      const duringOutage = sent();
      op.refresh = works;
      // The token lived 30 s into the outage: every call until then got it; after that, the fast failures say why.
      expect(tokensWhileValid).toBeGreaterThanOrEqual(5 * 29);
      expect([...codes.keys()]).toEqual(['network_error']);
      expect(duringOutage).toBeGreaterThanOrEqual(5);
      expect(duringOutage).toBeLessThanOrEqual(10);

      // After the outage: the first renewal that is sent succeeds, and every tab gets the token it brought.
      let after: { token?: string; error?: string }[] = [];
      for (let s = 0; s < 31 && sent() === duringOutage; s += 1) {
        await advance(1000);
        after = await Promise.all(tabs.map(outcome));
      }
      expect(sent()).toBe(duringOutage + 1);
      expect(after.map((r) => r.token)).toEqual(Array(5).fill(after[0]!.token));
      expect(after[0]!.token).toMatch(/^at-/);
      expect(op.invalidGrants()).toBe(0);
    } finally {
      locks.uninstall();
    }
  });

  it("honours Retry-After of a 503 (seconds) and of a 429 (a date, read against the response's Date)", async () => {
    fakeTime();
    const p = provider({ ttl: 90, deviceAheadSeconds: 120 });
    const c = await p.signedIn();
    const providerNow = () => new Date(Date.now() - 120_000);
    p.fail = () =>
      new Response(JSON.stringify({ error: 'temporarily_unavailable' }), {
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '20', date: providerNow().toUTCString() },
      });
    await advance(82_000);
    await c.getAccessToken();
    expect(p.refreshes()).toBe(1);
    await advance(19_000);
    await c.getAccessToken().catch(() => undefined);
    expect(p.refreshes()).toBe(1);
    p.fail = () =>
      new Response(JSON.stringify({ error: 'slow_down' }), {
        status: 429,
        headers: {
          'content-type': 'application/json',
          date: providerNow().toUTCString(),
          'retry-after': new Date(providerNow().getTime() + 45_000).toUTCString(),
        },
      });
    await advance(1500);
    expect(await outcome(c)).toEqual({ error: 'slow_down' });
    expect(p.refreshes()).toBe(2);
    await advance(44_000);
    expect(await outcome(c)).toMatchObject({ error: 'slow_down' });
    expect(p.refreshes()).toBe(2);
    // forceRefresh does not skip a server's Retry-After...
    expect(await c.getAccessToken({ forceRefresh: true }).catch((e: { code: string }) => e.code)).toBe('slow_down');
    expect(p.refreshes()).toBe(2);
    p.fail = undefined;
    await advance(1500);
    expect(await c.getAccessToken()).toMatch(/^at-/);
    expect(p.refreshes()).toBe(3);
  });

  it('forceRefresh skips an exponential pause, and going online ends a pause caused by the network', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    p.fail = offline;
    await advance(95_000);
    for (let i = 0; i < 4; i += 1) {
      await c.getAccessToken({ forceRefresh: true }).catch(() => undefined);
    }
    expect(p.refreshes()).toBe(4); // 4 failures in a row: the pause is now 4 to 8 s
    await c.getAccessToken().catch(() => undefined);
    expect(p.refreshes()).toBe(4);
    p.fail = undefined;
    window.dispatchEvent(new Event('online'));
    expect(await c.getAccessToken()).toMatch(/^at-/);
    expect(p.refreshes()).toBe(5);
  });
});

describe('device clocks that are off or jump', () => {
  for (const ahead of [300, -300]) {
    it(`a device ${ahead > 0 ? 'fast' : 'slow'} by 5 minutes renews once per token and never returns an expired token`, async () => {
      fakeTime();
      const p = provider({ ttl: 90, deviceAheadSeconds: ahead, idTtl: 120 });
      const c = await p.signedIn();
      for (let s = 0; s < 600; s += 1) {
        const token = await c.getAccessToken();
        expect(p.left(token)).toBeGreaterThan(0);
        await advance(1000);
      }
      expect(p.refreshes()).toBeGreaterThanOrEqual(7);
      expect(p.refreshes()).toBeLessThanOrEqual(8); // 600 s / 81 s
    });
  }

  it("without a readable Date header, the ID token's iat gives the provider's clock for later ID tokens", async () => {
    fakeTime();
    // The device is 3 minutes fast and ID tokens live 2 minutes: on the device's clock, every new ID token has expired.
    const p = provider({ ttl: 90, deviceAheadSeconds: 180, idTtl: 120, date: false });
    // The first ID token (from the login) is judged on the device's clock, as oauth4webapi would without any estimate:
    // give it a long life so the login works; every later one lives 2 minutes.
    p.op.claims = { exp: Math.floor(Date.now() / 1000) + 3600 };
    const c = await p.signedIn();
    p.op.claims = {};
    for (let s = 0; s < 300; s += 1) {
      expect(p.left(await c.getAccessToken())).toBeGreaterThan(0);
      await advance(1000);
    }
    expect(p.refreshes()).toBeGreaterThanOrEqual(3);
  });

  it('a device 5 minutes fast accepts ID tokens that live 2 minutes when the Date header is readable', async () => {
    fakeTime();
    const p = provider({ ttl: 90, deviceAheadSeconds: 300, idTtl: 120 });
    const c = await p.signedIn();
    expect(c.isAuthenticated()).toBe(true);
    await advance(85_000);
    expect(p.left(await c.getAccessToken())).toBeGreaterThan(80);
  });

  it('a wall clock set back by 5 minutes does not stretch a token: it is renewed on time', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    const first = await c.getAccessToken();
    await advance(40_000);
    vi.setSystemTime(Date.now() - 300_000);
    expect(await c.getAccessToken()).toBe(first);
    await advance(41_500); // 81.5 s after it was issued
    const second = await c.getAccessToken();
    expect(second).not.toBe(first);
    expect(p.refreshes()).toBe(1);
    // The next token is judged on the new wall clock: no renewal on every call.
    for (let s = 0; s < 60; s += 1) {
      expect(await c.getAccessToken()).toBe(second);
      await advance(1000);
    }
    expect(p.refreshes()).toBe(1);
  });

  it('a wall clock that jumps forward (sleep) renews once on the next call, then not again', async () => {
    fakeTime();
    const p = provider({ ttl: 90 });
    const c = await p.signedIn();
    const first = await c.getAccessToken();
    vi.setSystemTime(Date.now() + 3_600_000); // the laptop slept an hour; the monotonic clock did not move
    const calls = await Promise.all(Array.from({ length: 20 }, () => c.getAccessToken()));
    expect(new Set(calls).size).toBe(1);
    expect(calls[0]).not.toBe(first);
    expect(p.refreshes()).toBe(1);
    for (let s = 0; s < 30; s += 1) {
      await c.getAccessToken();
      await advance(1000);
    }
    expect(p.refreshes()).toBe(1);
  });
});

describe('tabs that come back', () => {
  it('a tab that missed a logout (frozen, or kept in the back/forward cache) drops the session when it is shown again', async () => {
    const NodeChannel = globalThis.BroadcastChannel;
    let deaf = false;
    // Messages to every tab stop while `deaf`: what a frozen or cached page hears.
    vi.stubGlobal(
      'BroadcastChannel',
      class extends NodeChannel {
        override set onmessage(handler: ((e: MessageEvent) => void) | null) {
          super.onmessage = handler && ((e: MessageEvent) => !deaf && handler(e));
        }
      },
    );
    const locks = installFakeLocks();
    try {
      const clientId = freshClientId();
      const op = fakeProvider({ clientId });
      const a = await op.tab();
      await op.signIn(a);
      const b = await op.tab();
      expect(b.getState().status).toBe('authenticated');
      deaf = true;
      await a.logout({ localOnly: true });
      expect(b.getState().status).toBe('authenticated'); // it heard nothing
      const event = new Event('pageshow') as Event & { persisted: boolean };
      Object.defineProperty(event, 'persisted', { value: true });
      window.dispatchEvent(event);
      expect(b.getState().status).toBe('unauthenticated');
      expect(await outcome(b)).toEqual({ error: 'login_required' });
      expect(op.net.requests.filter((r) => r.body.get('grant_type') === 'refresh_token')).toHaveLength(0);

      // A new login clears the mark: a clock set back since the logout cannot make the new session look ended.
      deaf = false;
      await op.signIn(a);
      window.dispatchEvent(event);
      expect(a.getState().status).toBe('authenticated');
    } finally {
      locks.uninstall();
      vi.unstubAllGlobals();
    }
  });
});
