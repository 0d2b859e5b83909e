// The Vue demo: pkce-spa/vue with vue-router (createWebHistory('/vue/')), bundled by scripts/build-demo.mjs (vite)
// into demo/build/vue and served at /vue/ by demo/server.mjs (with the SPA history fallback). It imports 'pkce-spa'
// and 'pkce-spa/vue' as an app would; the build resolves them to the built dist/ files.
import { createApp } from 'vue';
import { createWebHistory } from 'vue-router';
import { PkceClient, type AuthError } from 'pkce-spa';
import { createAuth } from 'pkce-spa/vue';
import { App, BASE, createDemoRouter } from './app.js';

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
  if (error && error !== lastError) console.error(`pkce-spa: ${error.code}: ${error.message}`);
  lastError = error;
});

const router = createDemoRouter(client, createWebHistory(BASE));
// createAuth before the router: its beforeEach (which drops the callback parameters from the first navigation) is
// then in place when the router starts. After a login it navigates to appState.returnTo (the route's fullPath).
createApp(App).use(createAuth(client, { router })).use(router).mount('#app');
