import type { AuthError } from './errors.js';
import type { User } from './token-store.js';

/** What an app renders from: `loading` until the client knows whether someone is signed in. */
export interface AuthState<T extends object = User> {
  status: 'loading' | 'authenticated' | 'unauthenticated';
  /** The signed-in user's profile claims; `T` types custom claims (see `useAuth<T>()`, `getUser<T>()`). */
  user?: T;
  error?: AuthError;
  /** Something degraded but the client works, e.g. `storage_unavailable`; once set, it stays in every later state. */
  warning?: AuthError;
}

export type AuthStateListener = (state: AuthState) => void;

/**
 * A tiny external store. `get()` returns the same object until something changes, which is what React's
 * useSyncExternalStore and Vue's shallowRef need.
 */
export class StateStore {
  #state: AuthState = { status: 'loading' };
  readonly #listeners = new Set<AuthStateListener>();

  get(): AuthState {
    return this.#state;
  }

  set(next: AuthState): void {
    const prev = this.#state;
    const warning = next.warning ?? prev.warning;
    if (prev.status === next.status && prev.user === next.user && prev.error === next.error && prev.warning === warning) return;
    this.#state = Object.freeze(warning ? { ...next, warning } : { ...next });
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#state);
      } catch (e) {
        // One broken listener must not stop the others or the SDK; report it where developers look.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  subscribe(listener: AuthStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
