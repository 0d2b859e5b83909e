// The Vue demo's components and router (demo/vue/main.ts mounts them): vue-router with createWebHistory('/vue/'),
// createAuth(client, { router }) so that the router never writes a callback URL back, and createAuthGuard on the
// routes with meta.requiresAuth. Render functions, no SFC compiler. Tested with pkce-spa/testing in
// test/unit/demo-vue.test.ts.
import { defineComponent, h, ref, shallowRef } from 'vue';
import { RouterLink, RouterView, createRouter, type RouterHistory } from 'vue-router';
import { isAuthError, type AuthError, type PkceClient } from 'pkce-spa';
import { createAuthGuard, getReturnTo, useAuth } from 'pkce-spa/vue';

/** Where the app lives: the router's base, also its redirect URI and post-logout redirect URI at the demo provider. */
export const BASE = '/vue/';

const describe = (e: unknown): string => (isAuthError(e) ? `${e.code}: ${e.message}` : String(e));

/** An error the guard met that is not in the client's state (`login_loop`, a failed `loginWithRedirect`). */
export const guardError = shallowRef<AuthError>();

export const Home = defineComponent({
  setup() {
    return () =>
      h('p', { 'data-testid': 'home' }, [
        'Open ',
        h(RouterLink, { to: '/orders' }, () => 'Orders'),
        ': its route runs ',
        h('code', 'createAuthGuard'),
        ', which sends a signed-out user to the provider and, after the login, back to that page (',
        h('code', 'appState.returnTo'),
        ', the route path).',
      ]);
  },
});

export const Orders = defineComponent({
  setup() {
    const { user } = useAuth<{ sub: string; name?: string }>();
    return () =>
      h('section', { 'data-testid': 'orders' }, [
        h('h2', 'Orders'),
        h('p', `Only signed-in users see this page. Orders of ${user.value?.name ?? user.value?.sub}: none yet.`),
      ]);
  },
});

/** The router: `/` and the guarded `/orders`. A failed login leaves the navigation where it was (the error shows). */
export function createDemoRouter(client: PkceClient, history: RouterHistory) {
  const router = createRouter({
    history,
    routes: [
      { path: '/', component: Home },
      { path: '/orders', component: Orders, meta: { requiresAuth: true } },
    ],
  });
  const guard = createAuthGuard(client, {
    onError: (error) => {
      guardError.value = error;
      return false;
    },
  });
  router.beforeEach((to) => !to.meta.requiresAuth || guard(to));
  return router;
}

export const App = defineComponent({
  setup() {
    const {
      state,
      user,
      error,
      isAuthenticated,
      client: auth,
      loginWithRedirect,
      loginWithPopup,
      logout,
      getAccessToken,
      retryLogin,
    } = useAuth();
    const apiResult = ref('No call yet.');
    const actionError = ref<string>();

    const run = (action: () => Promise<unknown>) => () => {
      actionError.value = undefined;
      // Failed logins are in the auth state (`error`); anything else is shown here.
      action().catch((e: unknown) => {
        if (e !== auth.getState().error) actionError.value = describe(e);
      });
    };

    async function callApi(): Promise<void> {
      apiResult.value = 'Calling…';
      try {
        const token = await getAccessToken();
        const response = await fetch('/api/protected', { headers: { authorization: `Bearer ${token}` } });
        apiResult.value = `${response.status} ${JSON.stringify(await response.json(), null, 2)}`;
      } catch (e) {
        apiResult.value = `failed: ${describe(e)}`;
      }
    }

    const here = () =>
      typeof window === 'undefined' ? '/' : getReturnTo({ returnTo: window.location.pathname.slice(BASE.length - 1) });

    return () => {
      const { status } = state.value;
      const signedOut = status === 'unauthenticated';
      const shown = error.value ?? guardError.value;
      return h('main', [
        h('h1', 'pkce-spa + Vue'),
        h('nav', [
          h(RouterLink, { to: '/' }, () => 'Home'),
          h(RouterLink, { to: '/orders' }, () => 'Orders (sign-in required)'),
          h('a', { href: '/' }, 'Plain demo'),
          h('a', { href: '/react/' }, 'React demo'),
        ]),
        h('p', [
          'Status: ',
          h('strong', { 'data-testid': 'status' }, status),
          user.value
            ? [' · signed in as ', h('strong', { 'data-testid': 'user' }, user.value.name ?? user.value.sub)]
            : null,
        ]),
        shown
          ? h('div', { role: 'alert' }, [
              h('p', { 'data-testid': 'error' }, describe(shown)),
              h(
                'button',
                {
                  type: 'button',
                  onClick: run(() => {
                    guardError.value = undefined;
                    return retryLogin({ appState: { returnTo: here() } });
                  }),
                },
                'Sign in again',
              ),
            ])
          : null,
        actionError.value ? h('p', { role: 'alert' }, actionError.value) : null,
        h('div', { class: 'row' }, [
          h(
            'button',
            {
              type: 'button',
              disabled: !signedOut,
              onClick: run(() => loginWithRedirect({ appState: { returnTo: here() } })),
            },
            'Log in',
          ),
          // Called straight from the click: the popup opens before anything is awaited.
          h(
            'button',
            { type: 'button', disabled: !signedOut, onClick: run(() => loginWithPopup()) },
            'Log in with popup',
          ),
          h('button', { type: 'button', disabled: !isAuthenticated.value, onClick: () => void callApi() }, 'Call API'),
          h('button', { type: 'button', disabled: !isAuthenticated.value, onClick: run(() => logout()) }, 'Log out'),
        ]),
        h('pre', { 'data-testid': 'api-result' }, apiResult.value),
        h(RouterView),
      ]);
    };
  },
});
