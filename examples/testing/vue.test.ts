// examples/testing/vue.test.ts: a component that uses useAuth(), tested with pkce-spa/testing.
import { render, screen } from '@testing-library/vue';
import { defineComponent, h } from 'vue';
import { expect, it } from 'vitest';
import { createAuth, useAuth } from 'pkce-spa/vue';
import { createTestClient } from 'pkce-spa/testing';

const Greeting = defineComponent(() => {
  const { user, state } = useAuth<{ sub: string; name?: string }>();
  return () => h('p', user.value ? `Hello ${user.value.name}` : state.value.status);
});

it('greets the signed-in user, then follows a sign-out', async () => {
  const client = createTestClient({ user: { sub: 'grace', name: 'Grace' } });
  render(Greeting, { global: { plugins: [createAuth(client)] } });
  expect(screen.getByText('Hello Grace')).toBeTruthy();

  client.signOut();
  expect(await screen.findByText('unauthenticated')).toBeTruthy();
});
