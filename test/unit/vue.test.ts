/**
 * pkce-spa/vue with real Vue apps mounted in happy-dom. The network edge is an injected fetch answering with real
 * Response objects; each test uses its own client id so that sibling-tab messages between the clients of different
 * tests (they share one BroadcastChannel namespace) cannot mix.
 */
import { createApp, h, nextTick, type App } from 'vue';
import { RouterView, createRouter, createWebHistory } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { AuthError, PkceClient } from '../../src/index.js';
import {
  createAuth,
  createAuthGuard,
  useAuth,
  type AuthPluginOptions,
  type UseAuthResult,
} from '../../src/vue/index.js';
import { ISSUER, REDIRECT_URI, fakeProvider } from '../helpers/fake-provider.js';
import { authErrorOf } from '../helpers/auth-error.js';
import { countListeners } from '../helpers/listeners.js';
import { waitForState as until } from '../helpers/wait.js';

let assign: MockInstance<Location['assign']>;
let apps: App[];

// A clean tab (sessionStorage, URL) and mocks restored: test/setup/unit.ts.
beforeEach(() => {
  // The spy itself records navigations, so the fake provider's returnFromProvider clears what an earlier page did.
  assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  apps = [];
});
afterEach(() => {
  for (const app of apps) app.unmount();
  document.body.innerHTML = '';
});

const provider = () => fakeProvider();

/** Mounts an app whose root shows what useAuth() says; returns its element, render count and useAuth() result. */
function mount(client: PkceClient | undefined, options?: AuthPluginOptions) {
  const el = document.body.appendChild(document.createElement('div'));
  const view = { el, renders: 0, auth: undefined as UseAuthResult | undefined, errors: [] as unknown[] };
  const app = createApp({
    setup() {
      const auth = (view.auth = useAuth());
      return () => {
        view.renders++;
        return h('p', auth.isAuthenticated.value ? `hello ${auth.user.value?.sub}` : auth.state.value.status);
      };
    },
  });
  app.config.errorHandler = (error) => void view.errors.push(error);
  if (client) app.use(createAuth(client, options));
  app.mount(el);
  apps.push(app);
  return { ...view, app, view, text: () => el.textContent };
}

describe('createAuth + useAuth', () => {
  it('renders loading, then re-renders unauthenticated once the client has started', async () => {
    const client = provider().client();
    const { text, view } = mount(client);
    expect(text()).toBe('loading');

    await until(client, (s) => s.status === 'unauthenticated');
    await nextTick();

    expect(text()).toBe('unauthenticated');
    expect(view.auth!.isLoading.value).toBe(false);
    expect(view.auth!.state.value).toBe(client.getState());
  });

  it('handles the redirect callback exactly once, even with two apps and a guard on the same client', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/inbox?tab=2' });
    const client = op.client();
    const onRedirectCallback = vi.fn();
    let delivered!: () => void;
    const first = new Promise<void>((resolve) => (delivered = resolve));
    onRedirectCallback.mockImplementation(() => delivered());

    const guarded = createAuthGuard(client)({ fullPath: '/inbox?tab=2' });
    const a = mount(client, { onRedirectCallback });
    const b = mount(client, { onRedirectCallback });
    expect(a.text()).toBe('loading');

    await first;
    expect(await guarded).toBe(true);
    await nextTick();

    expect(onRedirectCallback.mock.calls).toEqual([[{ returnTo: '/inbox?tab=2' }]]);
    expect(a.text()).toBe('hello alice');
    expect(b.text()).toBe('hello alice');
    // A second handleRedirectCallback would have recorded state_mismatch, and would not reach the token endpoint.
    expect(client.getState()).toEqual({ status: 'authenticated', user: expect.objectContaining({ sub: 'alice' }) });
    expect(op.net.count('/token')).toBe(1);
    expect(window.location.href).toBe(REDIRECT_URI);
    expect(assign).not.toHaveBeenCalled();
    expect(await a.view.auth!.getAccessToken()).toMatch(/^at-/);
  });

  it('useAuth without the plugin, or outside setup(), throws AuthError invalid_options', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // Vue: the failed setup left no render function
    const { view } = mount(undefined);
    expect(warn).toHaveBeenCalled();
    let outside: unknown;
    try {
      useAuth();
    } catch (e) {
      outside = e;
    }

    for (const error of [view.errors[0], outside]) {
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: 'invalid_options', message: expect.stringContaining('createAuth') });
    }
  });

  it('unsubscribes when the app unmounts: no listener is left and the refs stop following', async () => {
    const client = provider().client();
    const listening = countListeners(client);
    const { app, view, text } = mount(client);
    await until(client, (s) => s.status === 'unauthenticated');
    await nextTick();
    expect(listening()).toBe(1); // one per app, however many components call useAuth
    const renders = view.renders;
    const before = view.auth!.state.value;

    app.unmount();
    apps = [];
    expect(listening()).toBe(0);
    await client.handleRedirectCallback(`${REDIRECT_URI}?code=x&state=stray`).catch(() => undefined);
    await nextTick();

    expect(client.getState()).toMatchObject({ status: 'unauthenticated', error: { code: 'state_mismatch' } });
    expect(view.auth!.state.value).toBe(before);
    expect(view.renders).toBe(renders);
    expect(text()).toBe('');
  });
});

describe('createAuthGuard', () => {
  it('sends a signed-out user to the authorization endpoint once with returnTo = to.fullPath, and cancels the navigation', async () => {
    const op = provider();
    const client = op.client();
    const login = vi.spyOn(client, 'loginWithRedirect');
    const guard = createAuthGuard(client);

    const results = await Promise.all([
      guard({ fullPath: '/orders?id=7#top' }),
      guard({ fullPath: '/orders?id=7#top' }),
    ]);

    expect(results).toEqual([false, false]);
    expect(login).toHaveBeenCalledTimes(1);
    expect(assign).toHaveBeenCalledTimes(1);
    const url = new URL(assign.mock.calls[0]![0] as string);
    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(url.searchParams.get('client_id')).toBe(op.clientId);
    const tx = JSON.parse(sessionStorage.getItem(`pkce-spa:tx:${ISSUER}/ ${op.clientId}`)!);
    expect(tx).toMatchObject({ state: url.searchParams.get('state'), appState: { returnTo: '/orders?id=7#top' } });
  });

  it('rejects with the failed callback error instead of sending the user back to the provider', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/' }, { error: 'access_denied', error_description: 'User said no' });
    const client = op.client();
    mount(client);

    const error = await authErrorOf(createAuthGuard(client)({ fullPath: '/' }));

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'access_denied', description: 'User said no' });
    expect(client.getState().error).toBe(error);
    expect(assign).not.toHaveBeenCalled();
    expect(op.net.count('/token')).toBe(0);
  });

  it('with onError, returns its value instead of rejecting; retryLogin() clears the error and logs in again', async () => {
    const op = provider();
    await op.returnFromProvider({ returnTo: '/orders' }, { error: 'access_denied' });
    const client = op.client();
    const onRedirectCallback = vi.fn();
    const { view } = mount(client, { onRedirectCallback });

    const result = await createAuthGuard(client, { onError: (error) => `/failed/${error.code}` })({
      fullPath: '/orders',
    });

    expect(result).toBe('/failed/access_denied');
    expect(onRedirectCallback).toHaveBeenCalledWith(
      { returnTo: '/orders' },
      expect.objectContaining({ code: 'access_denied' }),
    );
    await view.auth!.retryLogin({ appState: { returnTo: '/orders' } });
    expect(client.getState().error).toBeUndefined();
    expect(new URL(assign.mock.calls[0]![0] as string).pathname).toBe('/authorize');
  });
});

describe('createAuth({ router }) with vue-router', () => {
  for (const outcome of ['success', 'failure'] as const) {
    it(`the first navigation never writes the callback parameters back (${outcome}); success goes to returnTo`, async () => {
      const op = provider();
      await op.returnFromProvider(
        { returnTo: '/orders?id=7' },
        outcome === 'success' ? { code: 'the-code' } : { error: 'access_denied' },
      );
      const client = op.client();
      const router = createRouter({
        history: createWebHistory('/'),
        routes: [
          { path: '/callback', component: { render: () => h('p', 'home') } },
          { path: '/orders', component: { render: () => h('p', 'orders') } },
        ],
      });
      const app = createApp({ render: () => h(RouterView) })
        .use(createAuth(client, { router }))
        .use(router);
      apps.push(app);
      app.mount(document.body.appendChild(document.createElement('div')));

      await router.isReady();
      await until(client, (s) => s.status !== 'loading');
      // After a success, the default onRedirectCallback navigates to returnTo.
      await vi.waitFor(() =>
        expect(router.currentRoute.value.path).toBe(outcome === 'success' ? '/orders' : '/callback'),
      );

      const href = new URL(window.location.href);
      expect([...href.searchParams.keys()].filter((k) => ['code', 'state', 'iss', 'error'].includes(k))).toEqual([]);
      expect(router.currentRoute.value.query).toEqual(outcome === 'success' ? { id: '7' } : {});
      expect(router.currentRoute.value.path).toBe(outcome === 'success' ? '/orders' : '/callback');
      expect(op.net.count('/token')).toBe(outcome === 'success' ? 1 : 0);
    });
  }
});
