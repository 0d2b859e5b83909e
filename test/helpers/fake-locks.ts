/**
 * The one fake Web Locks manager, for happy-dom (which has none). Real Web Locks are exercised in Chromium by
 * e2e/tabs.spec.ts and e2e/persistence.spec.ts.
 */

interface Held {
  name: string;
  mode: LockMode;
  clientId: string;
}

/**
 * A Web Locks manager with the spec's queueing (per name, FIFO; shared locks share, exclusive waits for everything
 * before it) and `query()`. Each request gets its own clientId, as a request from its own tab would.
 */
export function installFakeLocks(): { uninstall: () => void } {
  const held: Held[] = [];
  const queue: (Held & { run: () => void })[] = [];
  let ids = 0;
  const conflicts = (a: { name: string; mode: LockMode }, b: { name: string; mode: LockMode }) =>
    a.name === b.name && (a.mode === 'exclusive' || b.mode === 'exclusive');
  const pump = () => {
    for (let i = 0; i < queue.length; i++) {
      const r = queue[i]!;
      if (held.some((h) => conflicts(h, r)) || queue.slice(0, i).some((q) => conflicts(q, r))) continue;
      queue.splice(i--, 1);
      r.run();
    }
  };
  const locks = {
    request(name: string, a: unknown, b?: unknown): Promise<unknown> {
      const options = (typeof a === 'function' ? {} : a) as LockOptions;
      const callback = (typeof a === 'function' ? a : b) as (lock: Lock) => unknown;
      return new Promise((resolve, reject) => {
        const entry = { name, mode: options.mode ?? 'exclusive', clientId: `client-${++ids}` };
        queue.push({
          ...entry,
          run: () => {
            held.push(entry);
            // As in the spec: the lock is released when the callback's promise settles, then the request settles.
            Promise.resolve()
              .then(() => callback({ name, mode: entry.mode }))
              .finally(() => {
                held.splice(held.indexOf(entry), 1);
                pump();
              })
              .then(resolve, reject);
          },
        });
        pump();
      });
    },
    async query() {
      return {
        held: held.map((h) => ({ ...h })),
        pending: queue.map(({ name, mode, clientId }) => ({ name, mode, clientId })),
      };
    },
  };
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
  return { uninstall: () => delete (navigator as { locks?: unknown }).locks };
}
