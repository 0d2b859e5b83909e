// The React demo: pkce-spa/react in StrictMode, bundled by scripts/build-demo.mjs (vite) into demo/build/react and
// served at /react/ by demo/server.mjs. It imports 'pkce-spa' and 'pkce-spa/react' as an app would; the build resolves
// them to the built dist/ files. Two pages as hash routes: #/ (home) and #/orders (needs a signed-in user).
import { StrictMode, useEffect, useState, useSyncExternalStore, version } from 'react';
import { createRoot } from 'react-dom/client';
import { PkceClient, isAuthError, type AuthError } from 'pkce-spa';
import { AuthProvider, RequireAuth, useAuth } from 'pkce-spa/react';

/** Where the app lives; also its redirect URI and post-logout redirect URI, both registered at the demo provider. */
const BASE = '/react/';

// A hash router in a dozen lines (an app would use react-router): the path is what follows '#'.
const routeListeners = new Set<() => void>();
const router = {
  path: (): string => location.hash.replace(/^#/, '') || '/',
  subscribe(onChange: () => void): () => void {
    routeListeners.add(onChange);
    window.addEventListener('hashchange', onChange);
    return () => {
      routeListeners.delete(onChange);
      window.removeEventListener('hashchange', onChange);
    };
  },
  /** Replaces the current history entry: the callback URL is not worth a Back step. */
  replace(url: string): void {
    history.replaceState(history.state, '', url);
    for (const onChange of routeListeners) onChange();
  },
};
const useRoute = (): string => useSyncExternalStore(router.subscribe, router.path);

/** `appState.returnTo` as set by <RequireAuth> (path + query + hash), or the home page; same-origin paths only. */
function returnTo(appState: unknown): string {
  const to = (appState as { returnTo?: unknown } | undefined)?.returnTo;
  return typeof to === 'string' && to.startsWith(BASE) ? to : BASE;
}

const describe = (e: unknown): string => (isAuthError(e) ? `${e.code}: ${e.message}` : String(e));

// StrictMode mounts, unmounts and mounts again in development; the footer shows it, next to a callback handled once.
let mountEffectRuns = 0;

function App() {
  const { status, user, error, isAuthenticated, client, loginWithRedirect, loginWithPopup, logout, getAccessToken } = useAuth();
  const path = useRoute();
  const [apiResult, setApiResult] = useState('No call yet.');
  const [actionError, setActionError] = useState<string>();
  const [effectRuns, setEffectRuns] = useState(0);
  useEffect(() => {
    mountEffectRuns += 1;
    setEffectRuns(mountEffectRuns);
  }, []);

  const run = (action: () => Promise<unknown>) => () => {
    setActionError(undefined);
    // Failed logins are in the auth state (`error`); anything else is shown here.
    action().catch((e: unknown) => e !== client.getState().error && setActionError(describe(e)));
  };

  async function callApi(): Promise<void> {
    setApiResult('Calling…');
    try {
      const token = await getAccessToken();
      const response = await fetch('/api/protected', { headers: { authorization: `Bearer ${token}` } });
      setApiResult(`${response.status} ${JSON.stringify(await response.json(), null, 2)}`);
    } catch (e) {
      setApiResult(`failed: ${describe(e)}`);
    }
  }

  const signedOut = status === 'unauthenticated';
  return (
    <main>
      <h1>pkce-spa + React</h1>
      <nav>
        <a href="#/">Home</a>
        <a href="#/orders">Orders (sign-in required)</a>
        <a href="/">Plain demo</a>
        <a href="/vue/">Vue demo</a>
      </nav>
      <p>
        Status: <strong data-testid="status">{status}</strong>
        {user && <> · signed in as <strong data-testid="user">{user.name ?? user.sub}</strong></>}
      </p>
      {error && <p role="alert" data-testid="error">{describe(error)}</p>}
      {actionError && <p role="alert">{actionError}</p>}
      <div className="row">
        <button type="button" disabled={!signedOut} onClick={run(() => loginWithRedirect({ appState: { returnTo: BASE + location.hash } }))}>Log in</button>
        {/* Called straight from the click: the popup opens before anything is awaited. */}
        <button type="button" disabled={!signedOut} onClick={run(() => loginWithPopup())}>Log in with popup</button>
        <button type="button" disabled={!isAuthenticated} onClick={() => void callApi()}>Call API</button>
        {/* Works on the guarded view too: after useAuth().logout(), <RequireAuth> starts no login of its own. */}
        <button type="button" disabled={!isAuthenticated} onClick={run(() => logout())}>Log out</button>
      </div>
      <pre data-testid="api-result">{apiResult}</pre>
      {path === '/orders' ? (
        <RequireAuth fallback={<p data-testid="guard">Checking your session… signed-out users go to the provider.</p>}>
          <Orders />
        </RequireAuth>
      ) : (
        <p>Open <a href="#/orders">Orders</a>: it is wrapped in <code>&lt;RequireAuth&gt;</code>, which sends a signed-out user to the
          provider and, after the login, back to that page (<code>appState.returnTo</code>).</p>
      )}
      <footer>
        React {version} in StrictMode: the mount effects ran <span data-testid="effect-runs">{effectRuns}</span>×
        (twice in a development build); the redirect callback is handled once.
      </footer>
    </main>
  );
}

function Orders() {
  const { user } = useAuth();
  return (
    <section data-testid="orders">
      <h2>Orders</h2>
      <p>Only signed-in users see this page. Orders of {user?.name ?? user?.sub}: none yet.</p>
    </section>
  );
}

const config = (await (await fetch('/config.json')).json()) as { issuer: string; clientId: string };
// One client for the page, created outside React: AuthProvider starts it and handles the callback.
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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider client={client} onRedirectCallback={(appState) => router.replace(returnTo(appState))}>
      <App />
    </AuthProvider>
  </StrictMode>,
);
