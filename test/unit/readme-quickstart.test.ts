// The README's quick start, run as written (its code block, types stripped) against the fake provider: a first page
// that is not signed in, then the provider's callback page. The provider stands in for https://id.example.com.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import * as pkceSpa from '../../src/index.js';
import type { AuthState } from '../../src/index.js';
import { callbackUrl } from '../helpers/callback-url.js';
import { fakeProvider, json, metadataFor } from '../helpers/fake-provider.js';

const ISSUER = 'https://id.example.com';

/** The quick start of README.md as a function of what it takes from the app (its buttons and render functions). */
function quickStart() {
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.split(/^## Quick start$/m)[1]!.split(/^## /m)[0]!;
  const source = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  expect(source).toContain("from 'pkce-spa'");
  const js = ts
    .transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
    .outputText.replace(/^import .* from 'pkce-spa';$/m, '')
    .replace(/^export \{\};$/m, '');
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  const run = new AsyncFunction(
    'createPkceClient',
    'isAuthError',
    'loginButton',
    'logoutButton',
    'showError',
    'showLoginButton',
    'render',
    js,
  );
  return () => {
    const app = {
      loginButton: {} as { onclick?: () => unknown },
      logoutButton: {} as { onclick?: () => unknown },
      showError: vi.fn(),
      showLoginButton: vi.fn(),
      render: vi.fn<(state: AuthState) => void>(),
    };
    const done = run(
      pkceSpa.createPkceClient,
      pkceSpa.isAuthError,
      app.loginButton,
      app.logoutButton,
      app.showError,
      app.showLoginButton,
      app.render,
    );
    return { app, done };
  };
}

describe('README quick start', () => {
  it('signs in through the provider and calls the API with the access token', async () => {
    const page = quickStart();
    const api: string[] = [];
    const provider = fakeProvider({
      clientId: 'my-spa',
      claims: { iss: ISSUER },
      routes: {
        '/.well-known/openid-configuration': () => json(metadataFor(ISSUER)),
        '/api/orders': (req) => (api.push(req.headers.get('authorization')!), json([])),
      },
    });
    vi.stubGlobal('fetch', provider.net.fetch);
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});

    // A first page: nobody is signed in, so the API call shows the login button; the button goes to the provider.
    const first = page();
    await first.done;
    expect(first.app.showLoginButton).toHaveBeenCalledTimes(1);
    expect(first.app.showError).not.toHaveBeenCalled();
    await first.app.loginButton.onclick!();
    const authorize = new URL(String(assign.mock.calls.at(-1)![0]));
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${location.origin}/`);

    // The provider sends the browser back: the same code runs on the callback page.
    provider.setNonce(authorize.searchParams.get('nonce')!);
    window.history.replaceState(null, '', callbackUrl(authorize, { issuer: ISSUER }));
    const callback = page();
    await callback.done;
    expect(callback.app.showError).not.toHaveBeenCalled();
    expect(callback.app.showLoginButton).not.toHaveBeenCalled();
    expect(location.href).toBe(`${location.origin}/`); // code and state left the address bar
    expect(api).toEqual([expect.stringMatching(/^Bearer at-\d+$/)]);
    expect(provider.net.count('/token')).toBe(1);
  });
});
