/**
 * The login transaction: what the callback needs to finish a login that this tab started. It lives in sessionStorage
 * only from the authorization request until the callback is handled (success or failure).
 */
import { AuthError, invalidOption } from './errors.js';
import { sessionStore } from './env.js';

export interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  appState?: unknown;
  /** With DPoP, popup and iframe logins only: the new session's key pair (redirect logins keep it in IndexedDB). */
  dpopKey?: CryptoKeyPair | undefined;
}

const key = (clientId: string): string => `pkce-spa:tx:${clientId}`;

/** The stored transaction, or undefined when there is none, it is corrupt or the browser refuses sessionStorage. */
function read(clientId: string): Transaction | undefined {
  try {
    // No entry is null, and JSON.parse(null) is null.
    const tx = JSON.parse(sessionStore()?.getItem(key(clientId))!) as Transaction | null;
    return typeof tx?.state === 'string' && typeof tx.codeVerifier === 'string' ? tx : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores the transaction for `clientId`, replacing an unfinished one (a new login supersedes an abandoned one).
 * @throws {AuthError} `invalid_options` when `appState` cannot be stored as JSON; `storage_unavailable` when the
 *   browser refuses sessionStorage (a redirect could not keep its PKCE verifier, so fail before leaving the page).
 */
export function saveTransaction(clientId: string, tx: Transaction): void {
  let json: string;
  try {
    json = JSON.stringify(tx);
  } catch (cause) {
    throw invalidOption('appState', `must be JSON-serialisable (${cause instanceof Error ? cause.message : cause})`);
  }
  try {
    sessionStore()!.setItem(key(clientId), json);
  } catch (cause) {
    throw new AuthError('storage_unavailable', 'sessionStorage is unavailable (sandboxed frame, privacy mode or full), so a redirect login cannot keep its PKCE verifier; use loginWithPopup()', { cause });
  }
}

/** The state of the pending transaction, if there is one (to tell a callback URL from a stray one). */
export function pendingState(clientId: string): string | undefined {
  return read(clientId)?.state;
}

/**
 * Removes and returns the pending transaction, which must match `state`. The transaction is removed even when the
 * state does not match: a callback with a foreign state means the flow is compromised or abandoned.
 * @throws {AuthError} `state_mismatch` when there is no pending transaction or its state differs.
 */
export function takeTransaction(clientId: string, state: string | null): Transaction {
  const tx = read(clientId);
  try {
    sessionStore()?.removeItem(key(clientId));
  } catch {
    // Nothing was stored where nothing can be read.
  }
  if (!tx) {
    throw new AuthError('state_mismatch', 'No login is pending in this tab: the callback was already handled, opened in another tab, or its state was altered. Start a new login.');
  }
  if (state === null || state !== tx.state) {
    throw new AuthError('state_mismatch', 'The callback "state" does not match the login started in this tab; the response was discarded. Start a new login.');
  }
  return tx;
}
