/**
 * Loaded on demand (a chunk of its own): pushed authorization requests (RFC 9126). The authorization request that
 * the SDK built is POSTed to the provider, which answers with a `request_uri`; the browser then carries only
 * `client_id` and `request_uri`, so scope, PKCE challenge, redirect URI, state and nonce never appear in its address
 * bar, history or the provider's access logs, and cannot be altered on the way.
 *
 * The request is a form POST with the public client's `client_id` (RFC 9126 §2.1); with DPoP, the authorization
 * request already carries `dpop_jkt` (RFC 9449 §10.1), which binds the code to the key without a proof here.
 * Written with our fetch wrapper rather than oauth4webapi's pushedAuthorizationRequest: importing that from this lazy
 * chunk would put it in the core chunk of every app (see dpop.ts).
 */
import { AuthError } from './errors.js';
import { providerFetch, type Metadata } from './oauth.js';
import type { ResolvedOptions } from './options.js';

/**
 * Pushes the parameters of `authorizationUrl` and returns the URL the browser should open instead.
 * @throws {AuthError} `invalid_options` when the provider has no PAR endpoint; the server's OAuth error code;
 *   `invalid_response`, `network_error`, `timeout`.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 */
export async function pushAuthorizationRequest(
  as: Metadata,
  options: ResolvedOptions,
  authorizationUrl: URL,
): Promise<URL> {
  const endpoint = as.pushed_authorization_request_endpoint;
  if (!endpoint) {
    throw new AuthError(
      'invalid_options',
      `par is on but ${as.issuer} advertises no pushed_authorization_request_endpoint; remove the par option`,
    );
  }
  const response = await providerFetch(options)(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: authorizationUrl.searchParams.toString(),
  });
  let body: { request_uri?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
  try {
    body = await response.json();
  } catch {
    // Checked below: no JSON object is an invalid response.
  }
  if (response.status !== 201 || typeof body?.request_uri !== 'string' || typeof body.expires_in !== 'number') {
    const code = typeof body?.error === 'string' ? body.error : 'invalid_response';
    const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
    throw new AuthError(
      code,
      `The pushed authorization request to ${endpoint} failed (HTTP ${response.status}): ${description ?? code}`,
      { description },
    );
  }
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('request_uri', body.request_uri);
  return url;
}
