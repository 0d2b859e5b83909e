// Demo / test servers for pkce-spa.
//
// startDemo() runs two loopback-only HTTP servers:
//   1. an OpenID Provider (oidc-provider 9) at http://localhost:<opPort>
//   2. the demo app at http://localhost:<appPort>: static files, the built SDK
//      under /dist/, the React and Vue demos under /react/ and /vue/ (built by
//      scripts/build-demo.mjs), /config.json, a protected API and test hooks.
//
// Plain ESM JavaScript, no build step. Types live in server.d.mts.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..');
const APP_DIR = path.join(HERE, 'app');
// The React and Vue demos, bundled by scripts/build-demo.mjs; served at /react/ and /vue/ (their redirect URIs).
const FRAMEWORK_DEMOS = ['react', 'vue'].map((name) => ({ prefix: `/${name}/`, dir: path.join(HERE, 'build', name) }));
const CLIENT_ID = 'pkce-spa-demo';
// A second client whose access tokens must be DPoP-bound (RFC 9449) and whose authorization requests must be pushed
// (RFC 9126): the demo and tests use it with the SDK's `dpop` and `par` options (`/config.json?client=dpop`).
const DPOP_CLIENT_ID = 'pkce-spa-dpop';
/** RFC 8707 resource servers of the demo API: resource `${appUrl}/api/res/<name>/`. */
const RESOURCE_SERVERS = ['a', 'b'];

const generateKeyPair = promisify(crypto.generateKeyPair);

// ---------------------------------------------------------------------------
// oidc-provider prints development notices with console.info / console.warn
// ("oidc-provider NOTICE: ...", "oidc-provider WARNING: ..."). While at least
// one quiet demo is running, drop exactly those lines and nothing else.
// ---------------------------------------------------------------------------
let quietUsers = 0;
let restoreConsole;
// oxlint-disable-next-line no-control-regex -- \x1b starts the ANSI colour codes oidc-provider adds on a TTY
const OP_NOTICE = /^(?:\x1b\[[0-9;]*m)?oidc-provider (?:NOTICE|WARNING):/;

function quietAcquire() {
  quietUsers += 1;
  if (quietUsers > 1) return;
  const { info, warn } = console;
  const filtered = (original) =>
    function filteredConsole(...args) {
      if (typeof args[0] === 'string' && OP_NOTICE.test(args[0])) return;
      original.apply(console, args);
    };
  console.info = filtered(info);
  console.warn = filtered(warn);
  restoreConsole = () => {
    console.info = info;
    console.warn = warn;
  };
}

function quietRelease() {
  quietUsers -= 1;
  if (quietUsers === 0 && restoreConsole) {
    restoreConsole();
    restoreConsole = undefined;
  }
}

// oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS, or a later
// LTS release." when it is first imported on any Node release older than the
// "Jod" LTS line (lib/index.js checks process.release.lts; there is no option or
// environment variable to turn it off). That states its support policy, not a
// fault: this suite runs it on Node 20 (our `engines`) and proves the flows work
// there. oidc-provider 8, whose policy includes Node 20, is a major behind the
// configuration this server is written for. So the import drops exactly that
// line, once; every other notice and warning still prints.
// oxlint-disable-next-line no-control-regex -- as OP_NOTICE above
const UNSUPPORTED_RUNTIME = /^(?:\x1b\[[0-9;]*m)?oidc-provider WARNING: Unsupported runtime\./;

async function importProvider() {
  const { warn } = console;
  console.warn = function withoutRuntimeWarning(...args) {
    if (typeof args[0] === 'string' && UNSUPPORTED_RUNTIME.test(args[0])) return;
    warn.apply(console, args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}

// ---------------------------------------------------------------------------
// Listening on loopback only: 127.0.0.1 and (if possible) ::1, same port.
// ---------------------------------------------------------------------------
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Binds `handler` to 127.0.0.1:<port> and ::1:<port>. With port 0 the IPv4
 * listener picks the port; if that number is taken on ::1 we retry with a new
 * one so that "localhost" never reaches a foreign server. A missing IPv6 stack
 * (EADDRNOTAVAIL / EAFNOSUPPORT / ...) is ignored.
 */
async function listenLoopback(handler, port, log) {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const v4 = http.createServer(handler);
    await listen(v4, port, '127.0.0.1');
    const actual = v4.address().port;
    const v6 = http.createServer(handler);
    try {
      await listen(v6, actual, '::1');
      return { port: actual, servers: [v4, v6] };
    } catch (err) {
      if (err?.code === 'EADDRINUSE' && port === 0) {
        await closeServer(v4);
        continue;
      }
      if (err?.code === 'EADDRINUSE') {
        log(`warning: [::1]:${actual} is in use by another process; only 127.0.0.1:${actual} is served`);
      }
      return { port: actual, servers: [v4] };
    }
  }
  throw new Error('could not find a port that is free on both 127.0.0.1 and ::1');
}

// ---------------------------------------------------------------------------
// Static files
// ---------------------------------------------------------------------------
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ts': 'text/plain; charset=utf-8',
};

/** Returns true when the file was sent, false when it does not exist. */
async function sendStatic(req, res, dir, relPath) {
  let rel;
  try {
    rel = decodeURIComponent(relPath);
  } catch {
    return false;
  }
  if (rel.includes('\0')) return false;
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const root = path.resolve(dir);
  const file = path.resolve(root, `.${path.posix.sep}${rel}`);
  if (file !== root && !file.startsWith(root + path.sep)) return false;
  let body;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    body = await fs.readFile(file);
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendText(res, status, text, headers = {}) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

// ---------------------------------------------------------------------------
// Stats
// ---------------------------------------------------------------------------
function emptyStats() {
  return {
    authorize: 0,
    token: 0,
    discovery: 0,
    revocation: 0,
    endSession: 0,
    jwks: 0,
    userinfo: 0,
    tokenByGrant: { authorization_code: 0, refresh_token: 0 },
    invalidGrant: 0,
    api: 0,
    par: 0,
    // What the demo API saw: requests by scheme, and each refusal by reason (replayed proof, wrong ath, ...).
    apiScheme: { Bearer: 0, DPoP: 0 },
    apiRefused: {},
    // /api/res/<name>/ requests by the audience of the token they carried.
    apiAudience: {},
  };
}

// OP pathname -> stats key (oidc-provider default routes).
const OP_ROUTE_COUNTERS = new Map([
  ['/auth', 'authorize'],
  ['/token', 'token'],
  ['/.well-known/openid-configuration', 'discovery'],
  ['/.well-known/oauth-authorization-server', 'discovery'],
  ['/token/revocation', 'revocation'],
  ['/session/end', 'endSession'],
  ['/jwks', 'jwks'],
  ['/me', 'userinfo'],
  ['/request', 'par'],
]);

// ---------------------------------------------------------------------------
// HTML for the OP pages we customise (no external fonts, no CDNs).
// ---------------------------------------------------------------------------
const OP_PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:28rem;padding:0 1rem;color:#222}' +
  'button{font:inherit;padding:.4rem 1rem}';

/**
 * Appends a sha256 source for `script` to an existing CSP script-src, if any.
 * oidc-provider sets no CSP by itself, but a host app might.
 */
function allowInlineScript(ctx, script) {
  const csp = ctx.response.get('content-security-policy');
  if (!csp) return;
  const digest = crypto.createHash('sha256').update(script).digest('base64');
  const directives = csp
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
  const updated = directives.map((d) =>
    /^script-src\s/i.test(d) || d === 'script-src' ? `${d} 'sha256-${digest}'` : d,
  );
  ctx.set('content-security-policy', updated.join('; '));
}

/** Answers with one of our OP pages: the shared head and style around `body`. */
function sendOpPage(ctx, title, body) {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <style>${OP_PAGE_STYLE}</style>
</head>
<body>
${body}
</body>
</html>`;
}

async function logoutSource(ctx, form) {
  // `form` is oidc-provider's <form id="op.logoutForm" ...> carrying the xsrf
  // input. Adding logout=yes ends the whole OP session (not just this
  // client's part of it).
  const withLogout = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
  // With a valid id_token_hint (oidc-provider has checked it by now) the request comes from the app the user signed in
  // to: submit at once. Without one, anyone's page could have sent the browser here (logout CSRF): ask first.
  if (!ctx.oidc?.params?.id_token_hint) {
    sendOpPage(
      ctx,
      'Sign out?',
      `  <h1>Sign out?</h1>
  <p>Do you want to sign out of the demo authorization server?</p>
  ${withLogout}
  <button type="submit" form="op.logoutForm">Yes, sign me out</button>`,
    );
    return;
  }
  const script = "document.getElementById('op.logoutForm').submit();";
  allowInlineScript(ctx, script);
  sendOpPage(
    ctx,
    'Signing out…',
    `  <p>Signing you out…</p>
  ${withLogout}
  <noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript>
  <script>${script}</script>`,
  );
}

async function postLogoutSuccessSource(ctx) {
  sendOpPage(
    ctx,
    'Signed out',
    `  <h1>Signed out</h1>
  <p>You have been signed out of the demo authorization server.</p>`,
  );
}

// oidc-provider's built-in HTML (dev login/consent pages, error page) pulls a
// web font from fonts.googleapis.com; strip it so pages load offline.
const FONT_IMPORT = /@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g;

// ---------------------------------------------------------------------------
// Extra apps (DEMO_ORIGINS): your own dev server against the demo provider
// ---------------------------------------------------------------------------

/** `DEMO_ORIGINS=http://localhost:5173,http://localhost:3000/callback`: a comma- or space-separated list. */
export function parseOrigins(value) {
  return value.split(/[\s,]+/).filter(Boolean);
}

/**
 * An origin (`http://localhost:5173`) registers `<origin>/` as redirect and post-logout URI; a URL with a path
 * (`http://localhost:5173/app/`) registers that URL. Either way its origin may call the provider (CORS).
 */
function toExtraApp(entry) {
  let url;
  try {
    url = new URL(entry);
  } catch {
    throw new TypeError(`DEMO_ORIGINS: "${entry}" is not an absolute URL (e.g. http://localhost:5173)`);
  }
  if (!/^https?:$/.test(url.protocol) || url.hash)
    throw new TypeError(`DEMO_ORIGINS: "${entry}" must be an http(s) URL without a fragment`);
  return { origin: url.origin, uri: url.href };
}

// ---------------------------------------------------------------------------
// startDemo
// ---------------------------------------------------------------------------
export async function startDemo(opts = {}) {
  const {
    opPort = 0,
    appPort = 0,
    accessTokenTtlSeconds = Number(process.env.ACCESS_TOKEN_TTL ?? 120),
    quiet = true,
    // oidc-provider's development notices (in-memory adapter, devInteractions): printed unless quiet, or false.
    providerNotices = !quiet,
    distDir = path.join(REPO_ROOT, 'dist'),
    extraStaticDirs = [],
    extraOrigins = parseOrigins(process.env.DEMO_ORIGINS ?? ''),
  } = opts;
  const extraApps = extraOrigins.map(toExtraApp);

  if (!Number.isInteger(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) {
    throw new TypeError(`accessTokenTtlSeconds must be a positive integer, got ${accessTokenTtlSeconds}`);
  }
  for (const entry of extraStaticDirs) {
    if (
      !entry ||
      typeof entry.prefix !== 'string' ||
      !entry.prefix.startsWith('/') ||
      !entry.prefix.endsWith('/') ||
      typeof entry.dir !== 'string'
    ) {
      throw new TypeError('extraStaticDirs entries must look like { prefix: "/e2e/", dir: "/abs/path" }');
    }
  }

  const log = quiet ? () => {} : (msg) => console.log(msg);
  const dropsNotices = quiet || !providerNotices;
  if (dropsNotices) quietAcquire();

  const servers = [];
  let closing;
  const close = () => {
    closing ??= (async () => {
      await Promise.all(servers.map(closeServer));
      if (dropsNotices) quietRelease();
    })();
    return closing;
  };

  // Loading oidc-provider and making the signing key take the most time here: both run while the listeners start.
  const loading = Promise.all([importProvider(), generateKeyPair('rsa', { modulusLength: 2048 })]);
  loading.catch(() => {}); // awaited below; a listener that fails first must not leave it unhandled

  try {
    let counters = emptyStats();

    // --- OP listener first: the issuer needs the real port. ---------------
    let opHandler = (req, res) => sendText(res, 503, 'starting');
    const op = await listenLoopback(
      (req, res) => {
        if (req.method !== 'OPTIONS') {
          const { pathname } = new URL(req.url ?? '/', 'http://localhost');
          const key = OP_ROUTE_COUNTERS.get(pathname);
          if (key) counters[key] += 1;
        }
        opHandler(req, res);
      },
      opPort,
      log,
    );
    servers.push(...op.servers);

    // --- App listener --------------------------------------------------------
    let appHandler = (req, res) => sendText(res, 503, 'starting');
    const app = await listenLoopback((req, res) => appHandler(req, res), appPort, log);
    servers.push(...app.servers);

    const issuer = `http://localhost:${op.port}`;
    const appUrl = `http://localhost:${app.port}`;
    const appOrigin = appUrl;

    // --- Keys ----------------------------------------------------------------
    const [{ default: Provider, errors }, { privateKey }] = await loading;
    const signingJwk = {
      ...privateKey.export({ format: 'jwk' }),
      kid: crypto.randomUUID(),
      alg: 'RS256',
      use: 'sig',
    };

    // --- Provider ------------------------------------------------------------
    const redirectUris = [
      `${appUrl}/`,
      `${appUrl}/callback.html`,
      `${appUrl}/silent.html`,
      `${appUrl}/dist/silent-callback.html`,
      `${appUrl}/e2e/app.html`,
      `${appUrl}/e2e/callback.html`,
      `${appUrl}/e2e/silent.html`,
      ...FRAMEWORK_DEMOS.map(({ prefix }) => `${appUrl}${prefix}`),
      ...extraApps.map((a) => a.uri),
    ];
    const configuration = {
      clients: [
        {
          client_id: DPOP_CLIENT_ID,
          client_name: 'pkce-spa demo (DPoP + PAR)',
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: redirectUris,
          post_logout_redirect_uris: [`${appUrl}/`, `${appUrl}/e2e/app.html`],
          dpop_bound_access_tokens: true,
          require_pushed_authorization_requests: true,
        },
        {
          client_id: CLIENT_ID,
          client_name: 'pkce-spa demo',
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: redirectUris,
          post_logout_redirect_uris: [
            `${appUrl}/`,
            `${appUrl}/e2e/app.html`,
            ...FRAMEWORK_DEMOS.map(({ prefix }) => `${appUrl}${prefix}`),
            ...extraApps.map((a) => a.uri),
          ],
        },
      ],
      jwks: { keys: [signingJwk] },
      cookies: {
        keys: [crypto.randomBytes(32).toString('base64url')],
        // Cookies are not port-scoped; give each OP instance its own names so
        // two demos on localhost (e.g. `npm start` + a test run) don't clash.
        names: {
          session: `_op${op.port}_session`,
          interaction: `_op${op.port}_interaction`,
          resume: `_op${op.port}_interaction_resume`,
        },
      },
      responseTypes: ['code'],
      scopes: ['openid', 'offline_access', 'profile', 'email'],
      claims: {
        openid: ['sub'],
        profile: ['name'],
        email: ['email', 'email_verified'],
      },
      // Put the scope-granted claims (name, email, ...) in the ID token too,
      // not only in /me: the SPA reads the user from the ID token.
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      features: {
        dPoP: { enabled: true },
        pushedAuthorizationRequests: { enabled: true },
        // RFC 8707: two demo resource servers on the app's origin, /api/res/a/ and /api/res/b/, each with the
        // api:read scope and opaque access tokens for that audience only. A token request that names both (the
        // code exchange, when the login asked for both) gets the first; refreshes name one.
        resourceIndicators: {
          enabled: true,
          defaultResource: (ctx, client, oneOf) => (oneOf ? oneOf[0] : undefined),
          useGrantedResource: () => true,
          getResourceServerInfo: (ctx, resourceIndicator) => {
            if (!RESOURCE_SERVERS.some((name) => resourceIndicator === `${appUrl}/api/res/${name}/`))
              throw new errors.InvalidTarget();
            return {
              scope: 'api:read',
              audience: resourceIndicator,
              accessTokenFormat: 'opaque',
              accessTokenTTL: accessTokenTtlSeconds,
            };
          },
        },
        devInteractions: { enabled: true },
        revocation: {
          enabled: true,
          allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
        },
        rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
        userinfo: { enabled: true },
        claimsParameter: { enabled: false },
      },
      clientBasedCORS: (ctx, origin) => origin === appOrigin || extraApps.some((a) => a.origin === origin),
      // Always give this public client a refresh token (no prompt=consent /
      // offline_access dance needed)...
      issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
      // ...and rotate it on every use. Replaying a rotated one => invalid_grant
      // (and oidc-provider revokes the whole grant).
      rotateRefreshToken: true,
      // Revoking a token at the revocation endpoint (the SDK does so on
      // logout, also on logout({ localOnly: true })) always kills every token
      // of the grant; keep the Grant itself (the user's consent) so a later
      // login with a live OP session needs no new consent. Refresh-token reuse
      // detection and RP-initiated logout still destroy the grant.
      revokeGrantPolicy: (ctx) => ctx.oidc.route !== 'revocation',
      ttl: {
        AccessToken: accessTokenTtlSeconds,
        AuthorizationCode: 60,
        IdToken: 3600,
        // A rotated refresh token inherits the remaining lifetime of the one
        // it replaces, so the chain as a whole lives at most one day.
        RefreshToken: (ctx) => {
          const rotated = ctx?.oidc?.entities?.RotatedRefreshToken;
          return rotated ? Math.max(rotated.remainingTTL, 1) : 24 * 60 * 60;
        },
        Session: 24 * 60 * 60,
        Grant: 24 * 60 * 60,
        Interaction: 60 * 60,
      },
      findAccount: async (ctx, id) => ({
        accountId: id,
        claims: async () => ({
          sub: id,
          name: `Demo ${id}`,
          email: `${id}@example.test`,
          email_verified: true,
        }),
      }),
    };

    const provider = new Provider(issuer, configuration);

    provider.use(async (ctx, next) => {
      await next();
      if (typeof ctx.body === 'string' && ctx.response.is('html')) {
        ctx.body = ctx.body.replace(FONT_IMPORT, '');
      }
      // Public documents that browsers may cache, as Google, Microsoft and Okta let them: a new tab's discovery and
      // JWKS requests (the SDK verifies what other tabs send it) are then served by the HTTP cache.
      if (
        ctx.method === 'GET' &&
        ctx.status === 200 &&
        (ctx.path === '/.well-known/openid-configuration' || ctx.path === '/jwks')
      ) {
        ctx.set('cache-control', 'public, max-age=300');
      }
    });

    provider.on('grant.success', (ctx) => {
      const grantType = ctx.oidc?.params?.grant_type;
      if (grantType) counters.tokenByGrant[grantType] = (counters.tokenByGrant[grantType] ?? 0) + 1;
    });
    provider.on('grant.error', (ctx, err) => {
      const grantType = ctx.oidc?.params?.grant_type;
      if (grantType) counters.tokenByGrant[grantType] = (counters.tokenByGrant[grantType] ?? 0) + 1;
      if (err?.error === 'invalid_grant') counters.invalidGrant += 1;
    });
    provider.on('server_error', (ctx, err) => {
      console.error(`[demo OP] server_error on ${ctx.method} ${ctx.path}:`, err);
    });
    if (!quiet) {
      const logError = (event) => (ctx, err) =>
        log(`[demo OP] ${event}: ${err?.error ?? ''} ${err?.error_description ?? err?.message ?? ''}`);
      for (const event of [
        'authorization.error',
        'grant.error',
        'revocation.error',
        'end_session.error',
        'userinfo.error',
      ]) {
        provider.on(event, logError(event));
      }
    }

    opHandler = provider.callback();

    // --- App server ----------------------------------------------------------
    const stats = () => structuredClone(counters);
    const resetStats = () => {
      counters = emptyStats();
    };

    async function handleProtectedApi(req, res) {
      counters.api += 1;
      const reject = () =>
        sendJson(
          res,
          401,
          { error: 'invalid_token' },
          {
            'www-authenticate': 'Bearer error="invalid_token"',
          },
        );
      const match = /^Bearer +([^\s]+) *$/i.exec(req.headers.authorization ?? '');
      if (!match) return reject();
      const token = await provider.AccessToken.find(match[1]);
      // find() already applies clockTolerance to exp; be strict here.
      // A DPoP-bound token is not a bearer token (RFC 9449 §7.1); the /api/* routes check its proof.
      if (!token || token.isExpired || token.jkt) return reject();
      const grant = token.grantId ? await provider.Grant.find(token.grantId) : undefined;
      if (!grant || grant.clientId !== token.clientId) return reject();
      return sendJson(res, 200, {
        ok: true,
        sub: token.accountId,
        scope: token.scope,
        expiresAt: token.exp,
      });
    }

    /**
     * The demo resource server for DPoP, step-up and renewal tests. Accepts `Authorization: Bearer` for Bearer tokens
     * and `Authorization: DPoP` + a DPoP proof for DPoP-bound ones, checking the proof as RFC 9449 §4.3 and §7 say:
     * typ, ES256 signature with the embedded key, htm, htu, iat, a jti never seen before, ath = hash of the token,
     * and the key's thumbprint = the token's cnf.jkt. Routes:
     *   /api/whoami        200 with the token's subject, scope, audience and scheme
     *   /api/nonce         like whoami, but first demands a resource-server DPoP nonce (use_dpop_nonce)
     *   /api/step-up       401 insufficient_user_authentication with acr_values and max_age (RFC 9470)
     *   /api/always-invalid 401 invalid_token for any token (to count the SDK's renewals)
     */
    const seenJti = new Set();
    const apiNonce = crypto.randomBytes(16).toString('base64url');
    const b64u = (buf) => Buffer.from(buf).toString('base64url');
    const jktOf = (jwk) =>
      b64u(
        crypto
          .createHash('sha256')
          .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
          .digest(),
      );
    async function handleResourceApi(req, res, pathname) {
      counters.api += 1;
      const refuse = (reason, scheme = 'Bearer', error = 'invalid_token', extra = {}) => {
        counters.apiRefused[reason] = (counters.apiRefused[reason] ?? 0) + 1;
        const params = Object.entries({ error, ...extra })
          .map(([k, v]) => `${k}="${v}"`)
          .join(', ');
        return sendJson(
          res,
          401,
          { error, reason },
          {
            'www-authenticate': `${scheme} ${params}`,
            ...(error === 'use_dpop_nonce' ? { 'dpop-nonce': apiNonce } : {}),
          },
        );
      };
      const match = /^(Bearer|DPoP) +([^\s]+) *$/i.exec(req.headers.authorization ?? '');
      if (!match) return refuse('no_token');
      const scheme = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
      counters.apiScheme[scheme] += 1;
      const token = await provider.AccessToken.find(match[2]);
      if (!token || token.isExpired) return refuse('unknown_or_expired_token', scheme);
      if (pathname === '/api/always-invalid') return refuse('always_invalid', scheme);
      if (token.jkt && scheme !== 'DPoP') return refuse('dpop_token_as_bearer');
      if (scheme === 'DPoP') {
        const proof = req.headers.dpop;
        if (typeof proof !== 'string') return refuse('no_proof', 'DPoP');
        const [h, p, sig] = proof.split('.');
        let header;
        let payload;
        try {
          header = JSON.parse(Buffer.from(h, 'base64url'));
          payload = JSON.parse(Buffer.from(p, 'base64url'));
        } catch {
          return refuse('malformed_proof', 'DPoP', 'invalid_dpop_proof');
        }
        if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || header.jwk?.d)
          return refuse('bad_proof_header', 'DPoP', 'invalid_dpop_proof');
        const key = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
        if (
          !crypto.verify(
            'sha256',
            Buffer.from(`${h}.${p}`),
            { key, dsaEncoding: 'ieee-p1363' },
            Buffer.from(sig ?? '', 'base64url'),
          )
        ) {
          return refuse('bad_proof_signature', 'DPoP', 'invalid_dpop_proof');
        }
        const now = Math.floor(Date.now() / 1000);
        if (payload.htm !== req.method) return refuse('wrong_htm', 'DPoP', 'invalid_dpop_proof');
        if (payload.htu !== `${appUrl}${pathname}`) return refuse('wrong_htu', 'DPoP', 'invalid_dpop_proof');
        if (!(Math.abs(now - payload.iat) < 60)) return refuse('stale_iat', 'DPoP', 'invalid_dpop_proof');
        if (payload.ath !== b64u(crypto.createHash('sha256').update(match[2]).digest()))
          return refuse('wrong_ath', 'DPoP', 'invalid_dpop_proof');
        if (jktOf(header.jwk) !== token.jkt) return refuse('wrong_key', 'DPoP', 'invalid_dpop_proof');
        if (typeof payload.jti !== 'string' || seenJti.has(payload.jti))
          return refuse('replayed_proof', 'DPoP', 'invalid_dpop_proof');
        seenJti.add(payload.jti);
        if (pathname === '/api/nonce' && payload.nonce !== apiNonce)
          return refuse('nonce_required', 'DPoP', 'use_dpop_nonce');
      }
      const resourceServer = /^\/api\/res\/([a-z]+)\//.exec(pathname)?.[1];
      if (resourceServer) {
        const audience = String(token.aud ?? '');
        counters.apiAudience[audience] = (counters.apiAudience[audience] ?? 0) + 1;
        if (audience !== `${appUrl}/api/res/${resourceServer}/`) return refuse('wrong_audience', scheme);
        return sendJson(res, 200, { ok: true, sub: token.accountId, scope: token.scope, aud: audience, scheme });
      }
      if (pathname === '/api/step-up') {
        return refuse('step_up', scheme, 'insufficient_user_authentication', {
          error_description: 'A multi-factor sign-in is required',
          acr_values: 'urn:demo:mfa',
          max_age: '300',
        });
      }
      if (pathname !== '/api/whoami' && pathname !== '/api/nonce') return sendJson(res, 404, { error: 'not_found' });
      return sendJson(res, 200, {
        ok: true,
        sub: token.accountId,
        scope: token.scope,
        aud: token.aud ?? null,
        scheme,
        jkt: token.jkt ?? null,
      });
    }

    appHandler = async (req, res) => {
      try {
        const { pathname } = new URL(req.url ?? '/', appUrl);
        const method = req.method ?? 'GET';
        const isRead = method === 'GET' || method === 'HEAD';

        if (pathname === '/config.json' && isRead) {
          const dpopClient = new URL(req.url ?? '/', appUrl).searchParams.get('client') === 'dpop';
          return sendJson(res, 200, { issuer, clientId: dpopClient ? DPOP_CLIENT_ID : CLIENT_ID });
        }
        if (pathname.startsWith('/api/') && pathname !== '/api/protected') {
          return await handleResourceApi(req, res, pathname);
        }
        if (pathname === '/api/protected') {
          if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET' });
          return await handleProtectedApi(req, res);
        }
        if (pathname === '/__stats' && method === 'GET') {
          return sendJson(res, 200, stats());
        }
        if (pathname === '/__stats/reset' && method === 'POST') {
          resetStats();
          return sendJson(res, 200, stats());
        }
        if (isRead) {
          if (pathname.startsWith('/dist/')) {
            if (await sendStatic(req, res, distDir, pathname.slice('/dist/'.length))) return undefined;
            return sendText(res, 404, `not found: ${pathname} (run npm run build)`);
          }
          for (const { prefix, dir } of extraStaticDirs) {
            if (pathname.startsWith(prefix)) {
              if (await sendStatic(req, res, dir, pathname.slice(prefix.length))) return undefined;
              return sendText(res, 404, `not found: ${pathname}`);
            }
          }
          for (const { prefix, dir } of FRAMEWORK_DEMOS) {
            if (pathname === prefix.slice(0, -1)) return sendText(res, 308, '', { location: prefix });
            if (pathname.startsWith(prefix)) {
              if (await sendStatic(req, res, dir, pathname.slice(prefix.length))) return undefined;
              // History-mode routers (react-router, vue-router createWebHistory): a route such as /vue/orders is the
              // app's index.html; a missing file with an extension (a script, an image) stays a 404.
              if (!path.posix.extname(pathname) && (await sendStatic(req, res, dir, 'index.html'))) return undefined;
              return sendText(res, 404, `not found: ${pathname} (run npm run build && node scripts/build-demo.mjs)`);
            }
          }
          if (await sendStatic(req, res, APP_DIR, pathname.slice(1))) return undefined;
          return sendText(res, 404, `not found: ${pathname}`);
        }
        return sendText(res, 405, 'method not allowed');
      } catch (err) {
        console.error('[demo app] request failed:', err);
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
        else res.destroy();
        return undefined;
      }
    };

    for (const a of extraApps) log(`Also accepting ${a.origin} (redirect and post-logout URI ${a.uri}, CORS)`);
    return {
      issuer,
      appUrl,
      clientId: CLIENT_ID,
      dpopClientId: DPOP_CLIENT_ID,
      provider,
      stats,
      resetStats,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
