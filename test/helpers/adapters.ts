/**
 * What the React and Vue adapter tests share: a provider stand-in on the injected-fetch edge, a wait for a client
 * state, and a count of live subscriptions.
 */
import { vi, type Mock } from 'vitest';
import { PkceClient, type AuthState } from '../../src/index.js';
import { ISSUER, REDIRECT_URI, fakeFetch, metadata, tokenResponse } from './fake-fetch.js';

let ids = 0;

/**
 * A provider stand-in: a client id of its own (so sibling-tab messages between tests cannot mix) and a token endpoint
 * that signs `alice` in with the login's nonce.
 * @param assign the test's stand-in for `location.assign`, which records where the client sent the browser.
 */
export function provider(name: string, assign: Mock) {
  const clientId = `spa-${name}-${++ids}`;
  let nonce = '';
  const net = fakeFetch({ '/token': () => tokenResponse({}, { aud: clientId, nonce }) });
  const options = { issuer: ISSUER, clientId, redirectUri: REDIRECT_URI, metadata, fetch: net.fetch };
  return {
    net,
    clientId,
    /** A client as a freshly loaded page creates it. */
    client: () => new PkceClient(options),
    /** Starts a login in an earlier "page" and puts the provider's answer in the address bar, as the browser would. */
    async returnFromProvider(appState: unknown, answer: Record<string, string> = { code: 'the-code' }): Promise<void> {
      await new PkceClient(options).loginWithRedirect({ appState });
      const auth = new URL(assign.mock.calls.at(-1)![0] as string);
      nonce = auth.searchParams.get('nonce')!;
      const callback = new URL(REDIRECT_URI);
      for (const [k, v] of Object.entries({ ...answer, state: auth.searchParams.get('state')!, iss: ISSUER })) callback.searchParams.set(k, v);
      window.history.replaceState(null, '', callback.href);
      assign.mockClear();
    },
  };
}

/** Resolves when the client's state satisfies `test` (now or at a later change). */
export function until(client: PkceClient, test: (s: AuthState) => boolean): Promise<AuthState> {
  return new Promise((resolve) => {
    if (test(client.getState())) return resolve(client.getState());
    const off = client.subscribe((s) => {
      if (!test(s)) return;
      off();
      resolve(s);
    });
  });
}

/** Observes client.subscribe (it still subscribes): how many listeners are attached now. */
export function countListeners(client: PkceClient): () => number {
  let active = 0;
  const subscribe = client.subscribe.bind(client);
  vi.spyOn(client, 'subscribe').mockImplementation((listener) => {
    const off = subscribe(listener);
    active++;
    return () => {
      active--;
      off();
    };
  });
  return () => active;
}
