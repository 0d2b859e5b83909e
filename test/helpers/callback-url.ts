/**
 * The one "callback URL from the authorization request" builder, for every provider the tests use (fake, hostile and
 * real-but-scripted): the authorization response a provider sends the browser back to.
 */

export interface CallbackUrlOptions {
  /** The provider's issuer, sent as `iss` (RFC 9207). */
  issuer: string;
  /** Where the provider sends the browser. Default: the request's own `redirect_uri`. */
  redirectUri?: string;
  /**
   * Adds or replaces response parameters (`code` is `the-code` unless given); an empty value removes one. An `error`
   * without a `code` removes the code (RFC 6749 §4.1.2.1).
   */
  params?: Record<string, string>;
}

/** The callback URL for the authorization request `authorize`: a code, the request's `state` and `iss`. */
export function callbackUrl(authorize: URL | string, { issuer, redirectUri, params = {} }: CallbackUrlOptions): string {
  const request = new URL(authorize).searchParams;
  const url = new URL(redirectUri ?? request.get('redirect_uri')!);
  url.searchParams.set('code', 'the-code');
  url.searchParams.set('state', request.get('state') ?? '');
  url.searchParams.set('iss', issuer);
  if (params.error !== undefined && params.code === undefined) url.searchParams.delete('code');
  for (const [name, value] of Object.entries(params)) {
    if (value === '') url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return url.href;
}
