/**
 * What the provider publishes to everyone, cached in sessionStorage per issuer for an hour so a page load pays no
 * round trip: its metadata (discovery) and its signing keys (JWKS). Never a token. Nothing here is trusted more than
 * the network: the metadata must name the issuer we asked for, and an unknown key id fetches the JWKS again.
 */
import { nowSeconds } from '../env.js';
import { readJson, writeJson } from './session-storage.js';

/** How long a cached document is used, in seconds. */
const MAX_AGE_SECONDS = 3600;

interface Entry<T> {
  /** When it was fetched (epoch seconds). */
  at: number;
  value: T;
}

const metadataKey = (issuer: string): string => `pkce-spa:metadata:${issuer}`;
const jwksKey = (issuerUrl: URL): string => `pkce-spa:jwks:${issuerUrl.href}`;

function fresh<T>(key: string): T | undefined {
  const entry = readJson<Entry<T>>(key);
  return entry && nowSeconds() - entry.at < MAX_AGE_SECONDS ? entry.value : undefined;
}

/** Keeps `value`; storage full or refused only costs the next page a request. */
function keep(key: string, value: unknown): void {
  writeJson(key, { at: nowSeconds(), value });
}

/**
 * The cached metadata of `issuer` (the option as written) when it is younger than an hour and names `issuerUrl`
 * exactly as its issuer; otherwise undefined.
 */
export function cachedMetadata<T extends { issuer: string }>(issuer: string, issuerUrl: URL): T | undefined {
  const metadata = fresh<T>(metadataKey(issuer));
  return metadata && URL.canParse(metadata.issuer) && new URL(metadata.issuer).href === issuerUrl.href
    ? metadata
    : undefined;
}

export const saveMetadata = (issuer: string, metadata: { issuer: string }): void => keep(metadataKey(issuer), metadata);

/** The cached JWKS of the issuer when it is younger than an hour. */
export const cachedJwks = <T>(issuerUrl: URL): T | undefined => fresh<T>(jwksKey(issuerUrl));

export const saveJwks = (issuerUrl: URL, jwks: unknown): void => keep(jwksKey(issuerUrl), jwks);
