// pkce-spa demo app. Plain browser JavaScript, no build step.
// Expects /dist/pkce-spa.min.js to have defined the global `PkceSpa`.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const el = {
    login: $('login'),
    loginPopup: $('login-popup'),
    logout: $('logout'),
    remember: $('remember'),
    tabs: $('tabs'),
    callApi: $('call-api'),
    status: $('status'),
    user: $('user'),
    expiry: $('expiry'),
    apiResult: $('api-result'),
    error: $('error'),
  };

  let client;
  let unsubscribe;
  let expiresAt; // seconds since the epoch, from /api/protected
  let countdownTimer;

  // "Remember me" is a preference, not a secret: it may live in localStorage. The session itself never does.
  const REMEMBER_KEY = 'pkce-spa-demo:remember';
  const remembered = () => localStorage.getItem(REMEMBER_KEY) === '1';

  function showError(err) {
    if (!err) {
      el.error.hidden = true;
      el.error.textContent = '';
      return;
    }
    const code = err.code || err.name || 'error';
    const message = err.message || String(err);
    el.error.textContent = '';
    const strong = document.createElement('strong');
    strong.textContent = code;
    el.error.append(strong, document.createTextNode(': ' + message));
    if (err.description && !message.includes(err.description)) {
      el.error.append(document.createTextNode('\n' + err.description));
    }
    el.error.hidden = false;
  }

  function render(state) {
    const status = (state && state.status) || 'loading';
    el.status.textContent = status;
    el.status.dataset.status = status;

    const signedIn = status === 'authenticated';
    el.login.disabled = !client || status === 'loading' || signedIn;
    el.loginPopup.disabled = el.login.disabled;
    el.logout.disabled = !client || !signedIn;
    el.callApi.disabled = !client || !signedIn;
    // The choice applies to the next sign-in; while signed in it would silently drop or keep the current session.
    el.remember.disabled = !client || status === 'loading' || signedIn;
    el.remember.checked = remembered();
    countTabs();

    const user = signedIn && client ? client.getUser() : undefined;
    if (user) {
      el.user.textContent = JSON.stringify(user, null, 2);
      el.user.classList.remove('muted');
    } else {
      el.user.textContent = status === 'loading' ? 'Loading…' : 'Not signed in.';
      el.user.classList.add('muted');
    }

    if (!signedIn) setExpiry(undefined);
    if (state && state.error) showError(state.error);
    else if (state && state.warning) showError(state.warning); // e.g. storage_unavailable: remembered in memory only
  }

  /** Shows how many open tabs share the session (each signed-in tab holds a Web Lock the SDK counts). */
  async function countTabs() {
    if (!client) return;
    try {
      el.tabs.textContent = String(await client.countTabs());
    } catch {
      el.tabs.textContent = '?';
    }
  }

  function tick() {
    if (expiresAt === undefined) {
      el.expiry.textContent = 'unknown (call the API)';
      el.expiry.classList.add('muted');
      return;
    }
    const left = Math.round(expiresAt - Date.now() / 1000);
    const at = new Date(expiresAt * 1000).toLocaleTimeString();
    el.expiry.classList.remove('muted');
    el.expiry.textContent = left > 0 ? 'in ' + left + ' s (' + at + ')' : 'expired (' + at + ')';
    el.expiry.dataset.expiresAt = String(expiresAt);
  }

  function setExpiry(value) {
    expiresAt = typeof value === 'number' ? value : undefined;
    clearInterval(countdownTimer);
    countdownTimer = expiresAt === undefined ? undefined : setInterval(tick, 1000);
    tick();
  }

  /**
   * A click handler that clears the error, runs `action` and shows what it throws. `action` starts synchronously, in
   * the click, so the browser lets loginWithPopup open its popup.
   */
  const guarded = (action) => async () => {
    showError(undefined);
    try {
      await action();
    } catch (err) {
      showError(err);
    }
  };
  const onLogin = guarded(() => client.loginWithRedirect({ appState: { returnTo: location.pathname } }));
  const onLoginPopup = guarded(() => client.loginWithPopup());
  const onLogout = guarded(() => client.logout());

  async function onCallApi() {
    showError(undefined);
    el.apiResult.classList.remove('muted');
    el.apiResult.textContent = 'Calling…';
    let token;
    try {
      token = await client.getAccessToken();
    } catch (err) {
      el.apiResult.textContent = 'No access token.';
      showError(err);
      return;
    }
    try {
      const res = await fetch('/api/protected', { headers: { Authorization: 'Bearer ' + token } });
      const body = await res.json();
      el.apiResult.textContent = 'HTTP ' + res.status + '\n' + JSON.stringify(body, null, 2);
      if (res.ok) setExpiry(body.expiresAt);
    } catch (err) {
      el.apiResult.textContent = 'The API call failed.';
      showError(err);
    }
  }

  async function main() {
    render({ status: 'loading' });

    // A bare identifier (not window.PkceSpa) also finds a global declared with let/const.
    const sdk = typeof PkceSpa === 'undefined' ? undefined : PkceSpa; // eslint-disable-line no-undef
    if (!sdk || typeof sdk.createPkceClient !== 'function') {
      render({ status: 'unauthenticated' });
      showError({ code: 'sdk_missing', message: 'dist/pkce-spa.min.js not found — run npm run build' });
      return;
    }

    let config;
    try {
      const res = await fetch('/config.json', { cache: 'no-store' });
      if (!res.ok) throw new Error('GET /config.json answered HTTP ' + res.status);
      config = await res.json();
    } catch (err) {
      render({ status: 'unauthenticated' });
      showError(err);
      return;
    }

    // cache: 'indexeddb' keeps the session across reloads (the refresh token, encrypted); 'memory' keeps it only while
    // a tab of this app is open. Either way, tabs share one session over a BroadcastChannel.
    const createClient = async () => {
      if (unsubscribe) unsubscribe();
      client = await sdk.createPkceClient({
        issuer: config.issuer,
        clientId: config.clientId,
        redirectUri: location.origin + '/',
        postLogoutRedirectUri: location.origin + '/',
        cache: remembered() ? 'indexeddb' : 'memory',
      });
      unsubscribe = client.subscribe(render);
      render(client.getState());
    };

    try {
      await createClient();
    } catch (err) {
      render({ status: 'unauthenticated' });
      showError(err);
      return;
    }

    el.remember.addEventListener('change', async () => {
      if (el.remember.checked) localStorage.setItem(REMEMBER_KEY, '1');
      else localStorage.removeItem(REMEMBER_KEY);
      showError(undefined);
      try {
        await createClient();
      } catch (err) {
        showError(err);
      }
    });
    setInterval(countTabs, 1000);
    el.login.addEventListener('click', onLogin);
    el.loginPopup.addEventListener('click', onLoginPopup);
    el.logout.addEventListener('click', onLogout);
    el.callApi.addEventListener('click', onCallApi);

    const params = new URLSearchParams(location.search);
    if (params.has('code') || params.has('error')) {
      try {
        await client.handleRedirectCallback();
      } catch (err) {
        showError(err);
      }
    }

    render(client.getState());
  }

  main();
})();
