/**
 * The login transaction: what the callback needs to finish a login that this tab started. It lives in sessionStorage
 * only from the authorization request until the callback is handled (success or failure). It is keyed by issuer and
 * client id, so two clients of two providers on one page never finish each other's logins (RFC 9700 §4.4, mix-up).
 */
import { AuthError, invalidOption } from './errors.js';
import { sessionStore } from './env.js';
import { readJson, removeItem } from './storage/session-storage.js';

export interface Transaction {
  /** The issuer the authorization request went to; only its token endpoint may get the code. */
  issuer: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** `max_age` sent with the request, checked against the ID token's `auth_time`. */
  maxAge?: number | undefined;
  appState?: unknown;
  /** With DPoP, popup and iframe logins only: the new session's key pair (redirect logins keep it in IndexedDB). */
  dpopKey?: CryptoKeyPair | undefined;
}

/** Who a transaction belongs to: one issuer + client id. */
export interface TransactionOwner {
  issuer: string;
  clientId: string;
}

const key = (owner: TransactionOwner): string => `pkce-spa:tx:${owner.issuer} ${owner.clientId}`;

/** The stored transaction, or undefined when there is none, it is corrupt or the browser refuses sessionStorage. */
function read(owner: TransactionOwner): Transaction | undefined {
  const tx = readJson<Transaction>(key(owner));
  return typeof tx?.state === 'string' && typeof tx.codeVerifier === 'string' && tx.issuer === owner.issuer
    ? tx
    : undefined;
}

/**
 * Stores the transaction, replacing an unfinished one (a new login supersedes an abandoned one).
 * @throws {AuthError} `invalid_options` when `appState` cannot be stored as JSON; `storage_unavailable` when the
 *   browser refuses sessionStorage (a redirect could not keep its PKCE verifier, so fail before leaving the page).
 */
export function saveTransaction(owner: TransactionOwner, tx: Transaction): void {
  let json: string;
  try {
    json = JSON.stringify(tx);
  } catch (cause) {
    throw invalidOption('appState', `must be JSON-serialisable (${cause instanceof Error ? cause.message : cause})`);
  }
  try {
    sessionStore()!.setItem(key(owner), json);
  } catch (cause) {
    throw new AuthError(
      'storage_unavailable',
      'sessionStorage is unavailable (sandboxed frame, privacy mode or full), so a redirect login cannot keep its ' +
        'PKCE verifier; use loginWithPopup()',
      { cause },
    );
  }
}

/** The pending transaction without removing it (to hand its `appState` back when the callback fails). */
export function peekTransaction(owner: TransactionOwner): Transaction | undefined {
  return read(owner);
}

/** The state of the pending transaction, if there is one (to tell a callback URL from a stray one). */
export function pendingState(owner: TransactionOwner): string | undefined {
  return read(owner)?.state;
}

/**
 * Removes and returns the pending transaction, which must match `state`. The transaction is removed even when the
 * state does not match: a callback with a foreign state means the flow is compromised or abandoned.
 * @throws {AuthError} `state_mismatch` when there is no pending transaction or its state differs.
 */
export function takeTransaction(owner: TransactionOwner, state: string | null): Transaction {
  const tx = read(owner);
  removeItem(key(owner));
  if (!tx) {
    throw new AuthError(
      'state_mismatch',
      'No login is pending in this tab: the callback was already handled, opened in another tab, or its state was ' +
        'altered. Start a new login.',
    );
  }
  if (state === null || state !== tx.state) {
    throw new AuthError(
      'state_mismatch',
      'The callback "state" does not match the login started in this tab; the response was discarded. ' +
        'Start a new login.',
    );
  }
  return tx;
}

/**
 * Checks that the callback arrived at the redirect URI its authorization request named (origin and path), so a
 * response meant for another client or provider on this page is not exchanged here (RFC 9700 §4.4).
 * @throws {AuthError} `redirect_uri_mismatch`.
 */
export function checkCallbackUrl(tx: Transaction, callbackUrl: string): void {
  const at = new URL(callbackUrl);
  const expected = new URL(tx.redirectUri);
  if (at.origin !== expected.origin || at.pathname !== expected.pathname) {
    throw new AuthError(
      'redirect_uri_mismatch',
      `The callback arrived at ${at.origin}${at.pathname}, but its login was sent to return to ${tx.redirectUri}; ` +
        'the response was discarded. Give each provider its own redirect URI and handle each callback with that ' +
        "provider's client.",
    );
  }
}
