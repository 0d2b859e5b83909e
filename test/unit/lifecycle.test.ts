/**
 * The client's page lifecycle (start / close / clearError), the `debug` option, the raw ID token and server rendering.
 * The network edge is an injected fetch with real Response objects; each test has its own client id so that
 * sibling-tab messages between tests cannot mix.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PkceClient, type DebugEvent } from '../../src/index.js';
import { ISSUER, REDIRECT_URI, fakeFetch, metadata, tokenResponse } from '../helpers/fake-provider.js';
import { waitForState as until } from '../helpers/wait.js';

let assign: ReturnType<typeof vi.fn>;
let ids = 0;

beforeEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, '', 'https://app.example.test/');
  assign = vi.fn();
  vi.spyOn(window.location, 'assign').mockImplementation(assign);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** A provider stand-in with a client id of its own; `page()` is the client a freshly loaded page creates. */
function op(extra: Record<string, unknown> = {}) {
  const clientId = `spa-lifecycle-${++ids}`;
  let nonce = '';
  const net = fakeFetch({
    '/token': (req) =>
      tokenResponse(
        {},
        { aud: clientId, ...(req.body.get('grant_type') === 'authorization_code' && { nonce }), roles: ['admin'] },
      ),
  });
  const options = { issuer: ISSUER, clientId, redirectUri: REDIRECT_URI, metadata, fetch: net.fetch, ...extra };
  return {
    net,
    page: (more: Record<string, unknown> = {}) => new PkceClient({ ...options, ...more }),
    /** Starts a login in an earlier page and puts the provider's answer in the address bar. */
    async answer(appState: unknown, params: Record<string, string> = { code: 'the-code' }): Promise<string> {
      await new PkceClient(options).loginWithRedirect({ appState });
      const auth = new URL(assign.mock.calls.at(-1)![0] as string);
      nonce = auth.searchParams.get('nonce')!;
      const callback = new URL(REDIRECT_URI);
      for (const [k, v] of Object.entries({ ...params, state: auth.searchParams.get('state')!, iss: ISSUER }))
        callback.searchParams.set(k, v);
      window.history.replaceState(null, '', callback.href);
      assign.mockClear();
      return callback.href;
    },
  };
}

describe('client.start()', () => {
  it('handles this page callback once however often it is called, returns appState and cleans the address bar', async () => {
    const provider = op();
    await provider.answer({ returnTo: '/orders' });
    const client = provider.page();

    const results = await Promise.all([client.start(), client.start(), client.start()]);

    expect(results[0]).toEqual({ callback: { appState: { returnTo: '/orders' } } });
    expect(results[1]).toBe(results[0]);
    expect(provider.net.count('/token')).toBe(1);
    expect(client.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    expect(window.location.href).toBe(REDIRECT_URI);
  });

  it('a failed callback (cancel at the provider) resolves with the error and the login appState; no exchange', async () => {
    const provider = op();
    await provider.answer({ returnTo: '/orders' }, { error: 'access_denied', error_description: 'User said no' });
    const client = provider.page();

    const { callback } = await client.start();

    expect(callback).toEqual({
      appState: { returnTo: '/orders' },
      error: expect.objectContaining({ code: 'access_denied' }),
    });
    expect(client.getState()).toEqual({ status: 'unauthenticated', error: callback!.error });
    expect(provider.net.count('/token')).toBe(0);
    expect(window.location.href).toBe(REDIRECT_URI);
  });

  it('a stale callback (no login pending) while signed out: state_mismatch, no exchange, clean address bar', async () => {
    const provider = op();
    window.history.replaceState(null, '', `${REDIRECT_URI}?code=old&state=old&iss=${encodeURIComponent(ISSUER)}`);
    const client = provider.page();

    const { callback } = await client.start();

    expect(callback?.error?.code).toBe('state_mismatch');
    expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'state_mismatch' } });
    expect(provider.net.count('/token')).toBe(0);
    expect(window.location.href).toBe(REDIRECT_URI);
  });

  it('a stale callback while signed in: the address bar is cleaned and nothing fails', async () => {
    const provider = op();
    const callbackUrl = await provider.answer({});
    const client = provider.page();
    await client.handleRedirectCallback(callbackUrl); // signed in before start(), as after a popup login
    window.history.replaceState(null, '', callbackUrl); // Back button: the old callback URL again

    const result = await client.start();

    expect(result).toEqual({});
    expect(client.getState()).toEqual({ status: 'authenticated', user: expect.objectContaining({ sub: 'alice' }) });
    expect(provider.net.count('/token')).toBe(1);
    expect(window.location.href).toBe(REDIRECT_URI);
  });

  it('callback parameters on another page than redirectUri are not taken for a callback', async () => {
    const provider = op();
    window.history.replaceState(null, '', 'https://app.example.test/search?state=open&code=ABC');
    const client = provider.page();

    expect(await client.start()).toEqual({});
    expect(client.getState()).toEqual({ status: 'unauthenticated' });
    expect(window.location.href).toBe('https://app.example.test/search?state=open&code=ABC');
  });

  it('clearError() removes a shown error and keeps the status', async () => {
    const provider = op();
    await provider.answer({}, { error: 'access_denied' });
    const client = provider.page();
    await client.start();
    expect(client.getState().error?.code).toBe('access_denied');

    client.clearError();

    expect(client.getState()).toEqual({ status: 'unauthenticated' });
  });
});

describe('client.close()', () => {
  it('stops hearing other tabs and removes its page listeners', async () => {
    const provider = op();
    const closed = provider.page();
    const witness = provider.page();
    await Promise.all([closed.ready(), witness.ready()]);
    const removed = vi.spyOn(window, 'removeEventListener');

    closed.close();
    await provider.answer({});
    await provider.page().start(); // another tab signs in and announces its session on the channel
    await until(witness, (s) => s.status === 'authenticated');

    expect(closed.getState().status).toBe('unauthenticated');
    expect(removed.mock.calls.map(([type]) => type)).toEqual(expect.arrayContaining(['pagehide', 'pageshow']));
  });
});

describe('debug option', () => {
  it('reports discovery, login, callback, renewal with its reason and failures, and never a token or code', async () => {
    const events: DebugEvent[] = [];
    const provider = op({ debug: (e: DebugEvent) => events.push(e) });
    await provider.answer({ returnTo: '/' });
    const client = provider.page();
    await client.start();
    const token = await client.getAccessToken({ forceRefresh: true });

    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'discovery', source: 'options' },
        { type: 'login_start', method: 'redirect' },
        { type: 'callback', outcome: 'success' },
        { type: 'renewal', reason: 'forced', via: 'refresh_token' },
      ]),
    );
    const text = JSON.stringify(events);
    for (const secret of ['the-code', token, 'rt-', 'at-', client.getIdToken()!.slice(0, 20)])
      expect(text).not.toContain(secret);
  });

  it('a throwing debug listener does not break the login', async () => {
    const provider = op({
      debug: () => {
        throw new Error('broken listener');
      },
    });
    await provider.answer({});
    const client = provider.page();

    await client.start();

    expect(client.getState().status).toBe('authenticated');
  });

  it('rejects a debug option that is not a function', () => {
    expect(() => op().page({ debug: 'yes' })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringContaining('debug must be a function'),
      }),
    );
  });
});

describe('types and raw tokens', () => {
  it('getIdToken() returns the raw ID token and getUser<T>() the custom claims', async () => {
    const provider = op();
    await provider.answer({});
    const client = provider.page();
    expect(client.getIdToken()).toBeUndefined();
    await client.start();

    expect(client.getIdToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const user = client.getUser<{ sub: string; roles: string[] }>();
    expect(user?.roles).toEqual(['admin']);
  });
});

describe('server-side rendering', () => {
  it('loginWithRedirect() fails with invalid_options "needs a browser window", before any request', async () => {
    const net = fakeFetch({});
    const client = new PkceClient({ issuer: ISSUER, clientId: 'spa-ssr', redirectUri: REDIRECT_URI, fetch: net.fetch });
    vi.stubGlobal('window', undefined);

    await expect(client.loginWithRedirect()).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('needs a browser window'),
    });
    expect(net.requests).toEqual([]);
    expect(await client.start()).toEqual({});
  });
});
