/**
 * pkce-spa/react rendered with real React (react-dom/client + act) in happy-dom. The network edge is an injected fetch
 * answering with real Response objects; each test uses its own client id so that sibling-tab messages between the
 * clients of different tests (they share one BroadcastChannel namespace) cannot mix.
 */
import { Component, StrictMode, act, createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthError, PkceClient, type AuthState } from '../../src/index.js';
import { AuthProvider, RequireAuth, useAuth, type UseAuthResult } from '../../src/react/index.js';
import { ISSUER, REDIRECT_URI, fakeFetch, metadata, tokenResponse } from '../helpers/fake-fetch.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let assign: ReturnType<typeof vi.fn>;
let container: HTMLElement;
let root: Root | undefined;
let caught: unknown[];
let ids = 0;

beforeEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, '', 'https://app.example.test/');
  assign = vi.fn();
  vi.spyOn(window.location, 'assign').mockImplementation(assign);
  container = document.createElement('div');
  document.body.appendChild(container);
  caught = [];
});
afterEach(() => {
  if (root) act(() => root!.unmount());
  root = undefined;
  container.remove();
  vi.restoreAllMocks();
});

/** A provider stand-in: a client id of its own, and a token endpoint that signs `alice` in with the login's nonce. */
function provider() {
  const clientId = `spa-react-${++ids}`;
  let nonce = '';
  const net = fakeFetch({ '/token': () => tokenResponse({}, { aud: clientId, nonce }) });
  const options = { issuer: ISSUER, clientId, redirectUri: REDIRECT_URI, metadata, fetch: net.fetch };
  return {
    net,
    clientId,
    /** A client as a freshly loaded page creates it. */
    client: () => new PkceClient(options),
    /** Starts a login in an earlier "page" and puts the provider's answer in the address bar, as the browser would. */
    async returnFromProvider(appState: unknown, answer: Record<string, string> = { code: 'the-code' }): Promise<void> {
      await new PkceClient(options).loginWithRedirect({ appState });
      const auth = new URL(assign.mock.calls.at(-1)![0] as string);
      nonce = auth.searchParams.get('nonce')!;
      const callback = new URL(REDIRECT_URI);
      for (const [k, v] of Object.entries({ ...answer, state: auth.searchParams.get('state')!, iss: ISSUER })) callback.searchParams.set(k, v);
      window.history.replaceState(null, '', callback.href);
      assign.mockClear();
    },
  };
}

/** Resolves when the client's state satisfies `test` (now or at a later change). */
function until(client: PkceClient, test: (s: AuthState) => boolean): Promise<AuthState> {
  return new Promise((resolve) => {
    if (test(client.getState())) return resolve(client.getState());
    const off = client.subscribe((s) => {
      if (!test(s)) return;
      off();
      resolve(s);
    });
  });
}

/** Observes client.subscribe (it still subscribes): how many listeners are attached now. */
function countListeners(client: PkceClient): () => number {
  let active = 0;
  const subscribe = client.subscribe.bind(client);
  vi.spyOn(client, 'subscribe').mockImplementation((listener) => {
    const off = subscribe(listener);
    active++;
    return () => {
      active--;
      off();
    };
  });
  return () => active;
}

/** Catches what a component throws and shows its code, as an app's error boundary would. */
class Boundary extends Component<{ children?: ReactNode }, { error?: unknown }> {
  override state: { error?: unknown } = {};
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render(): ReactNode {
    return this.state.error ? createElement('p', null, `error: ${(this.state.error as AuthError).code}`) : this.props.children;
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

    render(createElement(AuthProvider, { client, onRedirectCallback }, createElement(RequireAuth, { fallback: 'wait' }, createElement(Status))));
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

    expect(seen).toEqual([expect.objectContaining({ status: 'unauthenticated', error: expect.objectContaining({ code: 'state_mismatch' }) })]);
    expect(renders.length).toBe(count);
    expect(text()).toBe('');
  });
});

describe('RequireAuth', () => {
  for (const startedBefore of [false, true]) {
    it(`sends a signed-out user to the authorization endpoint once, with returnTo, and renders the fallback (client ${startedBefore ? 'started before' : 'starting at'} the first render)`, async () => {
      window.history.replaceState(null, '', 'https://app.example.test/orders?id=7#top');
      const op = provider();
      const client = op.client();
      if (startedBefore) await client.ready(); // the first render is already unauthenticated: StrictMode mounts RequireAuth twice
      const login = vi.spyOn(client, 'loginWithRedirect');
      const navigated = new Promise<string>((resolve) => assign.mockImplementation(resolve));

      render(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));
      const url = new URL(await act(() => navigated));

      expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
      expect(url.searchParams.get('client_id')).toBe(op.clientId);
      const tx = JSON.parse(sessionStorage.getItem(`pkce-spa:tx:${op.clientId}`)!);
      expect(tx).toMatchObject({ state: url.searchParams.get('state'), appState: { returnTo: '/orders?id=7#top' } });
      // Every effect run decides in the same tick once the start settles, long before the first navigation.
      expect(login).toHaveBeenCalledTimes(1);
      expect(assign).toHaveBeenCalledTimes(1);
      expect(text()).toBe('wait');
    });
  }

  it('shows a failed callback through the error boundary instead of sending the user back to the provider', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/' }, { error: 'access_denied', error_description: 'User said no' });
    const client = op.client();

    render(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));
    await act(() => until(client, (s) => s.status === 'unauthenticated'));
    await act(async () => {}); // RequireAuth's effect: waits for the start, then decides

    expect(text()).toBe('error: access_denied');
    expect(caught).toEqual([expect.objectContaining({ code: 'access_denied', description: 'User said no' })]);
    expect(assign).not.toHaveBeenCalled();
    expect(op.net.count('/token')).toBe(0);
  });

  it('after useAuth().logout() stays on the fallback and starts no login that would race the end-session redirect', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/' });
    const client = op.client();
    render(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, createElement(Status))));
    await act(() => until(client, (s) => s.status === 'authenticated'));
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
    const op = provider();
    await op.returnFromProvider({ returnTo: '/' });
    const client = op.client();
    render(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, createElement(Status))));
    await act(() => until(client, (s) => s.status === 'authenticated'));
    const navigated = new Promise<string>((resolve) => assign.mockImplementation(resolve));

    // A local logout on the client itself, not through useAuth(): RequireAuth cannot tell it from a session that ended.
    await act(() => client.logout({ localOnly: true }));
    const url = new URL(await act(() => navigated));

    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(text()).toBe('wait');
  });

  it('in a login popup hands the callback URL to the opener and starts no login there', async () => {
    const op = provider();
    const postMessage = vi.fn();
    vi.spyOn(window, 'opener', 'get').mockReturnValue({ postMessage } as unknown as Window);
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
