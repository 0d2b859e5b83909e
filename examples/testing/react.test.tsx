// examples/testing/react.test.tsx: a component that uses useAuth(), tested with pkce-spa/testing.
import { act, render, screen } from '@testing-library/react';
import { expect, it } from 'vitest';
import { AuthProvider, useAuth } from 'pkce-spa/react';
import { createTestClient } from 'pkce-spa/testing';

function Greeting() {
  const { user, error, status } = useAuth<{ sub: string; name?: string; roles?: string[] }>();
  if (error) return <p role="alert">Sign-in failed: {error.code}</p>;
  return <p>{user ? `Hello ${user.name} (${user.roles?.join(', ')})` : status}</p>;
}

it('greets the signed-in user and shows a failed login', () => {
  const client = createTestClient({ user: { sub: 'ada', name: 'Ada', roles: ['admin'] }, accessToken: 'at-test' });
  render(
    <AuthProvider client={client}>
      <Greeting />
    </AuthProvider>,
  );
  expect(screen.getByText('Hello Ada (admin)')).toBeTruthy();

  act(() => client.failWith('access_denied'));
  expect(screen.getByRole('alert').textContent).toBe('Sign-in failed: access_denied');
});
