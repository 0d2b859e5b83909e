/** For the React and Vue adapter tests: how many client subscriptions are live. */
import { vi } from 'vitest';
import type { PkceClient } from '../../src/index.js';

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
