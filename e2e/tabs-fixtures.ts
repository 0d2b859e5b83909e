/**
 * Helpers for the multi-tab and persistence specs: more tabs (pages of one browser context, so they share the origin's
 * IndexedDB, Web Locks and BroadcastChannel), waiting for a state, and reading the SDK's IndexedDB store raw.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { DemoServers } from '../demo/server.mjs';
import { AppPage, type E2eOptions } from './fixtures.js';

declare module './fixtures.js' {
  interface E2eOptions {
    cache?: 'memory' | 'indexeddb';
  }
}

/** What src/storage/idb.ts stores: the AES key, or an encrypted session record. */
type StoredValue = CryptoKey | { n: number; iv: Uint8Array; data: ArrayBuffer };

export const CACHES = ['memory', 'indexeddb'] as const;

/** Opens one more tab of `context` on the e2e app page, with `options`, and waits until it has settled. */
export async function openTab(context: BrowserContext, demo: DemoServers, options: E2eOptions): Promise<AppPage> {
  const app = new AppPage(await context.newPage(), demo);
  await app.open(options);
  return app;
}

/** Resolves when the page's client reports `status` (an event in the page, not a poll from here). */
export async function waitForStatus(app: AppPage, status: string, timeoutMs = 10_000): Promise<void> {
  await app.page.waitForFunction((s) => window.client?.getState().status === s, status, {
    timeout: timeoutMs,
    polling: 'raf',
  });
}

/** Calls /api/protected with `token` from the page; returns the HTTP status. */
export function callApi(page: Page, token: string): Promise<number> {
  return page.evaluate(
    async (t) => (await fetch('/api/protected', { headers: { authorization: `Bearer ${t}` } })).status,
    token,
  );
}

export interface StoredEntry {
  key: string;
  /** For the AES key entry. */
  cryptoKey?: { extractable: boolean; algorithm: string; usages: string[] };
  /** For a session record: its version, IV length and the ciphertext as latin1 text. */
  record?: { n: number; ivLength: number; data: string };
}

/** Every entry of the SDK's IndexedDB store `pkce-spa` / `sessions`, as seen from `page`; [] when there is none. */
export function readStore(page: Page): Promise<StoredEntry[]> {
  return page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'pkce-spa')) return [];
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('pkce-spa');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const store = db.transaction('sessions').objectStore('sessions');
    const [keys, values] = await Promise.all(
      [store.getAllKeys(), store.getAll()].map(
        (r) => new Promise<unknown[]>((resolve) => (r.onsuccess = () => resolve(r.result))),
      ),
    );
    db.close();
    return keys!.map((key, i) => {
      const v = values![i] as StoredValue;
      if (v instanceof CryptoKey) {
        return {
          key: String(key),
          cryptoKey: { extractable: v.extractable, algorithm: v.algorithm.name, usages: [...v.usages] },
        };
      }
      return {
        key: String(key),
        record: { n: v.n, ivLength: v.iv.length, data: String.fromCharCode(...new Uint8Array(v.data)) },
      };
    });
  });
}

/** Collects every token the provider issues to `page` (access, refresh and ID tokens), as they arrive. */
export function collectIssuedTokens(page: Page, demo: DemoServers): string[] {
  const issued: string[] = [];
  page.on('response', async (r) => {
    if (r.url() === `${demo.issuer}/token` && r.request().method() === 'POST' && r.ok()) {
      const body = await r.json();
      issued.push(...[body.access_token, body.refresh_token, body.id_token].filter(Boolean));
    }
  });
  return issued;
}
