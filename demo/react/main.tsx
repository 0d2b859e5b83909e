// The React demo: pkce-spa/react in StrictMode with react-router (basename /react), bundled by scripts/build-demo.mjs
// (vite) into demo/build/react and served at /react/ by demo/server.mjs (with the SPA history fallback). It imports
// 'pkce-spa' and 'pkce-spa/react' as an app would; the build resolves them to the built dist/ files.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { PkceClient, type AuthError } from 'pkce-spa';
import { App, AuthRoot, BASENAME } from './app.js';

const config = (await (await fetch('/config.json')).json()) as { issuer: string; clientId: string };
// One client for the page, created outside React: AuthProvider starts it (client.start()) and handles the callback.
const client = new PkceClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}${BASENAME}/`,
  postLogoutRedirectUri: `${location.origin}${BASENAME}/`,
});
// Every error the client reports, once each, in the console (a second callback attempt would show up here).
let lastError: AuthError | undefined;
client.subscribe(({ error }) => {
  if (error && error !== lastError) console.error(`pkce-spa: ${error.code}: ${error.message}`);
  lastError = error;
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename={BASENAME}>
      <AuthRoot client={client}>
        <App />
      </AuthRoot>
    </BrowserRouter>
  </StrictMode>,
);
