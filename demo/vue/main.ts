// The Vue demo: pkce-spa/vue with render functions (no SFC compiler), bundled by scripts/build-demo.mjs (vite) into
// demo/build/vue and served at /vue/ by demo/server.mjs. It imports 'pkce-spa' and 'pkce-spa/vue' as an app would; the
// build resolves them to the built dist/ files. Two pages as hash routes: #/ (home) and #/orders, guarded by
// createAuthGuard through a small hand-written router (an app would use vue-router's beforeEach).
import { createApp, defineComponent, h, ref, shallowRef } from 'vue';
import { PkceClient, isAuthError, type AuthError } from 'pkce-spa';
import { createAuth, createAuthGuard, useAuth } from 'pkce-spa/vue';

/** Where the app lives; also its redirect URI and post-logout redirect URI, both registered at the demo provider. */
const BASE = '/vue/';

const describe = (e: unknown): string => (isAuthError(e) ? `${e.code}: ${e.message}` : String(e));

const config = (await (await fetch('/config.json')).json()) as { issuer: string; clientId: string };
const client = new PkceClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}${BASE}`,
  postLogoutRedirectUri: `${location.origin}${BASE}`,
});
// Every error the client reports, once each, in the console (a second callback attempt would show up here).
let lastError: AuthError | undefined;
client.subscribe(({ error }) => {
  if (error && error !== lastError) console.error(`pkce-spa: ${describe(error)}`);
  lastError = error;
});

// --- The router: paths after '#', a guard for the routes that need a signed-in user. -----------------------------
const routes: Record<string, { requiresAuth: boolean }> = { '/': { requiresAuth: false }, '/orders': { requiresAuth: true } };
const guard = createAuthGuard(client);
type View = { name: 'home' | 'orders' | 'checking' | 'redirecting' } | { name: 'failed'; error: string };
const view = shallowRef<View>({ name: 'checking' });
let navigation = 0;

/** Runs the guard like `router.beforeEach((to) => !to.meta.requiresAuth || guard(to))`; the last navigation wins. */
async function navigate(path: string): Promise<void> {
  const id = (navigation += 1);
  const show = (next: View) => {
    if (id === navigation) view.value = next;
  };
  const name = path === '/orders' ? 'orders' : 'home';
  if (!routes[path]?.requiresAuth) return show({ name });
  show({ name: 'checking' });
  try {
    // false: the guard has sent the browser to the provider, with appState { returnTo: '/orders' }.
    show((await guard({ fullPath: path })) ? { name } : { name: 'redirecting' });
  } catch (e) {
    show({ name: 'failed', error: describe(e) });
  }
}

const router = {
  path: (): string => location.hash.replace(/^#/, '') || '/',
  /** Replaces the current history entry (the callback URL is not worth a Back step) and navigates. */
  replace(path: string): void {
    history.replaceState(history.state, '', `${BASE}#${path}`);
    void navigate(path);
  },
};
window.addEventListener('hashchange', () => void navigate(router.path()));

/** `appState.returnTo` as set by the guard (`to.fullPath`), or the home page. */
function returnTo(appState: unknown): string {
  const to = (appState as { returnTo?: unknown } | undefined)?.returnTo;
  return typeof to === 'string' && to in routes ? to : '/';
}

// --- Components -------------------------------------------------------------------------------------------------
const Orders = defineComponent({
  setup() {
    const { user } = useAuth();
    return () => h('section', { 'data-testid': 'orders' }, [
      h('h2', 'Orders'),
      h('p', `Only signed-in users see this page. Orders of ${user.value?.name ?? user.value?.sub}: none yet.`),
    ]);
  },
});

const Page = defineComponent({
  setup() {
    return () => {
      const current = view.value;
      switch (current.name) {
        case 'orders':
          return h(Orders);
        case 'checking':
          return h('p', { 'data-testid': 'guard' }, 'Checking your session…');
        case 'redirecting':
          return h('p', { 'data-testid': 'guard' }, 'Sending you to the provider to sign in…');
        case 'failed':
          return h('p', { role: 'alert' }, `The guard failed: ${current.error}`);
        default:
          return h('p', [
            'Open ', h('a', { href: '#/orders' }, 'Orders'), ': its route runs ', h('code', 'createAuthGuard'),
            ', which sends a signed-out user to the provider and, after the login, back to that page (', h('code', 'appState.returnTo'), ').',
          ]);
      }
    };
  },
});

const App = defineComponent({
  setup() {
    const { state, user, error, isAuthenticated, client: auth, loginWithRedirect, loginWithPopup, logout, getAccessToken } = useAuth();
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

    return () => {
      const { status } = state.value;
      const signedOut = status === 'unauthenticated';
      return h('main', [
        h('h1', 'pkce-spa + Vue'),
        h('nav', [
          h('a', { href: '#/' }, 'Home'),
          h('a', { href: '#/orders' }, 'Orders (sign-in required)'),
          h('a', { href: '/' }, 'Plain demo'),
          h('a', { href: '/react/' }, 'React demo'),
        ]),
        h('p', [
          'Status: ', h('strong', { 'data-testid': 'status' }, status),
          user.value ? [' · signed in as ', h('strong', { 'data-testid': 'user' }, user.value.name ?? user.value.sub)] : null,
        ]),
        error.value ? h('p', { role: 'alert', 'data-testid': 'error' }, describe(error.value)) : null,
        actionError.value ? h('p', { role: 'alert' }, actionError.value) : null,
        h('div', { class: 'row' }, [
          h('button', { type: 'button', disabled: !signedOut, onClick: run(() => loginWithRedirect({ appState: { returnTo: router.path() } })) }, 'Log in'),
          // Called straight from the click: the popup opens before anything is awaited.
          h('button', { type: 'button', disabled: !signedOut, onClick: run(() => loginWithPopup()) }, 'Log in with popup'),
          h('button', { type: 'button', disabled: !isAuthenticated.value, onClick: () => void callApi() }, 'Call API'),
          h('button', { type: 'button', disabled: !isAuthenticated.value, onClick: run(() => logout()) }, 'Log out'),
        ]),
        h('pre', { 'data-testid': 'api-result' }, apiResult.value),
        h(Page),
      ]);
    };
  },
});

createApp(App)
  .use(createAuth(client, { onRedirectCallback: (appState) => router.replace(returnTo(appState)) }))
  .mount('#app');
void navigate(router.path());
