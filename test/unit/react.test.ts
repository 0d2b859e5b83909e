/**
 * pkce-spa/react rendered with real React (react-dom/client + act) in happy-dom. The network edge is an injected fetch
 * answering with real Response objects; each test uses its own client id so that sibling-tab messages between the
 * clients of different tests (they share one BroadcastChannel namespace) cannot mix.
 */
import { Component, StrictMode, act, createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { AuthError, type AuthState } from '../../src/index.js';
import { AuthProvider, RequireAuth, getReturnTo, useAuth, type UseAuthResult } from '../../src/react/index.js';
import { MAX_AUTO_LOGINS } from '../../src/adapters/start.js';
import { ISSUER, REDIRECT_URI, fakeProvider } from '../helpers/fake-provider.js';
import { countListeners } from '../helpers/listeners.js';
import { waitForState as until } from '../helpers/wait.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let assign: MockInstance<Location['assign']>;
let container: HTMLElement;
let root: Root | undefined;
let caught: unknown[];

// A clean tab (sessionStorage, URL) and mocks restored: test/setup/unit.ts.
beforeEach(() => {
  // The spy itself records navigations, so the fake provider's returnFromProvider clears what an earlier page did.
  assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  container = document.createElement('div');
  document.body.appendChild(container);
  caught = [];
});
afterEach(() => {
  if (root) act(() => root!.unmount());
  root = undefined;
  container.remove();
});

const provider = () => fakeProvider();

/** Catches what a component throws and shows its code, as an app's error boundary would. */
class Boundary extends Component<{ children?: ReactNode }, { error?: unknown }> {
  override state: { error?: unknown } = {};
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render(): ReactNode {
    return this.state.error
      ? createElement('p', null, `error: ${(this.state.error as AuthError).code}`)
      : this.props.children;
  }
}

const renders: string[] = [];
let latest: UseAuthResult | undefined;
/** Shows what useAuth() says and records each render. */
function Status(): ReactNode {
  const auth = useAuth();
  latest = auth;
  renders.push(auth.status);
  return createElement('p', null, auth.isAuthenticated ? `hello ${auth.user?.sub}` : auth.status);
}

function render(element: ReactNode): void {
  renders.length = 0;
  root = createRoot(container, { onCaughtError: (error) => void caught.push(error) });
  act(() => root!.render(createElement(StrictMode, null, createElement(Boundary, null, element))));
}

const text = () => container.textContent;

describe('AuthProvider + useAuth', () => {
  it('renders loading, then re-renders unauthenticated once the client has started', async () => {
    const client = provider().client();
    render(createElement(AuthProvider, { client }, createElement(Status)));
    expect(text()).toBe('loading');

    await act(() => until(client, (s) => s.status === 'unauthenticated'));

    expect(text()).toBe('unauthenticated');
    expect(latest).toMatchObject({ status: 'unauthenticated', isLoading: false, isAuthenticated: false, client });
    expect(renders).toContain('loading');
  });

  it('handles the redirect callback exactly once under StrictMode and hands appState to onRedirectCallback', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/inbox?tab=2' });
    const client = op.client();
    let delivered!: (appState: unknown) => void;
    const appStates = new Promise<unknown>((resolve) => (delivered = resolve));
    const onRedirectCallback = vi.fn((appState: unknown) => delivered(appState));

    render(
      createElement(
        AuthProvider,
        { client, onRedirectCallback },
        createElement(RequireAuth, { fallback: 'wait' }, createElement(Status)),
      ),
    );
    expect(text()).toBe('wait');

    expect(await act(() => appStates)).toEqual({ returnTo: '/inbox?tab=2' });
    await act(() => until(client, (s) => s.status === 'authenticated'));

    expect(text()).toBe('hello alice');
    expect(onRedirectCallback).toHaveBeenCalledTimes(1);
    // A second handleRedirectCallback would have recorded state_mismatch, and would not reach the token endpoint.
    expect(client.getState()).toEqual({ status: 'authenticated', user: expect.objectContaining({ sub: 'alice' }) });
    expect(op.net.count('/token')).toBe(1);
    expect(window.location.href).toBe(REDIRECT_URI);
    expect(assign).not.toHaveBeenCalled(); // RequireAuth waited for the callback instead of starting a new login
    expect(await latest!.getAccessToken()).toMatch(/^at-/);
    expect(op.net.count('/token')).toBe(1);
  });

  it('useAuth outside AuthProvider throws AuthError invalid_options naming AuthProvider', () => {
    render(createElement(Status));

    expect(text()).toBe('error: invalid_options');
    expect(caught[0]).toBeInstanceOf(AuthError);
    expect(caught[0]).toMatchObject({ code: 'invalid_options', message: expect.stringContaining('<AuthProvider') });
  });

  it('unsubscribes on unmount: no listener is left and a later state change renders nothing', async () => {
    const client = provider().client();
    const listening = countListeners(client);
    render(createElement(AuthProvider, { client }, createElement(Status), createElement(Status)));
    await act(() => until(client, (s) => s.status === 'unauthenticated'));
    expect(listening()).toBe(2);
    const count = renders.length;
    act(() => root!.unmount());
    root = undefined;
    expect(listening()).toBe(0);

    // A stray callback is a state change (unauthenticated + state_mismatch) that a mounted tree would render.
    const seen: AuthState[] = [];
    client.subscribe((s) => seen.push(s));
    await client.handleRedirectCallback(`${REDIRECT_URI}?code=x&state=stray`).catch(() => undefined);

    expect(seen).toEqual([
      expect.objectContaining({
        status: 'unauthenticated',
        error: expect.objectContaining({ code: 'state_mismatch' }),
      }),
    ]);
    expect(renders.length).toBe(count);
    expect(text()).toBe('');
  });
});

/** A page that finished a login and shows a RequireAuth with Status inside. */
async function signedInBehindRequireAuth() {
  const op = provider();
  await op.returnFromProvider({ returnTo: '/' });
  const client = op.client();
  render(
    createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, createElement(Status))),
  );
  await act(() => until(client, (s) => s.status === 'authenticated'));
  return { op, client };
}

describe('RequireAuth', () => {
  for (const startedBefore of [false, true]) {
    it(`sends a signed-out user to the authorization endpoint once, with returnTo, and renders the fallback (client ${startedBefore ? 'started before' : 'starting at'} the first render)`, async () => {
      window.history.replaceState(null, '', 'https://app.example.test/orders?id=7#top');
      const op = provider();
      const client = op.client();
      if (startedBefore) await client.ready(); // the first render is already unauthenticated: StrictMode mounts RequireAuth twice
      const login = vi.spyOn(client, 'loginWithRedirect');
      const navigated = new Promise<string>((resolve) => assign.mockImplementation((url) => resolve(String(url))));

      render(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));
      const url = new URL(await act(() => navigated));

      expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
      expect(url.searchParams.get('client_id')).toBe(op.clientId);
      const tx = JSON.parse(sessionStorage.getItem(`pkce-spa:tx:${ISSUER}/ ${op.clientId}`)!);
      expect(tx).toMatchObject({ state: url.searchParams.get('state'), appState: { returnTo: '/orders?id=7#top' } });
      // Every effect run decides in the same tick once the start settles, long before the first navigation.
      expect(login).toHaveBeenCalledTimes(1);
      expect(assign).toHaveBeenCalledTimes(1);
      expect(text()).toBe('wait');
    });
  }

  it('shows a failed callback in the default error fallback (visible, no blank page); "Sign in again" logs in once more', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/orders' }, { error: 'access_denied', error_description: 'User said no' });
    const client = op.client();
    const onRedirectCallback = vi.fn();

    render(
      createElement(
        AuthProvider,
        { client, onRedirectCallback },
        createElement(RequireAuth, { fallback: 'wait' }, 'secret'),
      ),
    );
    await act(() => until(client, (s) => s.status === 'unauthenticated'));
    await act(async () => {}); // RequireAuth's effect: waits for the start, then decides

    const alert = container.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('Sign-in failed (access_denied): User said no');
    expect(caught).toEqual([]);
    expect(assign).not.toHaveBeenCalled();
    expect(op.net.count('/token')).toBe(0);
    // The app hears about the failure too, with the login's appState, to clean its router's location.
    expect(onRedirectCallback).toHaveBeenCalledWith(
      { returnTo: '/orders' },
      expect.objectContaining({ code: 'access_denied' }),
    );

    const navigated = new Promise<string>((resolve) => assign.mockImplementation((url) => resolve(String(url))));
    await act(async () => alert.querySelector('button')!.click());
    const url = new URL(await act(() => navigated));

    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(client.getState().error).toBeUndefined();
    expect(assign).toHaveBeenCalledTimes(1);
  });

  it('takes an error fallback render function with { error, retry }', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/' }, { error: 'access_denied' });
    const client = op.client();
    const errorFallback = ({ error }: { error: AuthError }) => createElement('em', null, `custom ${error.code}`);

    render(createElement(AuthProvider, { client }, createElement(RequireAuth, { errorFallback }, 'secret')));
    await act(() => until(client, (s) => s.status === 'unauthenticated'));
    await act(async () => {});

    expect(text()).toBe('custom access_denied');
  });

  it('stores the return path relative to the router basename', async () => {
    window.history.replaceState(null, '', 'https://app.example.test/react/orders?id=7#top');
    const op = provider();
    const client = op.client();
    const navigated = new Promise<string>((resolve) => assign.mockImplementation((url) => resolve(String(url))));

    render(
      createElement(
        AuthProvider,
        { client, basename: '/react/' },
        createElement(RequireAuth, { fallback: 'wait' }, 'secret'),
      ),
    );
    await act(() => navigated);

    const tx = JSON.parse(sessionStorage.getItem(`pkce-spa:tx:${ISSUER}/ ${op.clientId}`)!);
    expect(tx.appState).toEqual({ returnTo: '/orders?id=7#top' });
    expect(getReturnTo(tx.appState)).toBe('/orders?id=7#top');
    expect(getReturnTo({ returnTo: '//evil.example' })).toBe('/');
  });

  it(`after ${MAX_AUTO_LOGINS} automatic logins within a minute that left nobody signed in, shows login_loop instead of a new one`, async () => {
    sessionStorage.setItem(
      'pkce-spa:auto-logins',
      JSON.stringify(Array.from({ length: MAX_AUTO_LOGINS }, () => Date.now())),
    );
    const client = provider().client();

    render(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));
    await act(() => until(client, (s) => s.status === 'unauthenticated'));
    await act(async () => {});
    await act(async () => {});

    expect(container.querySelector('[role="alert"]')?.textContent).toContain('(login_loop)');
    expect(assign).not.toHaveBeenCalled();
  });

  it('after useAuth().logout() stays on the fallback and starts no login that would race the end-session redirect', async () => {
    const { op, client } = await signedInBehindRequireAuth();
    expect(text()).toBe('hello alice');
    const login = vi.spyOn(client, 'loginWithRedirect');

    await act(() => latest!.logout());
    await act(async () => {}); // RequireAuth's effect for the new state has run and decided

    expect(client.getState().status).toBe('unauthenticated');
    expect(text()).toBe('wait');
    expect(assign.mock.calls.map(([url]) => new URL(url as string).pathname)).toEqual(['/logout']);
    expect(login).not.toHaveBeenCalled();
    expect(op.net.count('/revoke')).toBe(1);
  });

  it('a session ended elsewhere (another tab, a dead refresh token) still sends the user to the provider', async () => {
    const { op, client } = await signedInBehindRequireAuth();
    expect(op.net.count('/token')).toBe(1);
    const navigated = new Promise<string>((resolve) => assign.mockImplementation((url) => resolve(String(url))));

    // A local logout on the client itself, not through useAuth(): RequireAuth cannot tell it from a session that ended.
    await act(() => client.logout({ localOnly: true }));
    const url = new URL(await act(() => navigated));

    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(url.searchParams.get('client_id')).toBe(op.clientId);
    expect(text()).toBe('wait');
  });

  it('in a login popup hands the callback URL to the opener and starts no login there', async () => {
    const op = provider();
    const postMessage = vi.fn();
    // The opener (same origin) waits for a popup login with this state.
    const openerStorage = { getItem: (k: string) => (k === 'pkce-spa:child-logins' ? '["from-the-opener"]' : null) };
    vi.spyOn(window, 'opener', 'get').mockReturnValue({
      postMessage,
      sessionStorage: openerStorage,
    } as unknown as Window);
    const callback = `${REDIRECT_URI}?code=c&state=from-the-opener&iss=${encodeURIComponent(ISSUER)}`;
    window.history.replaceState(null, '', callback);
    const client = op.client();
    const posted = new Promise<void>((resolve) => postMessage.mockImplementation(() => resolve()));

    render(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));
    await act(() => posted);

    expect(postMessage).toHaveBeenCalledWith({ type: 'pkce-spa:callback', url: callback }, 'https://app.example.test');
    expect(client.getState().status).toBe('loading');
    expect(text()).toBe('wait');
    expect(assign).not.toHaveBeenCalled();
    expect(op.net.count('/token')).toBe(0);
  });
});
