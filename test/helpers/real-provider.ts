/**
 * The REAL provider for Node integration tests: the demo OpenID Provider
 * (demo/server.mjs, oidc-provider 9 with its development login/consent pages).
 */
import { createHash, randomBytes } from 'node:crypto';

import { startDemo } from '../../demo/server.mjs';
import type { DemoServers, StartDemoOptions } from '../../demo/server.mjs';

export type { DemoServers, DemoStats, StartDemoOptions } from '../../demo/server.mjs';

/** Starts the demo OP + app servers (quiet by default). Call `close()` when done. */
export async function startRealProvider(opts: StartDemoOptions = {}): Promise<DemoServers> {
  return startDemo({ quiet: true, ...opts });
}

/**
 * A deliberately tiny cookie jar for talking to one OP from Node's fetch.
 * It keys cookies by name only: Domain and Path are ignored and every stored
 * cookie is sent on every request made through these helpers (they only ever
 * talk to the OP). Cookies with Max-Age<=0 or a past Expires are removed.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Value for a `Cookie` request header, or undefined when empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Stores the Set-Cookie headers of a response. */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expired = value === '';
      for (const attribute of attributes) {
        const [rawKey = '', ...rest] = attribute.split('=');
        const key = rawKey.trim().toLowerCase();
        const attrValue = rest.join('=').trim();
        if (key === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (key === 'expires' && Date.parse(attrValue) <= Date.now()) expired = true;
      }
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Names of the stored cookies. */
  names(): string[] {
    return [...this.cookies.keys()];
  }

  /** An independent copy (e.g. to replay a session from a second "tab"). */
  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    return copy;
  }
}

export interface LoginOptions {
  /** Login id typed into the dev login page; becomes the `sub`. Default 'alice'. */
  login?: string;
  /** Any password is accepted. Default 'pw'. */
  password?: string;
  /** true (default): press "Continue" on the consent page; false: follow its "[ Cancel ]" link. */
  consent?: boolean;
}

export interface LoginResult {
  /**
   * The URL the OP finally redirected to, at the client's redirect URI:
   * `?code=…&state=…&iss=…` on success, `?error=access_denied&…` when
   * consent was refused (or any other authorization error).
   */
  callbackUrl: string;
  /** The OP cookies after the flow (holds the OP session when login succeeded). */
  cookies: CookieJar;
}

const MAX_HOPS = 25;

function decodeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const raw = m?.[1] ?? m?.[2];
  return raw === undefined ? undefined : decodeHtml(raw);
}

interface ParsedForm {
  action: string;
  fields: Record<string, string>;
  inputNames: string[];
}

function parseFirstForm(html: string, baseUrl: string): ParsedForm | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = new URL(attr(form[1] ?? '', 'action') ?? baseUrl, baseUrl).href;
  const fields: Record<string, string> = {};
  const inputNames: string[] = [];
  for (const input of (form[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(input[0], 'name');
    if (!name) continue;
    inputNames.push(name);
    if ((attr(input[0], 'type') ?? 'text').toLowerCase() === 'hidden') {
      fields[name] = attr(input[0], 'value') ?? '';
    }
  }
  return { action, fields, inputNames };
}

function findAbortLink(html: string, baseUrl: string): string | undefined {
  for (const anchor of html.matchAll(/<a\b[^>]*>/gi)) {
    const href = attr(anchor[0], 'href');
    if (href && /\/interaction\/[^/]+\/abort(?:$|[?#])/.test(new URL(href, baseUrl).pathname)) {
      return new URL(href, baseUrl).href;
    }
  }
  return undefined;
}

async function request(url: string, jar: CookieJar, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie) headers.set('cookie', cookie);
  if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml');
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(response);
  return response;
}

type Stop = { kind: 'left-op'; url: string } | { kind: 'page'; url: string; status: number; html: string };

/**
 * Follows redirects while they stay on the OP's origin. Stops at the first
 * Location that leaves it (the client's redirect URI), or at the first
 * non-redirect response (an interaction page, an error page, ...).
 */
async function follow(startUrl: string, jar: CookieJar, opOrigin: string, first?: Response): Promise<Stop> {
  let url = startUrl;
  let response = first ?? (await request(url, jar));
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url).href;
      if (new URL(url).origin !== opOrigin) return { kind: 'left-op', url };
      response = await request(url, jar);
      continue;
    }
    return { kind: 'page', url, status: response.status, html: await response.text() };
  }
  throw new Error(`too many redirects starting at ${startUrl}`);
}

function describePage(stop: Stop & { kind: 'page' }): string {
  const text = stop.html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `HTTP ${stop.status} at ${stop.url}: ${text.slice(0, 300)}`;
}

/**
 * Drives oidc-provider's development login and consent pages with Node's
 * fetch, starting from a full authorization request URL.
 *
 * Dev login page: form with hidden `prompt=login`, text input `login`,
 * password input `password`, button "Sign-in". Dev consent page: form with
 * hidden `prompt=consent`, button "Continue". Both forms POST to
 * `/interaction/:uid`; both pages have a "[ Cancel ]" link to
 * `/interaction/:uid/abort`, which ends the request with `error=access_denied`.
 *
 * @param authorizeUrl full `${issuer}/auth?...` URL
 * @param options login id/password (anything is accepted) and whether to consent
 * @param jar optional cookie jar to reuse (e.g. one that already has a session)
 * @returns `{ callbackUrl, cookies }`: the final redirect URL at the client's
 *   redirect URI (carrying `code`, `state`, `iss` — or `error`) and the cookie
 *   jar holding the OP session cookies.
 */
export async function loginWithFetch(
  authorizeUrl: string,
  { login = 'alice', password = 'pw', consent = true }: LoginOptions = {},
  jar: CookieJar = new CookieJar(),
): Promise<LoginResult> {
  const opOrigin = new URL(authorizeUrl).origin;
  let stop = await follow(authorizeUrl, jar, opOrigin);

  for (let step = 0; step < 10; step += 1) {
    if (stop.kind === 'left-op') return { callbackUrl: stop.url, cookies: jar };

    const form = parseFirstForm(stop.html, stop.url);
    const prompt = form?.fields.prompt;
    if (!form || (prompt !== 'login' && prompt !== 'consent')) {
      throw new Error(`loginWithFetch: unexpected OP page, ${describePage(stop)}`);
    }

    if (prompt === 'consent' && !consent) {
      const abortUrl = findAbortLink(stop.html, stop.url);
      if (!abortUrl) throw new Error(`loginWithFetch: no cancel link on consent page, ${describePage(stop)}`);
      stop = await follow(abortUrl, jar, opOrigin);
      continue;
    }

    const body = new URLSearchParams(form.fields);
    if (prompt === 'login') {
      body.set('login', login);
      body.set('password', password);
    }
    const response = await request(form.action, jar, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    stop = await follow(form.action, jar, opOrigin, response);
  }
  throw new Error('loginWithFetch: too many interaction steps');
}

/**
 * Starts another authorization request with an existing cookie jar (e.g. the
 * one returned by `loginWithFetch`) and follows redirects on the OP without
 * filling in any form.
 *
 * @returns the URL where it stopped: a URL at the client's redirect URI when
 *   the OP answered without user interaction (session alive: `code=…`; or e.g.
 *   `error=login_required` for `prompt=none` without a session), or the OP's
 *   `/interaction/:uid` page URL when it asks for credentials/consent (use
 *   `isInteractionUrl` to tell them apart). The jar is updated in place.
 */
export async function authorizeWithCookies(authorizeUrl: string, cookies: CookieJar): Promise<string> {
  const stop = await follow(authorizeUrl, cookies, new URL(authorizeUrl).origin);
  return stop.url;
}

/**
 * Follows an RP-initiated logout URL (`${issuer}/session/end?...`) with the cookie jar, as the browser would: loads
 * the OP's logout page and submits its form (the demo's page does so by script, with `logout=yes`, which ends the
 * whole OP session).
 *
 * @returns the URL the OP finally redirected to (the `post_logout_redirect_uri`, or the OP's own success page).
 */
export async function endSessionWithFetch(endSessionUrl: string, cookies: CookieJar): Promise<string> {
  const opOrigin = new URL(endSessionUrl).origin;
  const page = await follow(endSessionUrl, cookies, opOrigin);
  if (page.kind === 'left-op') return page.url;
  const form = parseFirstForm(page.html, page.url);
  if (!form || !('xsrf' in form.fields)) throw new Error(`endSessionWithFetch: no logout form, ${describePage(page)}`);
  const response = await request(form.action, cookies, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields),
  });
  const stop = await follow(form.action, cookies, opOrigin, response);
  return stop.url;
}

/** True when `url` is one of the OP's interaction (login/consent) pages. */
export function isInteractionUrl(url: string): boolean {
  return /\/interaction\/[^/]+\/?$/.test(new URL(url).pathname);
}

export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/** A fresh PKCE verifier and its S256 challenge. */
export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge, method: 'S256' };
}

export interface AuthorizeUrlParams {
  redirectUri: string;
  codeChallenge: string;
  state?: string;
  nonce?: string;
  /** Default 'openid profile email offline_access'. */
  scope?: string;
  prompt?: string;
  clientId?: string;
  [extra: string]: string | undefined;
}

/** Builds `${issuer}/auth?...` for the demo client (response_type=code, S256). */
export function buildAuthorizeUrl(issuer: string, params: AuthorizeUrlParams): string {
  const {
    redirectUri,
    codeChallenge,
    state,
    nonce,
    scope = 'openid profile email offline_access',
    prompt,
    clientId = 'pkce-spa-demo',
    ...extra
  } = params;
  const url = new URL(`${issuer}/auth`);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', scope);
  url.searchParams.set('code_challenge', codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (state !== undefined) url.searchParams.set('state', state);
  if (nonce !== undefined) url.searchParams.set('nonce', nonce);
  if (prompt !== undefined) url.searchParams.set('prompt', prompt);
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.href;
}
