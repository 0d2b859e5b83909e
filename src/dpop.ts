/**
 * DPoP (RFC 9449): the proof signer behind the `dpop` option. The only module besides oauth.ts that imports
 * oauth4webapi, and only its DPoP exports: an app reaches this code only by importing `dpop` and passing it as the
 * option, so apps without DPoP do not ship it (a lazy `import()` would not help: a bundler keeps all of a package's
 * used code in the chunk that first imports that package, which is the core's; measured in docs/dpop.md).
 *
 * One key pair per session: ES256, private key non-extractable (script can sign with it but cannot read it out, so a
 * copied refresh token or access token is useless elsewhere). The key travels with the session: in the IndexedDB
 * record (`cache: 'indexeddb'`) and over the tabs' BroadcastChannel, both as a structured-cloned `CryptoKey`.
 */
import * as oauth from 'oauth4webapi';
import type { UseStore } from 'idb-keyval';
import { AuthError } from './errors.js';

/** One handle per key pair: it remembers the servers' `DPoP-Nonce` per origin (RFC 9449 §8, §9). */
const handles = new WeakMap<CryptoKeyPair, oauth.DPoPHandle>();

function handle(key: CryptoKeyPair): oauth.DPoPHandle {
  let dpopHandle = handles.get(key);
  if (!dpopHandle) {
    dpopHandle = oauth.DPoP({}, key);
    handles.set(key, dpopHandle);
  }
  return dpopHandle;
}

/**
 * Sends `request` to a protected resource with `Authorization: DPoP <token>` and a proof bound to the token (`ath`),
 * the method and the URL; remembers the resource server's `DPoP-Nonce` for the next proof to that origin.
 * @returns the response, whatever its status (challenges are the caller's business).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 */
async function sendWithProof(
  key: CryptoKeyPair,
  accessToken: string,
  request: Request,
  send: (r: Request) => Promise<Response>,
): Promise<Response> {
  // Through oauth4webapi's public protectedResourceRequest, not the DPoP handle's undocumented addProof/cacheNonce
  // (255 bytes gzip smaller, but a minor release of oauth4webapi could rename them under the app's feet).
  try {
    return await oauth.protectedResourceRequest(
      accessToken,
      request.method,
      new URL(request.url),
      undefined,
      undefined,
      {
        DPoP: handle(key),
        // The request is the app's own (and apiOrigins allowed its origin): plain http is its choice, as with fetch.
        [oauth.allowInsecureRequests]: true,
        // oauth4webapi builds the proof and the Authorization header; the app's request (body, credentials, signal,
        // redirect mode) is sent as it is, with those two headers added.
        [oauth.customFetch]: (_url: string, init: { headers: Record<string, string> }) => {
          const headers = new Headers(request.headers);
          headers.set('authorization', init.headers.authorization!);
          headers.set('dpop', init.headers.dpop!);
          return send(new Request(request, { headers }));
        },
      } as oauth.ProtectedResourceRequestOptions,
    );
  } catch (e) {
    // oauth4webapi rejects any response that carries WWW-Authenticate; fetchWithAuth reads the challenge itself.
    if (e instanceof oauth.WWWAuthenticateChallengeError) return e.response;
    throw e;
  }
}

/**
 * The type of the `dpop` option: the {@link dpop} export itself. Its working parts are the SDK's own (not part of the
 * public API); an app only passes the object on.
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export interface DPoPSupport {
  /** The algorithm of the session's key pair and proofs. */
  readonly alg: 'ES256';
  /** @internal A new key pair; the private key cannot be exported. */
  createKey(): Promise<CryptoKeyPair>;
  /** @internal The oauth4webapi handle that signs proofs with `key` (one per key, so nonces are kept per origin). */
  handle(key: CryptoKeyPair): oauth.DPoPHandle;
  /** @internal The key's JWK SHA-256 thumbprint, the `dpop_jkt` authorization request parameter (RFC 9449 §10). */
  thumbprint(key: CryptoKeyPair): Promise<string>;
  /** @internal Runs a token request, once more after `use_dpop_nonce` (RFC 9449 §8). */
  nonceRetry<T>(request: () => Promise<T>): Promise<T>;
  /** @internal Sends a request to a protected resource with a DPoP-bound token and its proof (RFC 9449 §7). */
  sendWithProof(
    key: CryptoKeyPair,
    accessToken: string,
    request: Request,
    send: (r: Request) => Promise<Response>,
  ): Promise<Response>;
  /** @internal Keeps a redirect login's key until its callback. */
  savePendingKey(state: string, key: CryptoKeyPair, store?: UseStore): Promise<void>;
  /** @internal Removes and returns a redirect login's key. */
  takePendingKey(state: string, store?: UseStore): Promise<CryptoKeyPair | undefined>;
}

/**
 * Sender-constrained tokens (DPoP, RFC 9449): pass this object as the `dpop` option,
 * `createPkceClient({ ..., dpop })`. Apps that do not import it do not ship the proof signer.
 */
export const dpop: DPoPSupport = {
  alg: 'ES256',
  /** A new ES256 key pair; the private key cannot be exported. */
  createKey: (): Promise<CryptoKeyPair> => oauth.generateKeyPair('ES256'),
  /** The oauth4webapi handle that signs proofs with `key` (one per key, so nonces are kept per origin). */
  handle,
  /** The key's JWK SHA-256 thumbprint, the `dpop_jkt` authorization request parameter (RFC 9449 §10). */
  thumbprint: (key: CryptoKeyPair): Promise<string> => handle(key).calculateThumbprint(),
  /**
   * Runs a token request, and once more when the server answers `use_dpop_nonce` (RFC 9449 §8): the handle has kept
   * the nonce it sent. Never a second retry.
   */
  nonceRetry: async <T>(request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (e) {
      if (oauth.isDPoPNonceError(e)) return request();
      throw e;
    }
  },
  /** Sends a request to a protected resource with the DPoP-bound access token and a proof for it (RFC 9449 §7). */
  sendWithProof,
  /**
   * Keeps a redirect login's key until its callback (see storage/pending-key.ts); `store` is for tests.
   * @throws {AuthError} `storage_unavailable` when IndexedDB refuses (a popup login needs no storage).
   */
  savePendingKey: async (state: string, key: CryptoKeyPair, store?: UseStore): Promise<void> => {
    try {
      await (await import('./storage/pending-key.js')).savePendingKey(state, key, store);
    } catch (cause) {
      throw new AuthError(
        'storage_unavailable',
        'IndexedDB is unavailable, so a redirect login cannot keep its DPoP key; use loginWithPopup()',
        { cause },
      );
    }
  },
  /** Removes and returns a redirect login's key; undefined when there is none or IndexedDB refuses. */
  takePendingKey: (state: string, store?: UseStore): Promise<CryptoKeyPair | undefined> =>
    import('./storage/pending-key.js').then((m) => m.takePendingKey(state, store)).catch(() => undefined),
};
