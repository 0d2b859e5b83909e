/**
 * The network edge for unit tests: an injected `fetch` that answers from a script with real `Response` objects and
 * records every request. Used only where a real provider would be slower to set up than the behaviour under test;
 * protocol behaviour is proven against oidc-provider in test/integration and e2e.
 */
import type { Metadata } from '../../src/oauth.js';
import { jwks, signJwt, type Forgery } from './signing-key.js';

export const ISSUER = 'https://op.example.test';
export const CLIENT_ID = 'spa';
export const REDIRECT_URI = 'https://app.example.test/callback';

export const metadata: Metadata = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  revocation_endpoint: `${ISSUER}/revoke`,
  end_session_endpoint: `${ISSUER}/logout`,
  jwks_uri: `${ISSUER}/jwks`,
  id_token_signing_alg_values_supported: ['RS256'],
  authorization_response_iss_parameter_supported: true,
};

export interface Recorded {
  url: string;
  body: URLSearchParams;
}

export type Handler = (req: Recorded) => Response | Promise<Response>;

/** A fetch that routes by pathname to handlers and records requests; `/jwks` serves the signing key unless replaced. */
export function fakeFetch(routes: Record<string, Handler>) {
  routes = { '/jwks': () => json(jwks()), ...routes };
  const requests: Recorded[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body : '');
    const rec = { url, body };
    requests.push(rec);
    const handler = routes[new URL(url).pathname];
    if (!handler) return new Response('not found', { status: 404 });
    return handler(rec);
  }) as typeof fetch;
  return { fetch: fetchImpl, requests, count: (path: string) => requests.filter((r) => new URL(r.url).pathname === path).length };
}

/** An ID token signed with the provider's key (signing-key.ts); `forgery` makes a hostile one. */
export function idToken(claims: Record<string, unknown>, forgery?: Forgery): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: ISSUER, aud: CLIENT_ID, sub: 'alice', iat: now, exp: now + 3600, ...claims }, forgery);
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

let counter = 0;
/** A token response; `refresh_token` rotates on every call. */
export function tokenResponse(extra: Record<string, unknown> = {}, claims: Record<string, unknown> = {}): Response {
  counter++;
  return json({
    access_token: `at-${counter}`,
    token_type: 'Bearer',
    expires_in: 300,
    refresh_token: `rt-${counter}`,
    scope: 'openid profile email offline_access',
    id_token: idToken(claims),
    ...extra,
  });
}
