/** The one wait helper: an event from the client, never a sleep or a poll. */
import type { AuthState, PkceClient } from '../../src/index.js';

/** Resolves with the client's state once it satisfies `test` (now or at a later change). */
export function waitForState(client: PkceClient, test: (s: AuthState) => boolean): Promise<AuthState> {
  return new Promise((resolve) => {
    if (test(client.getState())) return resolve(client.getState());
    const off = client.subscribe((s) => {
      if (!test(s)) return;
      off();
      resolve(s);
    });
  });
}
