/**
 * Loaded on demand (a chunk of its own): `client.fetchWithAuth()`, a `fetch` that carries the access token to the
 * app's own APIs. Bearer (RFC 6750) or, when the token is DPoP-bound, `Authorization: DPoP` plus a proof with `ath`
 * (RFC 9449 §7). It reacts to exactly three challenges from the resource server, each at most once per call:
 * - `DPoP error="use_dpop_nonce"` with a `DPoP-Nonce`: the same request again with a proof carrying that nonce (§9);
 * - `error="invalid_token"` (401): one forced renewal, then the same request again (the token was revoked or the
 *   server's clock disagrees; a second refusal is the app's to handle);
 * - `error="insufficient_user_authentication"` (RFC 9470): an {@link AuthError} with that code and the server's
 *   `acr_values` / `max_age` in `stepUp`, ready to hand to a login call.
 * Tokens go only to `apiOrigins` (default: the page's origin); any other origin is refused before anything is sent.
 */
import { AuthError } from './errors.js';
import { browserWindow } from './env.js';
import type { FetchWithAuthOptions, PkceClient } from './client.js';
import type { ResolvedOptions } from './options.js';
import { tokenKey, type Session } from './session.js';

/** What the client lends this module: itself (for getAccessToken), its options and its current session. */
export interface FetchHost {
  client: PkceClient;
  options: ResolvedOptions;
  session(): Session | undefined;
}

/** One challenge of a `WWW-Authenticate` header: the scheme (lower case) and its auth-params. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const SCHEME = new RegExp(`^[\\s,]*(${TOKEN})(?=\\s|,|$)\\s*`);
const PARAM = new RegExp(`^[\\s,]*(${TOKEN})\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|(${TOKEN}))\\s*`);

/**
 * Parses a `WWW-Authenticate` header (RFC 9110 §11.6.1) into challenges; token68 values are skipped. Unparsable
 * rest is ignored rather than thrown: a resource server's odd header must not turn a response into an exception.
 */
export function parseChallenges(header: string | null): Challenge[] {
  const out: Challenge[] = [];
  let rest = header ?? '';
  for (let m; (m = SCHEME.exec(rest));) {
    const challenge: Challenge = { scheme: m[1]!.toLowerCase(), params: {} };
    out.push(challenge);
    rest = rest.slice(m[0].length);
    for (let p; (p = PARAM.exec(rest)); rest = rest.slice(p[0].length)) {
      challenge.params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    }
    rest = rest.replace(/^[^,]*/, ''); // a token68 or garbage: skip to the next comma
  }
  return out;
}

/**
 * The fetch behind {@link PkceClient.fetchWithAuth}.
 * @throws {AuthError} `origin_not_allowed`, `insufficient_user_authentication` (with `stepUp`), and what
 *   `getAccessToken` throws (`login_required`, `invalid_grant`, ...). A network failure rejects as `fetch` does.
 */
export async function fetchWithAuth(
  host: FetchHost,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  { scope, resource }: FetchWithAuthOptions,
): Promise<Response> {
  const request = new Request(input, init);
  const origin = new URL(request.url).origin;
  const allowed = host.options.apiOrigins?.map((u) => new URL(u).origin) ?? [browserWindow()?.location.origin];
  if (!allowed.includes(origin)) {
    throw new AuthError(
      'origin_not_allowed',
      `fetchWithAuth sends no token to ${origin}: add it to apiOrigins (now ${allowed.join(', ')}), or use fetch()`,
    );
  }
  /** The token for this call's scope and resource (renewed first when `forceRefresh`), and its DPoP key if bound. */
  const token = async (forceRefresh: boolean) => {
    const accessToken = await host.client.getAccessToken({ scope, resource, forceRefresh });
    const session = host.session();
    const cached = session?.tokens.get(
      tokenKey(scope, resource === undefined ? undefined : ([] as string[]).concat(resource)),
    );
    return { accessToken, dpopKey: /^dpop$/i.test(cached?.tokenType ?? '') ? session?.dpopKey : undefined };
  };
  const send = host.options.fetch ?? ((r: Request) => fetch(r));
  let renewed = false;
  let nonceRetried = false;
  let { accessToken, dpopKey } = await token(false);
  for (;;) {
    const attempt = request.clone(); // a body can be read once; every attempt sends its own copy
    let response: Response;
    if (dpopKey && host.options.dpop) {
      response = await host.options.dpop.sendWithProof(dpopKey, accessToken, attempt, send);
    } else {
      const headers = new Headers(attempt.headers);
      headers.set('authorization', `Bearer ${accessToken}`);
      response = await send(new Request(attempt, { headers }));
    }
    if (response.status !== 401 && response.status !== 403) return response;
    const challenges = parseChallenges(response.headers.get('www-authenticate'));
    const error = (name: string) => challenges.find((c) => c.params.error === name);
    const stepUp = error('insufficient_user_authentication');
    if (stepUp) {
      const { acr_values, max_age } = stepUp.params;
      const params = { ...(acr_values && { acr_values }), ...(max_age && { max_age }) };
      const error = new AuthError(
        'insufficient_user_authentication',
        `${origin} asks for a stronger or more recent sign-in` +
          `${acr_values || max_age ? ` ${JSON.stringify(params)}` : ''}: ` +
          'call loginWithPopup or loginWithRedirect with { authorizationParams: error.stepUp }',
        { description: stepUp.params.error_description },
      );
      throw Object.assign(error, { stepUp: params });
    }
    if (dpopKey && !nonceRetried && error('use_dpop_nonce') && response.headers.has('dpop-nonce')) {
      nonceRetried = true;
    } else if (!renewed && response.status === 401 && error('invalid_token')) {
      renewed = true;
      ({ accessToken, dpopKey } = await token(true));
    } else {
      return response;
    }
  }
}
