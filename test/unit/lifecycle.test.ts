/**
 * The client's page lifecycle (start / close / clearError), the `debug` option, the raw ID token and server rendering.
 * The network edge is an injected fetch with real Response objects; each test has its own client id so that
 * sibling-tab messages between tests cannot mix.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PkceClient, type ClientOptions, type DebugEvent } from '../../src/index.js';
import { ISSUER, REDIRECT_URI, fakeFetch, fakeProvider } from '../helpers/fake-provider.js';
import { waitForState as until } from '../helpers/wait.js';

/** The fake provider (its own client id); its ID tokens carry a custom claim, `roles`. */
const op = (clientOptions: Partial<ClientOptions> = {}) =>
  fakeProvider({ claims: { roles: ['admin'] }, clientOptions });

beforeEach(() => {
  vi.spyOn(window.location, 'assign').mockImplementation(() => {});
});

describe('client.start()', () => {
  it('handles this page callback once however often it is called, returns appState and cleans the address bar', async () => {
    const provider = op();
    await provider.returnFromProvider({ returnTo: '/orders' });
    const client = provider.client();

    const results = await Promise.all([client.start(), client.start(), client.start()]);

    expect(results[0]).toEqual({ callback: { appState: { returnTo: '/orders' } } });
    expect(results[1]).toBe(results[0]);
    expect(provider.net.count('/token')).toBe(1);
    expect(client.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    expect(window.location.href).toBe(REDIRECT_URI);
  });

  it('a failed callback (cancel at the provider) resolves with the error and the login appState; no exchange', async () => {
    const provider = op();
    await provider.returnFromProvider(
      { returnTo: '/orders' },
      { error: 'access_denied', error_description: 'User said no' },
    );
    const client = provider.client();

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
    const client = provider.client();

    const { callback } = await client.start();

    expect(callback?.error?.code).toBe('state_mismatch');
    expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'state_mismatch' } });
    expect(provider.net.count('/token')).toBe(0);
    expect(window.location.href).toBe(REDIRECT_URI);
  });

  it('a stale callback while signed in: the address bar is cleaned and nothing fails', async () => {
    const provider = op();
    const callbackUrl = await provider.returnFromProvider({});
    const client = provider.client();
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
    const client = provider.client();

    expect(await client.start()).toEqual({});
    expect(client.getState()).toEqual({ status: 'unauthenticated' });
    expect(window.location.href).toBe('https://app.example.test/search?state=open&code=ABC');
  });

  it('clearError() removes a shown error and keeps the status', async () => {
    const provider = op();
    await provider.returnFromProvider({}, { error: 'access_denied' });
    const client = provider.client();
    await client.start();
    expect(client.getState().error?.code).toBe('access_denied');

    client.clearError();

    expect(client.getState()).toEqual({ status: 'unauthenticated' });
  });
});

describe('client.close()', () => {
  it('stops hearing other tabs and removes its page listeners', async () => {
    const provider = op();
    const closed = provider.client();
    const witness = provider.client();
    await Promise.all([closed.ready(), witness.ready()]);
    const removed = vi.spyOn(window, 'removeEventListener');

    closed.close();
    await provider.returnFromProvider({});
    await provider.client().start(); // another tab signs in and announces its session on the channel
    await until(witness, (s) => s.status === 'authenticated');

    expect(closed.getState().status).toBe('unauthenticated');
    expect(removed.mock.calls.map(([type]) => type)).toEqual(expect.arrayContaining(['pagehide', 'pageshow']));
  });
});

describe('debug option', () => {
  it('reports discovery, login, callback, renewal with its reason and failures, and never a token or code', async () => {
    const events: DebugEvent[] = [];
    const provider = op({ debug: (e: DebugEvent) => void events.push(e) });
    await provider.returnFromProvider({ returnTo: '/' });
    const client = provider.client();
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
    await provider.returnFromProvider({});
    const client = provider.client();

    await client.start();

    expect(client.getState().status).toBe('authenticated');
  });

  it('rejects a debug option that is not a function', () => {
    // @ts-expect-error a debug option that is not a function
    expect(() => op().client({ debug: 'yes' })).toThrow(
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
    await provider.returnFromProvider({});
    const client = provider.client();
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
