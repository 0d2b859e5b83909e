/**
 * The signing key of the test stand-ins for a provider (fake-fetch.ts and scripted-op.ts): one RS256 key pair per test
 * process, its public half served as the JWKS. The SDK verifies ID-token signatures, so the stand-ins sign like a real
 * provider does; `forge` options make the hostile variants (no signature, another key, HS256 with the public key).
 */
import { createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** A second key the provider never published: signatures with it must be refused. */
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

export const KID = 'test-key-1';

/** The provider's JWKS (its public key). */
export function jwks(): { keys: Record<string, unknown>[] } {
  return { keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] };
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface Forgery {
  /** `none`: `alg: none` and no signature; `stranger`: signed with a key not in the JWKS; `hs256`: HMAC keyed with the public key's PEM. */
  forge?: 'none' | 'stranger' | 'hs256' | 'garbage';
  /** Header fields to add or replace (e.g. another `kid`). */
  header?: Record<string, unknown>;
}

/** The JWKS after a key rotation: the provider's key and the one that was a stranger (kid `rotated-key`). */
export function rotatedJwks(): { keys: Record<string, unknown>[] } {
  return {
    keys: [
      ...jwks().keys,
      { ...stranger.publicKey.export({ format: 'jwk' }), kid: 'rotated-key', alg: 'RS256', use: 'sig' },
    ],
  };
}

/** A compact JWS over `payload`, signed with the provider's key unless `forge` says otherwise. */
export function signJwt(payload: Record<string, unknown>, options: Forgery = {}): string {
  const { forge, header = {} } = options;
  if (forge === 'none') return `${b64url({ alg: 'none', typ: 'JWT', ...header })}.${b64url(payload)}.`;
  const alg = forge === 'hs256' ? 'HS256' : 'RS256';
  const input = `${b64url({ alg, typ: 'JWT', kid: KID, ...header })}.${b64url(payload)}`;
  let signature: Buffer;
  if (forge === 'hs256')
    signature = createHmac('sha256', pair.publicKey.export({ format: 'pem', type: 'spki' }))
      .update(input)
      .digest();
  else if (forge === 'garbage') signature = Buffer.from('not a signature');
  else signature = sign('sha256', Buffer.from(input), forge === 'stranger' ? stranger.privateKey : pair.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** The private key as PEM (for a stand-in that must sign elsewhere). */
export function privateKey(): KeyObject {
  return createPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
}
