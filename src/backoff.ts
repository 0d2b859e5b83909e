/**
 * Renewal backoff, shared by the tabs of one session: when the token endpoint fails (offline, 5xx, 429), the next
 * attempt waits, and every tab waits for the same deadline instead of trying on its own.
 *
 * - Delay after the k-th failure in a row: min(30 s, 1 s × 2^(k−1)), times a random factor from 0.5 to 1 (jitter, so
 *   that the tabs of many users who went offline together do not come back in step). A 429 or 503 answer's
 *   `Retry-After` (RFC 9110 §10.2.3) is honoured when it asks for longer, up to 5 minutes. The first attempt after a
 *   pause may be sent; a success ends the backoff.
 * - Shared: the tab whose renewal failed holds a shared Web Lock named after the deadline (`…!<retryAt>!<failures>!
 *   <code>`) until the deadline passes. Renewals run one at a time inside the session's exclusive lock (tabs.ts), and a
 *   tab that gets that lock reads the held names with `navigator.locks.query()` before it sends anything. The lock
 *   manager is one queue per origin, so the deadline is visible to the next lock holder, unlike a BroadcastChannel
 *   message, whose order against a lock grant is not guaranteed. Any same-origin page can take such a lock too, so a
 *   deadline is believed only up to 5 minutes ahead.
 * - `online` ends a pause caused by the network (the cause is gone); a server's `Retry-After` still stands.
 * - `forceRefresh` (an app that knows its token was rejected) skips the exponential pause, never a `Retry-After`.
 * Without Web Locks, each tab keeps its own backoff.
 */
import { AuthError } from './errors.js';
import { setTimer } from './env.js';

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** The longest pause any source may impose: a `Retry-After`, or a deadline found in a lock name. */
export const RETRY_AFTER_MAX_MS = 300_000;

const locks = (): LockManager | undefined =>
  typeof navigator === 'undefined' ? undefined : (navigator.locks ?? undefined);
const NETWORK_CODES = ['network_error', 'timeout'];

export class Backoff {
  /** Failed renewals in a row. */
  failures = 0;
  /** Epoch milliseconds before which no renewal is sent; 0 for none. */
  retryAt = 0;
  #code = '';
  #message = '';
  /** Whether the current pause is the server's `Retry-After` (which `online` and `forceRefresh` do not end). */
  #serverSaid = false;
  /** A `Retry-After` seen on the response to the current attempt, in milliseconds. */
  #retryAfterMs = 0;
  #release: (() => void) | undefined;

  /** @param name the lock name prefix of this session (issuer + client id). */
  constructor(readonly name: string) {}

  /** Notes a 429 or 503 answer's `Retry-After`: seconds, or an HTTP date read against the response's own `Date`. */
  observe(response: Response): void {
    const header = response.headers.get('retry-after');
    if ((response.status !== 429 && response.status !== 503) || !header) return;
    const now = Date.parse(response.headers.get('date') ?? '') || Date.now();
    const ms = /^\d+$/.test(header.trim()) ? +header * 1000 : Date.parse(header) - now;
    if (ms > 0) this.#retryAfterMs = Math.min(ms, RETRY_AFTER_MAX_MS);
  }

  /** Milliseconds until a renewal may be sent (0: now). With `force`, only a server's `Retry-After` counts. */
  pauseMs(force = false): number {
    const ms = this.retryAt - Date.now();
    // A deadline further away than any source may set: the wall clock was set back; do not wait for it.
    return ms > 0 && ms <= RETRY_AFTER_MAX_MS && (!force || this.#serverSaid) ? ms : 0;
  }

  /**
   * Inside the session's lock, before a renewal is sent: takes the other tabs' deadline, then fails fast while a pause
   * lasts.
   * @throws {AuthError} with the code of the failure that started the pause (`network_error`,
   *   `temporarily_unavailable`, ...), saying when renewal resumes.
   */
  async before(force: boolean): Promise<void> {
    this.#retryAfterMs = 0;
    for (const lock of (await locks()?.query())?.held ?? []) {
      const [prefix, at, failures, code] = lock.name?.split('!') ?? [];
      if (prefix !== this.name || !(+at! > this.retryAt) || +at! > Date.now() + RETRY_AFTER_MAX_MS) continue;
      this.retryAt = +at!;
      this.failures = Math.max(this.failures, Math.min(+failures! || 0, 32));
      this.#code = decodeURIComponent(code ?? '') || 'temporarily_unavailable';
      this.#message = 'a renewal in another tab failed';
      this.#serverSaid = false;
    }
    const ms = this.pauseMs(force);
    if (ms) {
      throw new AuthError(
        this.#code,
        `Token renewal is paused for ${Math.ceil(ms / 1000)} s after ${this.failures} failed attempt(s) ` +
          `(last: ${this.#message}); getAccessToken() returns a still-valid token meanwhile`,
      );
    }
  }

  /**
   * After a failed renewal: sets the next deadline and shows it to the other tabs before the session's lock is
   * released.
   */
  failed(error: AuthError): Promise<void> {
    this.failures += 1;
    const exponential =
      Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.failures - 1)) * (0.5 + Math.random() / 2);
    const ms = Math.max(exponential, this.#retryAfterMs);
    this.#serverSaid = this.#retryAfterMs >= exponential;
    this.retryAt = Math.ceil(Date.now() + ms); // whole milliseconds, as in the lock name
    this.#code = error.code;
    this.#message = error.message;
    return this.#share(ms);
  }

  /** After a renewal that worked: no more pause, here or in any tab. */
  succeeded(): void {
    this.failures = 0;
    this.retryAt = 0;
    this.#share(0);
  }

  /** The browser is back online: a pause caused by the network ends (not a server's `Retry-After`). */
  online(): void {
    if (NETWORK_CODES.includes(this.#code) && !this.#serverSaid) {
      this.retryAt = 0;
      this.#share(0);
    }
  }

  /** Holds the lock that carries the deadline until it passes (none for 0), letting go of the previous one. */
  #share(ms: number): Promise<void> {
    this.#release?.();
    this.#release = undefined;
    const manager = locks();
    if (!ms || !manager) return Promise.resolve();
    const name = `${this.name}!${this.retryAt}!${this.failures}!${encodeURIComponent(this.#code)}`;
    return new Promise<void>((granted) => {
      manager
        .request(
          name,
          { mode: 'shared' },
          () =>
            new Promise<void>((release) => {
              this.#release = release;
              setTimer(release, ms);
              granted();
            }),
        )
        .catch(() => granted());
    });
  }
}
