/**
 * Tabs of one origin that share one session (per issuer + client id): the cross-tab half of renewal.
 *
 * Design. Every session carries a version `n` (milliseconds since the epoch when it was made, at least the previous
 * version + 1, so newer is larger). A renewal runs inside one exclusive Web Lock per issuer + client. After taking
 * the lock, a tab makes sure its session is the newest before it spends the refresh token ("check, lock, check
 * again"), reading from sources that are consistent across tabs:
 * - Web Locks themselves. Each signed-in tab holds a *shared* lock named after its version (`…#<n>`); the tab that
 *   renews takes the lock of the new version before it releases the renewal lock. The lock manager is one queue per
 *   origin, so a tab that gets the renewal lock next and then calls `navigator.locks.query()` sees that newer version
 *   held. If it has not yet received it, it asks the channel and waits for a live tab to answer; it never spends a
 *   refresh token older than a version some live tab holds (no answer within timeoutMs: AuthError `timeout`, the
 *   session is kept; with IndexedDB it takes the stored record instead).
 * - With `cache: 'indexeddb'`, the encrypted IndexedDB record, read inside the lock (IndexedDB transactions are
 *   consistent across tabs). The renewing tab writes it before it releases the lock.
 * What is NOT read after taking the lock: localStorage (Chromium serves it from a per-renderer cache that other
 * processes update late, so a lock holder can read a refresh token that was already rotated), and the order of a
 * BroadcastChannel message against a lock grant (not guaranteed either). Messages are only a fast path here: the
 * versions above decide.
 * `cache: 'memory'` therefore persists nothing and is just as safe. We chose this over "one leader tab renews for
 * all" because a leader that is discarded, frozen or crashes takes the only refresh token with it, and every other
 * tab would wait on it; here any live tab can renew. What no design can save: a tab that is killed after the
 * provider rotated the token and before it told anyone (the same as a crash in a single tab).
 *
 * The BroadcastChannel carries `{ n, s, m }`: session `s` with version `n` and the provider metadata `m` (after a login
 * or a renewal, and as the answer to a hello), or with no `s` "every session up to version `n` ended" (logout, or a
 * refresh token the server rejected); and `{ h: 1 }`, hello: "who has a session?" (a new tab, or a lock holder that is
 * behind). Access tokens travel only over this same-origin channel; nothing goes to localStorage, cookies or URLs.
 *
 * Cost: a signed-in tab holds one shared Web Lock for as long as it is open (released on `pagehide`); `countTabs()`
 * counts those holders.
 *
 * Without Web Locks (old browsers, insecure contexts): renewals are serialized only within the tab, a new tab does not
 * look for a signed-in sibling, and with `cache: 'indexeddb'` the record is still re-read right before each renewal.
 * Without BroadcastChannel, tabs simply do not hear from each other.
 */
import { AuthError } from './errors.js';
import { browserWindow, clearTimer, setTimer } from './env.js';
import type { Metadata } from './oauth.js';
import type { ResolvedOptions } from './options.js';
import type { Session } from './token-store.js';

/** What the client lends this module: its session, a way to replace it, and where to report a degraded store. */
export interface TabHost {
  session(): Session | undefined;
  /** A session (or none) from another tab or from storage, with the provider metadata when a tab sent it. */
  adopt(session: Session | undefined, metadata?: Metadata): void;
  warn(warning: AuthError): void;
}

interface Message {
  h?: 1;
  n?: number;
  s?: Session | undefined;
  m?: Metadata | undefined;
}

/** How long a new tab waits for a signed-in sibling to answer before it goes on alone. */
const JOIN_MS = 1000;

const locks = (): LockManager | undefined => (typeof navigator === 'undefined' ? undefined : navigator.locks ?? undefined);

export class Tabs {
  /** Version of this tab's session; 0 when there is none. */
  n = 0;
  /** Provider metadata, shared with tabs that join so they need no discovery request. */
  metadata: Metadata | undefined;
  readonly #id: string;
  readonly #name: string;
  #idb: boolean;
  #channel: BroadcastChannel | undefined;
  #release: (() => void) | undefined;
  #saving: Promise<void> | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(readonly o: ResolvedOptions, readonly host: TabHost) {
    this.#id = `${o.issuerUrl.href} ${o.clientId}`;
    this.#name = `pkce-spa:${this.#id}`;
    this.#idb = o.cache === 'indexeddb';
  }

  /** On start-up: listen, and (if `ask`) take the session of a signed-in sibling tab if one answers. */
  async join(ask: boolean): Promise<void> {
    const w = browserWindow();
    if (this.#channel || !w || typeof BroadcastChannel === 'undefined') return;
    const channel = (this.#channel = new BroadcastChannel(this.#name));
    channel.onmessage = ({ data }: MessageEvent<Message>) => this.#receive(data);
    // A page being unloaded or put in the back/forward cache is no longer a tab that can answer.
    w.addEventListener?.('pagehide', () => this.#release?.());
    w.addEventListener?.('pageshow', (e) => e.persisted && this.#hold(this.n));
    const newest = ask && (await this.#newest());
    if (newest) await this.#ask(newest, Math.min(JOIN_MS, this.o.timeoutMs));
  }

  /** After the tab was frozen or in the back/forward cache: takes a newer session that a live tab holds, if any. */
  async rejoin(): Promise<void> {
    const newest = await this.#newest();
    if (newest > this.n) await this.#ask(newest, Math.min(JOIN_MS, this.o.timeoutMs));
  }

  /** With `cache: 'indexeddb'`: adopts the stored session; returns whether there was one. */
  async restore(): Promise<boolean> {
    const found = await this.#load();
    if (found) this.#apply(found.session, found.n);
    return !!found;
  }

  /**
   * Runs a renewal inside the cross-tab lock, after making this tab's session the newest any tab has; the lock is
   * released only when what the renewal committed is stored and announced.
   * @throws {AuthError} `timeout` when a live tab holds a newer session and does not share it in time.
   */
  lock<T>(task: () => Promise<T>): Promise<T> {
    const run = async () => {
      await this.#sync();
      try {
        return await task();
      } finally {
        await this.#saving;
      }
    };
    return (locks()?.request(this.#name, run) as Promise<T> | undefined) ?? run();
  }

  async #sync(): Promise<void> {
    const stored = await this.#load();
    const newest = await this.#newest();
    if (newest > this.n) await this.#ask(newest, this.o.timeoutMs);
    if (stored && stored.n > this.n) this.#apply(stored.session, stored.n);
    else if (newest > this.n) {
      throw new AuthError('timeout', 'Another tab did not share its newer session within timeoutMs; try again.');
    }
  }

  /**
   * Makes `session` this tab's new version (none: the session ended): stores it (`cache: 'indexeddb'`), holds its
   * version lock, then tells the other tabs. Never rejects.
   * @param upTo when ending: end only sessions up to this version (a newer login elsewhere survives).
   */
  publish(session: Session | undefined, upTo = Infinity): Promise<void> {
    const n = (this.n = session ? Math.max(Date.now(), this.n + 1) : 0);
    return (this.#saving = (async () => {
      if (this.#idb) await this.#store((idb) => (session?.refreshToken ? idb.saveSession(this.#id, n, session) : idb.removeSession(this.#id, upTo)));
      if (this.n !== n) return; // a newer session from another tab came in meanwhile
      await this.#hold(n);
      this.#share(session ? n : upTo, session);
    })());
  }

  /** How many open tabs (this one included) share this session. */
  async count(): Promise<number> {
    const held = await this.#held();
    return held ? new Set(held.map((l) => l.clientId)).size : +!!this.n;
  }

  #receive({ h, n = 0, s, m }: Message): void {
    const mine = this.host.session();
    if (h) {
      if (mine) this.#share(this.n, mine);
    } else if (s ? n > this.n : mine && n >= this.n) {
      this.#apply(s, s ? n : 0, m);
    }
    for (const wake of this.#waiters) wake();
  }

  #apply(session: Session | undefined, n: number, metadata?: Metadata): void {
    void this.#hold(n);
    this.host.adopt(session, metadata);
  }

  /** Asks the other tabs for their session and waits until this tab has version `n` or `ms` passed. */
  #ask(n: number, ms: number): Promise<void> {
    this.#post({ h: 1 });
    return new Promise((done) => {
      const stop = () => {
        clearTimer(timer);
        this.#waiters.delete(check);
        done();
      };
      const check = () => this.n >= n && stop();
      const timer = setTimer(stop, ms);
      this.#waiters.add(check);
    });
  }

  /** Holds the shared lock of version `n` (none for 0) and then lets go of the previous one. */
  #hold(n: number): Promise<void> {
    this.n = n;
    const previous = this.#release;
    this.#release = undefined;
    const manager = locks();
    if (!n || !manager) return Promise.resolve(previous?.());
    return new Promise<void>((granted) => {
      manager.request(`${this.#name}#${n}`, { mode: 'shared' }, () => new Promise<void>((release) => {
        granted();
        previous?.();
        if (this.n === n && !this.#release) this.#release = release;
        else release(); // a newer version came in while this one waited
      })).catch(() => granted());
    });
  }

  /** The version locks of this session that tabs hold now; undefined without Web Locks. */
  async #held(): Promise<LockInfo[] | undefined> {
    return (await locks()?.query())?.held?.filter((l) => l.name?.startsWith(`${this.#name}#`));
  }

  /** The newest version a live tab holds; 0 for none. */
  async #newest(): Promise<number> {
    return Math.max(0, ...((await this.#held()) ?? []).map((l) => +l.name!.split('#').pop()!));
  }

  #share(n: number, s: Session | undefined): void {
    this.#post({ n, s, m: this.metadata });
  }

  #post(m: Message): void {
    try {
      this.#channel?.postMessage(m);
    } catch {
      // Not cloneable (custom metadata with functions): the other tabs renew on their own instead.
    }
  }

  /** The stored session (`cache: 'indexeddb'`). */
  #load() {
    return this.#idb ? this.#store((idb) => idb.loadSession(this.#id)) : undefined;
  }

  /**
   * Runs an IndexedDB step; when the browser refuses (private mode, blocked), goes on in memory with a warning. The
   * IndexedDB code is loaded on first use, so apps with `cache: 'memory'` never download it.
   */
  async #store<T>(step: (idb: typeof import('./storage/idb.js')) => Promise<T>): Promise<T | undefined> {
    try {
      return await step(await import('./storage/idb.js'));
    } catch (cause) {
      if (this.#idb) {
        this.#idb = false;
        this.host.warn(new AuthError('storage_unavailable', 'IndexedDB is unavailable; the session is kept in memory only.', { cause }));
      }
      return undefined;
    }
  }
}
