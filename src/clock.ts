/**
 * Time for expiry decisions, and the provider's clock for the timestamps it signs.
 *
 * Access tokens. `expires_in` is a duration (RFC 6749 §5.1), counted on this device from the moment the response
 * arrived. A device clock that is off by a constant amount (5 minutes fast or slow) therefore changes nothing: the
 * token's `expiresAt` and "now" are read from the same clock. Converting to the provider's clock would only add the
 * estimate's own error (the `Date` header has whole seconds). What a device clock can still get wrong is a *change*
 * while a token is held, which {@link secondsLeft} covers:
 * - set back (by the user or NTP): the wall clock alone would make the token look younger than it is. Each tab also
 *   notes, when it first judges a token, the token's deadline on the monotonic clock (`performance.now()`, which
 *   nobody can set back), and the token expires at whichever deadline comes first.
 * - set forward, or the machine slept: real time passed (the monotonic clock may stop during sleep, the wall clock
 *   does not), so the wall clock's earlier deadline wins and the next call renews, once.
 *
 * The provider's clock. Its offset from this device is estimated from the `Date` header of the provider's responses
 * (readable from another origin only when the provider lists `Date` in `Access-Control-Expose-Headers`) and otherwise
 * from the `iat` of each newly issued ID token (OpenID Connect Core §12.2: a refreshed ID token's `iat` is the time it
 * was issued). oauth4webapi gets it as `clockSkew`, so an ID token's `exp`, `nbf` and `auth_time` are checked on the
 * provider's clock: a device that is 5 minutes fast still accepts ID tokens that live 5 minutes. A `Retry-After`
 * date is read against the same response's `Date` (see backoff.ts).
 */
import { monotonicSeconds, nowSeconds } from './env.js';
import type { AccessToken } from './session.js';

/** The largest offset believed: beyond a day, the clock or the header is broken, and no skew is applied. */
const MAX_OFFSET_SECONDS = 86_400;
/** A new estimate replaces the current one only when it differs by more (both sources have whole seconds). */
const NOISE_SECONDS = 2;

/** Per tab: each token's deadline on the monotonic clock, noted when the tab first judged it. */
const monotonicDeadlines = new WeakMap<AccessToken, number>();

/**
 * Seconds until `token` expires on this device, by the earlier of the wall-clock and the monotonic deadline;
 * Infinity when the provider gave no lifetime.
 */
export function secondsLeft(token: AccessToken, wall = nowSeconds(), mono = monotonicSeconds()): number {
  if (token.expiresAt === undefined) return Infinity;
  const byWall = token.expiresAt - wall;
  let deadline = monotonicDeadlines.get(token);
  if (deadline === undefined) monotonicDeadlines.set(token, (deadline = mono + byWall));
  return Math.min(byWall, deadline - mono);
}

/**
 * Notes the monotonic deadline of every token of a session this tab just made or received, before the wall clock can
 * move (a token first judged after a jump would take the jump in).
 */
export function noteDeadlines(tokens: Iterable<AccessToken>): void {
  for (const token of tokens) secondsLeft(token);
}

/** The provider's clock, as an offset from this device's wall clock. */
export class ProviderClock {
  /** Provider clock − device clock, in seconds; 0 until a response says otherwise. */
  offsetSeconds = 0;
  /** Whether a `Date` header was readable: then ID tokens' `iat` (less direct) is not needed. */
  #hasDate = false;
  /** The last exchange with the provider: when the request left and its answer arrived (device seconds). */
  #sentAt = 0;
  #receivedAt = 0;

  /** Notes a response of the provider and when its request was sent (device seconds). */
  observe(response: Response, sentAt: number, receivedAt = nowSeconds()): void {
    this.#sentAt = sentAt;
    this.#receivedAt = receivedAt;
    const date = Date.parse(response.headers.get('date') ?? '');
    // The header has whole seconds, truncated: the provider's time was half a second later on average.
    if (!Number.isNaN(date) && this.#estimate(date / 1000 + 0.5)) this.#hasDate = true;
  }

  /**
   * Notes the `iat` of an ID token that the last exchange produced (it must be new: a provider that hands back an
   * earlier ID token would otherwise look like a slow clock).
   */
  observeIssuedAt(iat: unknown): void {
    if (!this.#hasDate && typeof iat === 'number') this.#estimate(iat + 0.5);
  }

  /** The provider's time `providerSeconds` was read between the last request and its answer. */
  #estimate(providerSeconds: number): boolean {
    const offset = providerSeconds - (this.#sentAt + this.#receivedAt) / 2;
    if (!(Math.abs(offset) <= MAX_OFFSET_SECONDS)) return false;
    if (Math.abs(offset - this.offsetSeconds) > NOISE_SECONDS) this.offsetSeconds = offset;
    return true;
  }
}
