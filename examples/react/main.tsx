// examples/react/main.tsx: react-router with <AuthProvider> inside the router, a guarded route, typed claims.
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, Route, Routes, useNavigate } from 'react-router';
import { PkceClient } from 'pkce-spa';
import { AuthProvider, RequireAuth, getReturnTo, useAuth } from 'pkce-spa/react';

// One client per page, created outside React. These values match `DEMO_ORIGINS=http://localhost:5173 npm start`.
const client = new PkceClient({
  issuer: 'http://localhost:4400',
  clientId: 'pkce-spa-demo',
  redirectUri: `${window.location.origin}/`,
  postLogoutRedirectUri: `${window.location.origin}/`,
});

/** Inside the router, so the callback can navigate: to appState.returnTo after a login, success or failure. */
function Auth({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  return (
    <AuthProvider client={client} onRedirectCallback={(appState) => navigate(getReturnTo(appState), { replace: true })}>
      {children}
    </AuthProvider>
  );
}

interface Claims {
  sub: string;
  name?: string;
  roles?: string[];
}

function Home() {
  const { status, user, error, loginWithRedirect, retryLogin, logout } = useAuth<Claims>();
  if (status === 'loading') return <p>Loading…</p>;
  return (
    <>
      {error && (
        <p role="alert">
          Sign-in failed ({error.code}).{' '}
          <button onClick={() => void retryLogin({ appState: { returnTo: '/' } })}>Sign in again</button>
        </p>
      )}
      {user ? (
        <p>
          Hello {user.name ?? user.sub} <button onClick={() => void logout()}>Log out</button>
        </p>
      ) : (
        <button onClick={() => void loginWithRedirect({ appState: { returnTo: '/' } })}>Log in</button>
      )}
      <Link to="/orders">Orders</Link>
    </>
  );
}

function Orders() {
  const { user, getAccessToken } = useAuth<Claims>();
  const load = async () => {
    const response = await fetch('/api/orders', { headers: { authorization: `Bearer ${await getAccessToken()}` } });
    console.log(await response.json());
  };
  return <button onClick={() => void load()}>Load the orders of {user?.name}</button>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <Auth>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route
            path="/orders"
            element={
              <RequireAuth fallback={<p>Signing you in…</p>}>
                <Orders />
              </RequireAuth>
            }
          />
        </Routes>
      </Auth>
    </BrowserRouter>
  </StrictMode>,
);
