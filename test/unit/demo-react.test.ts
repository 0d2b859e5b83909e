/**
 * The React demo's components (demo/react/app.tsx) under react-router's MemoryRouter, driven by pkce-spa/testing:
 * what a user sees signed in, and after a cancelled login.
 */
import { createElement } from 'react';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthProvider } from 'pkce-spa/react';
import { createTestClient, type TestClient } from 'pkce-spa/testing';
import { App } from '../../demo/react/app.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
});

function renderAt(path: string, client: TestClient) {
  return render(
    createElement(
      MemoryRouter,
      { initialEntries: [path] },
      createElement(AuthProvider, { client }, createElement(App)),
    ),
  );
}

describe('React demo', () => {
  it('shows the orders of the signed-in user on the guarded route', () => {
    renderAt('/orders', createTestClient({ user: { sub: 'ada', name: 'Ada Lovelace' } }));

    expect(screen.getByTestId('orders').textContent).toContain('Orders of Ada Lovelace');
    expect(screen.getByTestId('status').textContent).toBe('authenticated');
    expect((screen.getByRole('button', { name: 'Log out' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('after a cancelled login shows the error, and "Sign in again" starts a login back to /orders', async () => {
    const client = createTestClient({ status: 'unauthenticated', error: 'access_denied' });
    window.history.replaceState(null, '', 'https://app.example.test/orders');
    // RequireAuth decides on the start's error: the test client's start() leaves this error in the state.
    renderAt('/orders', client);

    expect(screen.getByTestId('error').textContent).toContain('access_denied');
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in again' }));

    expect(client.calls.filter((c) => c.method === 'loginWithRedirect').map((c) => c.args[0])).toEqual([
      { appState: { returnTo: '/orders' } },
    ]);
    expect(client.getState().error).toBeUndefined();
    expect(screen.queryByTestId('orders')).toBeNull();
  });
});
