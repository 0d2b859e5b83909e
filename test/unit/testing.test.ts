/**
 * pkce-spa/testing: the test client drives <AuthProvider> and the Vue plugin through every state, with React and
 * Vue Testing Library, and never touches the network or `location`.
 */
import { createElement } from 'react';
import { act, cleanup as cleanupReact, render as renderReact, screen as reactScreen } from '@testing-library/react';
import { cleanup as cleanupVue, render as renderVue, screen as vueScreen } from '@testing-library/vue';
import { defineComponent, h } from 'vue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, PkceClient } from 'pkce-spa';
import { AuthProvider, RequireAuth, useAuth as useReactAuth } from 'pkce-spa/react';
import { createAuth, createAuthGuard, useAuth as useVueAuth } from 'pkce-spa/vue';
import { createTestClient } from 'pkce-spa/testing';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanupReact();
  cleanupVue();
});

function Profile() {
  const { status, user, error } = useReactAuth<{ sub: string; roles: string[] }>();
  if (error) return createElement('p', null, `error ${error.code}`);
  return createElement('p', null, user ? `${user.sub} is ${user.roles.join(', ')}` : status);
}

describe('createTestClient with React Testing Library', () => {
  it('is a PkceClient that renders signed in as the given user with custom claims, then follows signOut/failWith/setLoading', () => {
    const client = createTestClient({ user: { sub: 'ada', roles: ['admin', 'ops'] } });
    expect(client).toBeInstanceOf(PkceClient);

    renderReact(createElement(AuthProvider, { client }, createElement(Profile)));
    expect(reactScreen.getByText('ada is admin, ops')).toBeTruthy();

    act(() => client.signOut());
    expect(reactScreen.getByText('unauthenticated')).toBeTruthy();
    act(() => client.failWith('access_denied'));
    expect(reactScreen.getByText('error access_denied')).toBeTruthy();
    act(() => client.setLoading());
    expect(reactScreen.getByText('loading')).toBeTruthy();
  });

  it('RequireAuth asks a signed-out test client for a redirect login, recorded instead of navigating', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
    const client = createTestClient({ status: 'unauthenticated' });

    renderReact(createElement(AuthProvider, { client }, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));

    await vi.waitFor(() => expect(client.calls.map((c) => c.method)).toContain('loginWithRedirect'));
    expect(client.calls.find((c) => c.method === 'loginWithRedirect')!.args[0]).toEqual({
      appState: { returnTo: '/' },
    });
    expect(reactScreen.getByText('wait')).toBeTruthy();
    expect(assign).not.toHaveBeenCalled();
  });

  it('getAccessToken resolves the given token, or rejects with the code the test set', async () => {
    const client = createTestClient({ accessToken: 'token-for-api-tests' });
    expect(await client.getAccessToken()).toBe('token-for-api-tests');
    expect(client.getIdToken()).toBe('test-id-token');
    expect(client.getIdTokenClaims()).toMatchObject({ sub: 'test-user', aud: 'test-client' });

    client.failTokens('invalid_grant');
    await expect(client.getAccessToken()).rejects.toMatchObject({ name: 'AuthError', code: 'invalid_grant' });
    client.failTokens(undefined);
    client.signOut();
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    client.failNextLogin('popup_blocked');
    await expect(client.loginWithPopup()).rejects.toBeInstanceOf(AuthError);
    expect(client.getState().error?.code).toBe('popup_blocked');
  });
});

describe('createTestClient with Vue Testing Library', () => {
  const Profile = defineComponent({
    setup() {
      const { state, user, error } = useVueAuth<{ sub: string; roles: string[] }>();
      return () =>
        h(
          'p',
          error.value
            ? `error ${error.value.code}`
            : user.value
              ? `${user.value.sub} is ${user.value.roles.join(', ')}`
              : state.value.status,
        );
    },
  });

  it('works with the plugin: signed in, signed out with an error, and the guard lets a signed-in user through', async () => {
    const client = createTestClient({ user: { sub: 'grace', roles: ['dev'] } });
    renderVue(Profile, { global: { plugins: [createAuth(client)] } });
    expect(vueScreen.getByText('grace is dev')).toBeTruthy();
    expect(await createAuthGuard(client)({ fullPath: '/admin' })).toBe(true);

    client.failWith('access_denied');
    expect(await vueScreen.findByText('error access_denied')).toBeTruthy();
  });
});
