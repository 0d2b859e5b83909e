import type { AuthError } from './errors.js';
import type { User } from './session.js';

/** What an app renders from: `loading` until the client knows whether someone is signed in. */
export interface AuthState<T extends object = User> {
  /** `loading` until the client knows; then whether someone is signed in. */
  status: 'loading' | 'authenticated' | 'unauthenticated';
  /**
   * The signed-in user's profile claims (when `authenticated`); `T` types custom claims (see `useAuth<T>()`,
   * `getUser<T>()`).
   */
  user?: T;
  /**
   * Why start-up, the last login or callback failed, or why the session ended (`invalid_grant`); gone after a sign-in.
   */
  error?: AuthError;
  /**
   * Something degraded but the client works: `storage_unavailable` (stays in every later state), or after a logout
   * `revocation_failed` / `provider_session_active` (until the next interactive login).
   */
  warning?: AuthError;
}

/** A function {@link PkceClient.subscribe} calls with each new {@link AuthState}. */
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
    // A state without the key keeps the warning; `warning: undefined` clears it.
    const warning = 'warning' in next ? next.warning : prev.warning;
    if (prev.status === next.status && prev.user === next.user && prev.error === next.error && prev.warning === warning)
      return;
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
