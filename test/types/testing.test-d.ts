// The public signatures of `pkce-spa/testing`, pinned as types (vitest typecheck, project "types").
import { describe, expectTypeOf, it } from 'vitest';
import type { AuthError, AuthErrorCode, PkceClient, User } from '../../src/index.js';
import * as testing from '../../src/testing/index.js';

describe('pkce-spa/testing', () => {
  it('exports exactly createTestClient and TestClient (and their types)', () => {
    expectTypeOf<keyof typeof testing>().toEqualTypeOf<'createTestClient' | 'TestClient'>();
  });

  it('createTestClient takes an optional start and returns a TestClient, which a PkceClient parameter accepts', () => {
    expectTypeOf(testing.createTestClient).parameters.toEqualTypeOf<[init?: testing.TestClientInit]>();
    expectTypeOf(testing.createTestClient).returns.toEqualTypeOf<testing.TestClient>();
    expectTypeOf<testing.TestClient>().toMatchTypeOf<PkceClient>();
  });

  it('starts signed in with a session, or in a status (signed out with an error, or loading)', () => {
    expectTypeOf<testing.TestSession>().toEqualTypeOf<{
      user?: Partial<User> & Record<string, unknown>;
      accessToken?: string;
      idToken?: string;
      claims?: Record<string, unknown>;
    }>();
    expectTypeOf<{ status: 'unauthenticated'; error: 'login_required' }>().toMatchTypeOf<testing.TestClientInit>();
    expectTypeOf<{ status: 'loading' }>().toMatchTypeOf<testing.TestClientInit>();
    expectTypeOf<{ status: 'signed-in' }>().not.toMatchTypeOf<testing.TestClientInit>();
  });

  it('drives the state and failures from the test, and records every call', () => {
    const client = testing.createTestClient();
    expectTypeOf(client.signIn).parameters.toEqualTypeOf<[session?: testing.TestSession]>();
    expectTypeOf(client.signOut).parameters.toEqualTypeOf<[error?: AuthError | AuthErrorCode]>();
    expectTypeOf(client.setLoading).parameters.toEqualTypeOf<[]>();
    expectTypeOf(client.failWith).parameters.toEqualTypeOf<[code: AuthErrorCode, message?: string]>();
    expectTypeOf(client.failNextLogin).parameters.toEqualTypeOf<[code: AuthErrorCode, message?: string]>();
    expectTypeOf(client.failTokens).parameters.toEqualTypeOf<[code: AuthErrorCode | undefined, message?: string]>();
    expectTypeOf(client.calls).toEqualTypeOf<testing.TestCall[]>();
    expectTypeOf<testing.TestCall['method']>().toEqualTypeOf<
      | 'start'
      | 'ready'
      | 'loginWithRedirect'
      | 'loginWithPopup'
      | 'handleRedirectCallback'
      | 'getAccessToken'
      | 'logout'
    >();
  });
});
