// The public signatures of `pkce-spa`, pinned as types: a change here is a change for every user. Run by vitest's
// typecheck (project "types"); nothing in this file executes.
import { describe, expectTypeOf, it } from 'vitest';
import {
  AuthError,
  createPkceClient,
  isAuthError,
  PkceClient,
  type AuthErrorCode,
  type AuthState,
  type AuthStateListener,
  type ClientOptions,
  type GetTokenOptions,
  type IdTokenClaims,
  type LoginOptions,
  type LogoutOptions,
  type PkceErrorCode,
  type PopupLoginOptions,
  type StartResult,
  type User,
} from '../../src/index.js';

const options: ClientOptions = {
  issuer: 'https://id.example.com',
  clientId: 'my-spa',
  redirectUri: 'https://app.example.com/',
};

describe('error codes', () => {
  it('PkceErrorCode is exactly the documented list', () => {
    expectTypeOf<PkceErrorCode>().toEqualTypeOf<
      | 'invalid_options'
      | 'state_mismatch'
      | 'redirect_uri_mismatch'
      | 'revocation_failed'
      | 'provider_session_active'
      | 'issuer_mismatch'
      | 'invalid_id_token'
      | 'invalid_response'
      | 'network_error'
      | 'timeout'
      | 'missing_refresh_token'
      | 'login_required'
      | 'popup_blocked'
      | 'popup_closed'
      | 'storage_unavailable'
      | 'login_loop'
      | 'origin_not_allowed'
      | 'insufficient_user_authentication'
    >();
  });

  it('AuthError.code takes our codes and any server code, but stays a string', () => {
    expectTypeOf<AuthError['code']>().toEqualTypeOf<AuthErrorCode>();
    expectTypeOf<PkceErrorCode>().toMatchTypeOf<AuthErrorCode>();
    expectTypeOf<'access_denied'>().toMatchTypeOf<AuthErrorCode>();
    expectTypeOf<AuthErrorCode>().toMatchTypeOf<string>();
    expectTypeOf<AuthError['description']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AuthError>().toMatchTypeOf<Error>();
    expectTypeOf(AuthError).constructorParameters.toEqualTypeOf<
      [code: AuthErrorCode, message: string, options?: { description?: string; cause?: unknown }]
    >();
  });

  it('isAuthError narrows unknown to AuthError', () => {
    expectTypeOf(isAuthError).guards.toEqualTypeOf<AuthError>();
    const e: unknown = undefined;
    if (isAuthError(e)) expectTypeOf(e.code).toEqualTypeOf<AuthErrorCode>();
  });
});

describe('options', () => {
  it('issuer, clientId and redirectUri are the only required options', () => {
    type Required = { [K in keyof ClientOptions as {} extends Pick<ClientOptions, K> ? never : K]: ClientOptions[K] };
    expectTypeOf<keyof Required>().toEqualTypeOf<'issuer' | 'clientId' | 'redirectUri'>();
    // @ts-expect-error redirectUri is missing
    void ({ issuer: 'https://id.example.com', clientId: 'x' } satisfies ClientOptions);
  });

  it('every option keeps its name and type', () => {
    expectTypeOf<keyof ClientOptions>().toEqualTypeOf<
      | 'issuer'
      | 'clientId'
      | 'redirectUri'
      | 'postLogoutRedirectUri'
      | 'scope'
      | 'resource'
      | 'authorizationParams'
      | 'refreshTokens'
      | 'leewaySeconds'
      | 'timeoutMs'
      | 'metadata'
      | 'fetch'
      | 'cache'
      | 'silentRedirectUri'
      | 'silentLoginOnStart'
      | 'verifyIdTokenSignature'
      | 'metadataOverrides'
      | 'debug'
      | 'dpop'
      | 'par'
      | 'apiOrigins'
    >();
    expectTypeOf<ClientOptions['verifyIdTokenSignature']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<ClientOptions['cache']>().toEqualTypeOf<'memory' | 'indexeddb' | undefined>();
    expectTypeOf<ClientOptions['resource']>().toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf<ClientOptions['leewaySeconds']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ClientOptions['timeoutMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ClientOptions['refreshTokens']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<ClientOptions['authorizationParams']>().toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<ClientOptions['fetch']>().toEqualTypeOf<typeof fetch | undefined>();
  });

  it('a misspelt option is a type error', () => {
    // @ts-expect-error clientID is not an option (the runtime rejects it too)
    void ({ ...options, clientID: 'x' } satisfies ClientOptions);
    // @ts-expect-error cache takes 'memory' or 'indexeddb' only
    void ({ ...options, cache: 'localStorage' } satisfies ClientOptions);
  });

  it('per-call options', () => {
    expectTypeOf<LoginOptions>().toEqualTypeOf<{ appState?: unknown; authorizationParams?: Record<string, string> }>();
    expectTypeOf<PopupLoginOptions>().toEqualTypeOf<{
      authorizationParams?: Record<string, string>;
      timeoutMs?: number;
    }>();
    expectTypeOf<GetTokenOptions>().toEqualTypeOf<{
      scope?: string;
      resource?: string | string[];
      forceRefresh?: boolean;
      minTtlSeconds?: number;
    }>();
    expectTypeOf<LogoutOptions>().toEqualTypeOf<{ returnTo?: string; localOnly?: boolean }>();
  });
});

describe('client', () => {
  it('createPkceClient and new PkceClient take ClientOptions', () => {
    expectTypeOf(createPkceClient).parameters.toEqualTypeOf<[ClientOptions]>();
    expectTypeOf(createPkceClient).returns.toEqualTypeOf<Promise<PkceClient>>();
    // The last (public) overload; an @internal one for tests' IndexedDB store is stripped from the published types.
    expectTypeOf<ConstructorParameters<typeof PkceClient>>().toEqualTypeOf<[options: ClientOptions]>();
  });

  it('methods keep their signatures', () => {
    const client = new PkceClient(options);
    expectTypeOf(client.ready).toEqualTypeOf<() => Promise<void>>();
    expectTypeOf(client.loginWithRedirect).toEqualTypeOf<(options?: LoginOptions) => Promise<void>>();
    expectTypeOf(client.loginWithPopup).toEqualTypeOf<(options?: PopupLoginOptions) => Promise<void>>();
    expectTypeOf(client.handleRedirectCallback).toEqualTypeOf<(url?: string) => Promise<{ appState: unknown }>>();
    expectTypeOf(client.getAccessToken).toEqualTypeOf<(options?: GetTokenOptions) => Promise<string>>();
    expectTypeOf(client.getUser<User>).toEqualTypeOf<() => User | undefined>();
    expectTypeOf(client.getUser<{ sub: string; roles: string[] }>).returns.toEqualTypeOf<
      { sub: string; roles: string[] } | undefined
    >();
    expectTypeOf(client.getIdToken).toEqualTypeOf<() => string | undefined>();
    expectTypeOf(client.start).toEqualTypeOf<() => Promise<StartResult>>();
    expectTypeOf(client.clearError).toEqualTypeOf<() => void>();
    expectTypeOf(client.getIdTokenClaims).toEqualTypeOf<() => IdTokenClaims | undefined>();
    expectTypeOf(client.isAuthenticated).toEqualTypeOf<() => boolean>();
    expectTypeOf(client.getState).toEqualTypeOf<() => AuthState>();
    expectTypeOf(client.subscribe).toEqualTypeOf<(listener: AuthStateListener) => () => void>();
    expectTypeOf(client.countTabs).toEqualTypeOf<() => Promise<number>>();
    expectTypeOf(client.logout).toEqualTypeOf<(options?: LogoutOptions) => Promise<void>>();
    expectTypeOf(client.close).toEqualTypeOf<() => void>();
  });

  it('AuthState is what apps render from', () => {
    expectTypeOf<AuthState['status']>().toEqualTypeOf<'loading' | 'authenticated' | 'unauthenticated'>();
    expectTypeOf<AuthState['user']>().toEqualTypeOf<User | undefined>();
    expectTypeOf<AuthState['error']>().toEqualTypeOf<AuthError | undefined>();
    expectTypeOf<AuthState['warning']>().toEqualTypeOf<AuthError | undefined>();
    expectTypeOf<AuthStateListener>().toEqualTypeOf<(state: AuthState) => void>();
  });

  it('User and IdTokenClaims keep the standard claims and allow others', () => {
    expectTypeOf<User['sub']>().toEqualTypeOf<string>();
    expectTypeOf<User['email']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<User['picture']>().toEqualTypeOf<unknown>();
    expectTypeOf<IdTokenClaims['aud']>().toEqualTypeOf<string | string[]>();
    expectTypeOf<IdTokenClaims['exp']>().toEqualTypeOf<number>();
  });
});
