// The public signatures of `pkce-spa/react` and `pkce-spa/vue`, pinned as types (vitest typecheck, project "types").
import type { ReactNode } from 'react';
import type { App, ComputedRef } from 'vue';
import { describe, expectTypeOf, it } from 'vitest';
import type { AuthError, AuthState, LoginOptions, PkceClient, User } from '../../src/index.js';
import * as react from '../../src/react/index.js';
import * as vue from '../../src/vue/index.js';

describe('pkce-spa/react', () => {
  it('exports exactly AuthProvider, useAuth, RequireAuth, AuthErrorFallback and getReturnTo (and their types)', () => {
    expectTypeOf<keyof typeof react>().toEqualTypeOf<
      'AuthProvider' | 'useAuth' | 'RequireAuth' | 'AuthErrorFallback' | 'getReturnTo'
    >();
  });

  it('AuthProvider takes the client, an optional onRedirectCallback (also told of a failure) and the router basename', () => {
    expectTypeOf(react.AuthProvider).parameters.toEqualTypeOf<[react.AuthProviderProps]>();
    expectTypeOf(react.AuthProvider).returns.toEqualTypeOf<ReactNode>();
    expectTypeOf<react.AuthProviderProps>().toEqualTypeOf<{
      client: PkceClient;
      onRedirectCallback?: (appState: unknown, error?: AuthError) => void;
      basename?: string;
      children?: ReactNode;
    }>();
  });

  it('useAuth types custom claims', () => {
    expectTypeOf(react.useAuth<{ sub: string; roles: string[] }>).returns.toEqualTypeOf<
      react.UseAuthResult<{ sub: string; roles: string[] }>
    >();
    expectTypeOf<react.UseAuthResult<{ sub: string; roles: string[] }>['user']>().toEqualTypeOf<
      { sub: string; roles: string[] } | undefined
    >();
  });

  it('useAuth returns the state, two booleans, the client and its methods', () => {
    expectTypeOf(react.useAuth<User>).returns.toEqualTypeOf<react.UseAuthResult>();
    expectTypeOf<react.UseAuthResult>().toMatchTypeOf<AuthState>();
    expectTypeOf<react.UseAuthResult['isLoading']>().toEqualTypeOf<boolean>();
    expectTypeOf<react.UseAuthResult['isAuthenticated']>().toEqualTypeOf<boolean>();
    expectTypeOf<react.UseAuthResult['client']>().toEqualTypeOf<PkceClient>();
    expectTypeOf<react.UseAuthResult['getAccessToken']>().toEqualTypeOf<PkceClient['getAccessToken']>();
    expectTypeOf<react.UseAuthResult['loginWithRedirect']>().toEqualTypeOf<PkceClient['loginWithRedirect']>();
    expectTypeOf<react.UseAuthResult['loginWithPopup']>().toEqualTypeOf<PkceClient['loginWithPopup']>();
    expectTypeOf<react.UseAuthResult['logout']>().toEqualTypeOf<PkceClient['logout']>();
  });

  it('RequireAuth takes children, a fallback, an error fallback, a return path and login options', () => {
    expectTypeOf<react.RequireAuthProps>().toEqualTypeOf<{
      children?: ReactNode;
      fallback?: ReactNode;
      errorFallback?: (props: react.AuthErrorFallbackProps) => ReactNode;
      returnTo?: string;
      loginOptions?: LoginOptions;
    }>();
    expectTypeOf<react.AuthErrorFallbackProps>().toEqualTypeOf<{ error: AuthError; retry: () => void }>();
  });
});

describe('pkce-spa/vue', () => {
  it('exports exactly createAuth, useAuth, createAuthGuard and getReturnTo (and their types)', () => {
    expectTypeOf<keyof typeof vue>().toEqualTypeOf<'createAuth' | 'useAuth' | 'createAuthGuard' | 'getReturnTo'>();
  });

  it('createAuth returns a plugin for app.use()', () => {
    expectTypeOf(vue.createAuth).parameters.toEqualTypeOf<[client: PkceClient, options?: vue.AuthPluginOptions]>();
    expectTypeOf<vue.AuthPlugin['install']>().toEqualTypeOf<(app: App) => void>();
    expectTypeOf<vue.AuthPluginOptions['onRedirectCallback']>().toEqualTypeOf<
      ((appState: unknown, error?: AuthError) => void) | undefined
    >();
    expectTypeOf<vue.AuthPluginOptions['router']>().toEqualTypeOf<vue.RouterLike | undefined>();
  });

  it('useAuth returns read-only computed refs, the client and its methods', () => {
    expectTypeOf(vue.useAuth<User>).returns.toEqualTypeOf<vue.UseAuthResult>();
    expectTypeOf<vue.UseAuthResult['clearError']>().toEqualTypeOf<() => void>();
    expectTypeOf<vue.UseAuthResult['state']>().toEqualTypeOf<ComputedRef<AuthState>>();
    expectTypeOf<vue.UseAuthResult['isLoading']>().toEqualTypeOf<ComputedRef<boolean>>();
    expectTypeOf<vue.UseAuthResult['user']>().toEqualTypeOf<ComputedRef<User | undefined>>();
    expectTypeOf<vue.UseAuthResult['error']>().toEqualTypeOf<ComputedRef<AuthError | undefined>>();
    expectTypeOf<vue.UseAuthResult['getAccessToken']>().toEqualTypeOf<PkceClient['getAccessToken']>();
  });

  it('createAuthGuard returns a router guard that resolves a boolean', () => {
    expectTypeOf(vue.createAuthGuard<never>).parameters.toEqualTypeOf<
      [client: PkceClient, options?: vue.AuthGuardOptions]
    >();
    expectTypeOf(vue.createAuthGuard<never>).returns.toEqualTypeOf<(to: { fullPath: string }) => Promise<boolean>>();
    expectTypeOf<vue.AuthGuardOptions<string>>().toEqualTypeOf<{
      loginOptions?: LoginOptions;
      onError?: (error: AuthError, to: { fullPath: string }) => string;
    }>();
  });
});
