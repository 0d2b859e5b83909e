/**
 * Errors users can act on and that hold no token (issue 9 item 6, issue 10 item 5): our own message per failure
 * class, the provider's error and description quoted only when it sent them, causes that are plain readable Errors.
 */
import { describe, expect, it } from 'vitest';
import type { AuthError, ClientOptions, PkceClient } from '../../src/index.js';
import { authErrorOf } from '../helpers/auth-error.js';
import { ISSUER, fakeProvider, json, type FakeProvider } from '../helpers/fake-provider.js';

/** A started client of a fresh fake provider whose token endpoint answers with `token(provider)`. */
async function client(
  token?: (provider: FakeProvider) => Response | Promise<Response>,
  extra: Partial<ClientOptions> = {},
): Promise<{ c: PkceClient; provider: FakeProvider }> {
  const provider = fakeProvider();
  if (token) provider.net.routes['/token'] = () => token(provider);
  return { c: await provider.tab(extra), provider };
}

/** Runs a redirect login to the point of the callback and returns what handleRedirectCallback rejects with. */
async function callbackError(
  { c, provider }: { c: PkceClient; provider: FakeProvider },
  params: Record<string, string> = {},
): Promise<AuthError> {
  return authErrorOf(c.handleRedirectCallback(await provider.startLogin(c, params)));
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
    const login = await client((op) => op.tokenResponse({}, { aud: 'someone-else' }));
    const error = await callbackError(login);
    expect(error.code).toBe('invalid_id_token');
    expect(error.message).toMatch(/^Invalid ID token \(/);
    expect(leaks(error, login.c)).toEqual([]);
    expect(login.c.getState().error).toBe(error);
  });

  it('a token response oauth4webapi refuses (no token_type): the error holds none of it', async () => {
    const login = await client((op) => op.tokenResponse({ token_type: undefined }));
    const error = await callbackError(login);
    expect(error.code).toBe('invalid_response');
    expect(leaks(error, login.c)).toEqual([]);
  });

  it('an error response keeps the code and description, not the body or the Response', async () => {
    const login = await client(() =>
      json({ error: 'invalid_grant', error_description: 'Code expired', refresh_token: 'rt-9' }, 400),
    );
    const error = await callbackError(login);
    expect(error).toMatchObject({ code: 'invalid_grant', description: 'Code expired' });
    expect(leaks(error, login.c)).toEqual([]);
  });
});

describe('messages', () => {
  it('quotes the provider error and description it sent, names the URL and the status, and says what to do', async () => {
    const login = await client(() => json({ error: 'invalid_grant', error_description: 'Code expired' }, 400));
    const error = await callbackError(login);
    expect(error.message).toBe(`${ISSUER}/token answered HTTP 400 "invalid_grant" ("Code expired"): sign in again`);
  });

  it("an authorization error from the callback: the provider's code, no invented description", async () => {
    const login = await client();
    const error = await callbackError(login, { code: '', error: 'interaction_required' });
    expect(error).toMatchObject({ code: 'interaction_required', description: undefined });
    expect(error.message).toBe(
      'The provider answered "interaction_required": show the login button (the user must sign in interactively; nothing is broken)',
    );
  });

  it('a bare 500 from the token endpoint: our message with URL and status, no quoted provider error', async () => {
    const login = await client(() => new Response('', { status: 500 }));
    const error = await callbackError(login);
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain(`${ISSUER}/token answered HTTP 500`);
    expect(error.message).not.toContain("The authorization server's answer");
    expect(error.message).not.toContain('"invalid_response"');
  });

  it('every cause is a plain Error with a readable name and message (no class instance of oauth4webapi)', async () => {
    const login = await client((op) => op.tokenResponse({}, { aud: 'someone-else' }));
    const error = await callbackError(login);
    const cause = error.cause as Error;
    expect(Object.getPrototypeOf(cause)).toBe(Error.prototype);
    expect(cause.name).toBe('OperationProcessingError');
    expect(cause.message).toMatch(/^OAUTH_[A-Z_]+: /);
  });

  it("a timeout's cause is an Error with a message, not the abort Event", async () => {
    const login = await client(() => new Promise<Response>(() => {}), { timeoutMs: 50 });
    const error = await callbackError(login);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain(`${ISSUER}/token`);
    expect(String(error.cause)).toBe('TimeoutError: aborted after 50 ms');
  });
});
