/**
 * The Vue demo's components and router (demo/vue/app.ts) with vue-router's memory history, driven by
 * pkce-spa/testing: the guarded route for a signed-in user, and a cancelled login's error with "Sign in again".
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/vue';
import { createMemoryHistory } from 'vue-router';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth } from 'pkce-spa/vue';
import { createTestClient, type TestClient } from 'pkce-spa/testing';
import { App, createDemoRouter } from '../../demo/vue/app.js';

afterEach(() => cleanup());

async function renderAt(path: string, client: TestClient) {
  const router = createDemoRouter(client, createMemoryHistory());
  await router.push(path);
  render(App, { global: { plugins: [createAuth(client, { router }), router] } });
  return router;
}

describe('Vue demo', () => {
  it('shows the orders of the signed-in user on the guarded route', async () => {
    await renderAt('/orders', createTestClient({ user: { sub: 'grace', name: 'Grace Hopper' } }));

    expect((await screen.findByTestId('orders')).textContent).toContain('Orders of Grace Hopper');
    expect(screen.getByTestId('status').textContent).toBe('authenticated');
  });

  it('a signed-out user on /orders is sent to log in (recorded by the test client), with returnTo the route path', async () => {
    const client = createTestClient({ status: 'unauthenticated' });
    const router = createDemoRouter(client, createMemoryHistory());
    render(App, { global: { plugins: [createAuth(client, { router }), router] } });

    await router.push('/orders');

    expect(client.calls.filter((c) => c.method === 'loginWithRedirect').map((c) => c.args[0])).toEqual([
      { appState: { returnTo: '/orders' } },
    ]);
    expect(screen.queryByTestId('orders')).toBeNull();
  });

  it('after a cancelled login shows the error, and "Sign in again" clears it and starts a login', async () => {
    const client = createTestClient({ status: 'unauthenticated', error: 'access_denied' });
    await renderAt('/', client);

    expect((await screen.findByTestId('error')).textContent).toContain('access_denied');
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in again' }));

    expect(client.calls.filter((c) => c.method === 'loginWithRedirect')).toHaveLength(1);
    expect(client.getState().error).toBeUndefined();
    expect(screen.queryByTestId('error')).toBeNull();
  });
});
