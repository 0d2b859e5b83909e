// examples/vue/main.ts: vue-router (createWebHistory) with the plugin's router integration and a guarded route.
import { createApp, defineComponent, h } from 'vue';
import { RouterLink, RouterView, createRouter, createWebHistory } from 'vue-router';
import { PkceClient } from 'pkce-spa';
import { createAuth, createAuthGuard, useAuth } from 'pkce-spa/vue';

// These values match `DEMO_ORIGINS=http://localhost:5173 npm start`.
const client = new PkceClient({
  issuer: 'http://localhost:4400',
  clientId: 'pkce-spa-demo',
  redirectUri: `${window.location.origin}/`,
  postLogoutRedirectUri: `${window.location.origin}/`,
});

interface Claims {
  sub: string;
  name?: string;
}

const Home = defineComponent(() => {
  const { state, user, error, loginWithRedirect, retryLogin, logout } = useAuth<Claims>();
  return () => [
    error.value
      ? h('p', { role: 'alert' }, [
          `Sign-in failed (${error.value.code}). `,
          h('button', { onClick: () => retryLogin() }, 'Sign in again'),
        ])
      : null,
    user.value
      ? h('p', [`Hello ${user.value.name ?? user.value.sub} `, h('button', { onClick: () => logout() }, 'Log out')])
      : h('button', { disabled: state.value.status === 'loading', onClick: () => loginWithRedirect() }, 'Log in'),
    h(RouterLink, { to: '/orders' }, () => 'Orders'),
  ];
});

const Orders = defineComponent(() => {
  const { user } = useAuth<Claims>();
  return () => h('p', `Orders of ${user.value?.name}`);
});

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: Home },
    { path: '/orders', component: Orders, meta: { requiresAuth: true } },
  ],
});
// Signed-out users go to the provider (appState.returnTo = to.fullPath); a failed login cancels the navigation and
// its error shows in useAuth().error.
const guard = createAuthGuard(client, { onError: () => false });
router.beforeEach((to) => !to.meta.requiresAuth || guard(to));

// createAuth before the router: with `router`, the first navigation waits for the callback and never keeps its
// parameters; after a login the plugin navigates to appState.returnTo.
createApp({ render: () => h(RouterView) })
  .use(createAuth(client, { router }))
  .use(router)
  .mount('#app');
