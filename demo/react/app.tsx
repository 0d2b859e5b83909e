// The React demo's components (demo/react/main.tsx mounts them): react-router under the basename /react, <AuthProvider>
// inside the router so that onRedirectCallback can navigate, and a guarded /orders route. Tested with pkce-spa/testing
// in test/unit/demo-react.test.ts.
import { useEffect, useState, version, type ReactNode } from 'react';
import { Link, Route, Routes, useLocation, useNavigate } from 'react-router';
import { isAuthError, type PkceClient } from 'pkce-spa';
import { AuthProvider, RequireAuth, getReturnTo, useAuth } from 'pkce-spa/react';

/** The router's basename: the app lives at /react/, which is also its redirect URI (registered at the demo provider). */
export const BASENAME = '/react';

const describe = (e: unknown): string => (isAuthError(e) ? `${e.code}: ${e.message}` : String(e));

/**
 * <AuthProvider> inside the router: after a redirect login (success or failure) it navigates to appState.returnTo,
 * router-relative, which also replaces the router's copy of the callback URL.
 */
export function AuthRoot({ client, children }: { client: PkceClient; children?: ReactNode }) {
  const navigate = useNavigate();
  return (
    <AuthProvider
      client={client}
      basename={BASENAME}
      onRedirectCallback={(appState) => navigate(getReturnTo(appState), { replace: true })}
    >
      {children}
    </AuthProvider>
  );
}

// StrictMode mounts, unmounts and mounts again in development; the footer shows it, next to a callback handled once.
let mountEffectRuns = 0;

export function App() {
  const { status, user, error, isAuthenticated, client, loginWithRedirect, loginWithPopup, logout, getAccessToken } =
    useAuth();
  const { pathname } = useLocation();
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
        <Link to="/">Home</Link>
        <Link to="/orders">Orders (sign-in required)</Link>
        <a href="/">Plain demo</a>
        <a href="/vue/">Vue demo</a>
      </nav>
      <p>
        Status: <strong data-testid="status">{status}</strong>
        {user && (
          <>
            {' '}
            · signed in as <strong data-testid="user">{user.name ?? user.sub}</strong>
          </>
        )}
      </p>
      {error && <p data-testid="error">{describe(error)}</p>}
      {actionError && <p role="alert">{actionError}</p>}
      <div className="row">
        <button
          type="button"
          disabled={!signedOut}
          onClick={run(() => loginWithRedirect({ appState: { returnTo: pathname } }))}
        >
          Log in
        </button>
        {/* Called straight from the click: the popup opens before anything is awaited. */}
        <button type="button" disabled={!signedOut} onClick={run(() => loginWithPopup())}>
          Log in with popup
        </button>
        <button type="button" disabled={!isAuthenticated} onClick={() => void callApi()}>
          Call API
        </button>
        {/* Works on the guarded view too: after useAuth().logout(), <RequireAuth> starts no login of its own. */}
        <button type="button" disabled={!isAuthenticated} onClick={run(() => logout())}>
          Log out
        </button>
      </div>
      <pre data-testid="api-result">{apiResult}</pre>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route
          path="/orders"
          element={
            <RequireAuth
              fallback={<p data-testid="guard">Checking your session… signed-out users go to the provider.</p>}
            >
              <Orders />
            </RequireAuth>
          }
        />
        <Route path="*" element={<p>Not found.</p>} />
      </Routes>
      <footer>
        React {version} in StrictMode: the mount effects ran <span data-testid="effect-runs">{effectRuns}</span>× (twice
        in a development build); the redirect callback is handled once.
      </footer>
    </main>
  );
}

function Home() {
  return (
    <p data-testid="home">
      Open <Link to="/orders">Orders</Link>: it is wrapped in <code>&lt;RequireAuth&gt;</code>, which sends a signed-out
      user to the provider and, after the login, back to that page (<code>appState.returnTo</code>, relative to the
      router's basename). A failed login shows its error there, with "Sign in again".
    </p>
  );
}

export function Orders() {
  const { user } = useAuth<{ sub: string; name?: string }>();
  return (
    <section data-testid="orders">
      <h2>Orders</h2>
      <p>Only signed-in users see this page. Orders of {user?.name ?? user?.sub}: none yet.</p>
    </section>
  );
}
