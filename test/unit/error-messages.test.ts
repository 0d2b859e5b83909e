/**
 * Errors users can act on and that hold no token (issue 9 item 6, issue 10 item 5): our own message per failure
 * class, the provider's error and description quoted only when it sent them, causes that are plain readable Errors.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPkceClient, isAuthError, type AuthError, type PkceClient } from '../../src/index.js';
import {
  CLIENT_ID,
  ISSUER,
  REDIRECT_URI,
  fakeFetch,
  json,
  metadata,
  tokenResponse,
  type Handler,
} from '../helpers/fake-provider.js';

let assign: ReturnType<typeof vi.fn>;
beforeEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, '', 'https://app.example.test/');
  assign = vi.fn();
  vi.spyOn(window.location, 'assign').mockImplementation(assign);
});
afterEach(() => vi.restoreAllMocks());

async function client(routes: Record<string, Handler>, extra: Record<string, unknown> = {}) {
  const net = fakeFetch(routes);
  return createPkceClient({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    metadata,
    fetch: net.fetch,
    ...extra,
  });
}

/** Runs a redirect login to the point of the callback and returns what handleRedirectCallback rejects with. */
async function callbackError(c: PkceClient, params: Record<string, string> = {}): Promise<AuthError> {
  await c.loginWithRedirect();
  const auth = new URL(assign.mock.calls.at(-1)![0] as string);
  const url = new URL(REDIRECT_URI);
  for (const [k, v] of Object.entries({
    code: 'the-code',
    state: auth.searchParams.get('state')!,
    iss: ISSUER,
    ...params,
  }))
    if (v) url.searchParams.set(k, v);
  try {
    await c.handleRedirectCallback(url.href);
  } catch (e) {
    if (isAuthError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Every string reachable from `value` through own properties, enumerable or not (message, stack, cause, ...). */
function strings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && 'value' in d) out.push(...strings(d.value, seen));
  }
  if (value instanceof Response || value instanceof Headers) out.push('<a Response or Headers>');
  return out;
}

describe('no token in any error, cause or state', () => {
  const leaks = (error: unknown, c: PkceClient) =>
    [...strings(error), ...strings(c.getState())].filter((s) => /at-\d|rt-\d|eyJ|<a Response/.test(s));

  it('an ID token that fails validation: the error holds none of the token response', async () => {
    const c = await client({ '/token': () => tokenResponse({}, { aud: 'someone-else' }) });
    const error = await callbackError(c);
    expect(error.code).toBe('invalid_id_token');
    expect(error.message).toMatch(/^Invalid ID token \(/);
    expect(leaks(error, c)).toEqual([]);
    expect(c.getState().error).toBe(error);
  });

  it('a token response oauth4webapi refuses (no token_type): the error holds none of it', async () => {
    const c = await client({ '/token': () => tokenResponse({ token_type: undefined }) });
    const error = await callbackError(c);
    expect(error.code).toBe('invalid_response');
    expect(leaks(error, c)).toEqual([]);
  });

  it('an error response keeps the code and description, not the body or the Response', async () => {
    const c = await client({
      '/token': () => json({ error: 'invalid_grant', error_description: 'Code expired', refresh_token: 'rt-9' }, 400),
    });
    const error = await callbackError(c);
    expect(error).toMatchObject({ code: 'invalid_grant', description: 'Code expired' });
    expect(leaks(error, c)).toEqual([]);
  });
});

describe('messages', () => {
  it('quotes the provider error and description it sent, names the URL and the status, and says what to do', async () => {
    const c = await client({
      '/token': () => json({ error: 'invalid_grant', error_description: 'Code expired' }, 400),
    });
    const error = await callbackError(c);
    expect(error.message).toBe(`${ISSUER}/token answered HTTP 400 "invalid_grant" ("Code expired"): sign in again`);
  });

  it("an authorization error from the callback: the provider's code, no invented description", async () => {
    const c = await client({});
    const error = await callbackError(c, { code: '', error: 'interaction_required' });
    expect(error).toMatchObject({ code: 'interaction_required', description: undefined });
    expect(error.message).toBe(
      'The provider answered "interaction_required": show the login button (the user must sign in interactively; nothing is broken)',
    );
  });

  it('a bare 500 from the token endpoint: our message with URL and status, no quoted provider error', async () => {
    const c = await client({ '/token': () => new Response('', { status: 500 }) });
    const error = await callbackError(c);
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain(`${ISSUER}/token answered HTTP 500`);
    expect(error.message).not.toContain("The authorization server's answer");
    expect(error.message).not.toContain('"invalid_response"');
  });

  it('every cause is a plain Error with a readable name and message (no class instance of oauth4webapi)', async () => {
    const c = await client({ '/token': () => tokenResponse({}, { aud: 'someone-else' }) });
    const error = await callbackError(c);
    const cause = error.cause as Error;
    expect(Object.getPrototypeOf(cause)).toBe(Error.prototype);
    expect(cause.name).toBe('OperationProcessingError');
    expect(cause.message).toMatch(/^OAUTH_[A-Z_]+: /);
  });

  it("a timeout's cause is an Error with a message, not the abort Event", async () => {
    const c = await client({ '/token': () => new Promise<Response>(() => {}) }, { timeoutMs: 50 });
    const error = await callbackError(c);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain(`${ISSUER}/token`);
    expect(String(error.cause)).toBe('TimeoutError: aborted after 50 ms');
  });
});
