/**
 * Tabs of one origin that share one session (per issuer + client id): the cross-tab half of renewal. The reasoning
 * behind this design (why Web Locks and versions, not localStorage or a leader tab) is in docs/architecture.md. This
 * module decides when the stored record (`cache: 'indexeddb'`) is read and written; storage/persisted-session.ts how.
 *
 * Invariants:
 * - Every session has a version (milliseconds since the epoch when it was made, at least the previous + 1). This
 *   module owns `{ session, version }`; the client reads the session through {@link Tabs.session}.
 * - A renewal runs inside one exclusive Web Lock per issuer + client. Inside it, before spending the refresh token, a
 *   tab makes its session the newest that any live tab holds (shared locks named after versions) or that IndexedDB
 *   stores. It never spends a refresh token older than a version some live tab holds.
 * - The renewing tab stores the new session (`cache: 'indexeddb'`) and holds its version lock before it releases the
 *   renewal lock.
 * - Nothing that arrives over the channel or from storage is trusted: every session is verified by the host
 *   (ID-token signature, issuer, audience, subject) before it is adopted, and the provider metadata never travels.
 * - Messages are a fast path only; versions and locks decide. An `ended` message ends sessions up to its version only,
 *   so a newer login elsewhere survives.
 */
import type { UseStore } from 'idb-keyval';
import { AuthError } from './errors.js';
import { browserWindow, clearTimer, setTimer } from './env.js';
import { debug } from './debug.js';
import type { ResolvedOptions } from './options.js';
import type { Session } from './session.js';
import { persistedSession, type PersistedSession } from './storage/persisted-session.js';

/** What the client lends this module: session checks, state updates, and the store with where to report it degraded. */
export interface TabHost {
  /** The IndexedDB store (storage/idb.ts's own unless given; tests hand in theirs). */
  store?: UseStore;
  /**
   * Checks a session that did not come from this tab's own token requests. Resolves with the session to adopt
   * (rebuilt from its verified ID token) or undefined to refuse it; rejects when it could not check (network).
   * `isLogin`: the sending tab says it comes from a new login (the user may change).
   */
  verify(session: Session, origin: { isLogin: boolean }): Promise<Session | undefined>;
  /** This tab's session changed because of another tab or storage (undefined: it ended). */
  adopted(session: Session | undefined): void;
  warn(warning: AuthError): void;
}

/** The channel protocol. Any same-origin page can post anything; every field is checked on receipt. */
export type TabMessage =
  /** "Who has a session?": a new tab, or a lock holder that is behind. */
  | { type: 'hello' }
  /** A tab's current session, after a login or a renewal, or as the answer to a hello. */
  | { type: 'session'; version: number; session: Session; isLogin: boolean }
  /** Every session up to `upTo` ended (logout, or a refresh token the server rejected). */
  | { type: 'ended'; upTo: number };

/** How long a new tab waits for a signed-in sibling to answer before it goes on alone. */
const JOIN_MS = 1000;

const locks = (): LockManager | undefined =>
  typeof navigator === 'undefined' ? undefined : (navigator.locks ?? undefined);

export class Tabs {
  #session: Session | undefined;
  /** Version of {@link #session}; 0 when there is none. */
  #version = 0;
  /** Sessions up to this version ended: a late-verified message about one of them is ignored. */
  #endedUpTo = 0;
  readonly #id: string;
  readonly #name: string;
  /** The IndexedDB record (`cache: 'indexeddb'`); does nothing with `cache: 'memory'`. */
  readonly #stored: PersistedSession;
  #channel: BroadcastChannel | undefined;
  #releaseVersionLock: (() => void) | undefined;
  #saving: Promise<void> | undefined;
  readonly #waiters = new Set<() => void>();
  readonly #disposers: (() => void)[] = [];
  #closed = false;

  constructor(
    readonly options: ResolvedOptions,
    readonly host: TabHost,
  ) {
    this.#id = `${options.issuerUrl.href} ${options.clientId}`;
    this.#name = `pkce-spa:${this.#id}`;
    this.#stored = persistedSession(options, this.#id, host);
  }

  /** This tab's session, or undefined. */
  get session(): Session | undefined {
    return this.#session;
  }

  /** The version of this tab's session; 0 when there is none. */
  get version(): number {
    return this.#version;
  }

  /** On start-up: listen, and (if `ask`) take the session of a signed-in sibling tab if one answers. */
  async join(ask: boolean): Promise<void> {
    const w = browserWindow();
    if (this.#channel || !w || typeof BroadcastChannel === 'undefined') return;
    const channel = (this.#channel = new BroadcastChannel(this.#name));
    channel.onmessage = ({ data }: MessageEvent<unknown>) => void this.#receive(data);
    // A page being unloaded or put in the back/forward cache is no longer a tab that can answer.
    const onHide = () => this.#releaseVersionLock?.();
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) void this.#hold(this.#version);
    };
    w.addEventListener?.('pagehide', onHide);
    w.addEventListener?.('pageshow', onShow);
    this.#disposers.push(() => {
      w.removeEventListener?.('pagehide', onHide);
      w.removeEventListener?.('pageshow', onShow);
      channel.close();
    });
    const newest = ask && (await this.#newest());
    if (newest) await this.#ask(newest, Math.min(JOIN_MS, this.options.timeoutMs));
  }

  /** After the tab was frozen or in the back/forward cache: takes a newer session that a live tab holds, if any. */
  async rejoin(): Promise<void> {
    const newest = await this.#newest();
    if (newest > this.#version) await this.#ask(newest, Math.min(JOIN_MS, this.options.timeoutMs));
  }

  /** With `cache: 'indexeddb'`: adopts the stored session once verified; returns whether there was one. */
  async restore(): Promise<boolean> {
    const found = await this.#stored.load();
    if (!found) return false;
    // Unreachable JWKS (offline): keep the record for the next start; a refused one is removed.
    const session = await this.host.verify(found.session, { isLogin: false }).catch(() => null);
    if (session === null) return false;
    if (!session) {
      await this.#stored.remove(found.version);
      return false;
    }
    debug(this.options, { type: 'tab_adoption', from: 'storage', signedIn: true });
    this.#apply(session, found.version);
    return true;
  }

  /**
   * Runs a renewal inside the cross-tab lock, after making this tab's session the newest any tab has; the lock is
   * released only when what the renewal committed is stored and announced.
   * @throws {AuthError} `timeout` when a live tab holds a newer session and does not share it in time.
   */
  lock<T>(task: () => Promise<T>): Promise<T> {
    const asked = Date.now();
    const run = async () => {
      debug(this.options, { type: 'lock_wait', waitedMs: Date.now() - asked });
      await this.#catchUp();
      try {
        return await task();
      } finally {
        await this.#saving;
      }
    };
    return (locks()?.request(this.#name, run) as Promise<T> | undefined) ?? run();
  }

  /** Makes this tab's session the newest that storage or a live tab has, before a refresh token is spent. */
  async #catchUp(): Promise<void> {
    const stored = await this.#stored.load();
    const newest = await this.#newest();
    if (newest > this.#version) await this.#ask(newest, this.options.timeoutMs);
    if (stored && stored.version > this.#version) {
      const session = await this.host.verify(stored.session, { isLogin: false });
      if (session) {
        this.#apply(session, stored.version);
        return;
      }
    }
    if (newest > this.#version) {
      throw new AuthError('timeout', 'Another tab did not share its newer session within timeoutMs; try again.');
    }
  }

  /**
   * Makes `session` this tab's new version: stores it (`cache: 'indexeddb'`), holds its version lock, then tells the
   * other tabs. Never rejects.
   * `isLogin`: the session comes from a new login (other tabs may then accept another user).
   */
  announce(session: Session, { isLogin = false }: { isLogin?: boolean } = {}): Promise<void> {
    const version = Math.max(Date.now(), this.#version + 1);
    this.#session = session;
    this.#version = version;
    return this.#persist(version, this.#stored.save(version, session), { type: 'session', version, session, isLogin });
  }

  /**
   * Ends this tab's session and tells the other tabs. Never rejects.
   * @param upTo end only sessions up to this version (default: every session, as a logout does); a session that
   *   another tab started meanwhile survives a refresh token that the server rejected.
   */
  announceEnded(upTo = Infinity): Promise<void> {
    this.#session = undefined;
    this.#version = 0;
    return this.#persist(0, this.#stored.remove(upTo), { type: 'ended', upTo });
  }

  /** After `written` (the storage step, which never rejects): holds the version lock and posts `message`. */
  #persist(version: number, written: Promise<void>, message: TabMessage): Promise<void> {
    return (this.#saving = (async () => {
      await written;
      if (this.#version !== version) return; // a newer session from another tab came in meanwhile
      await this.#hold(version);
      this.#post(message);
    })());
  }

  /** How many open tabs (this one included) share this session. */
  async count(): Promise<number> {
    const held = await this.#held();
    return held ? new Set(held.map((l) => l.clientId)).size : this.#version ? 1 : 0;
  }

  /** Stops listening to the other tabs and releases this tab's version lock. The client can no longer share. */
  close(): void {
    this.#closed = true;
    for (const dispose of this.#disposers.splice(0)) dispose();
    this.#releaseVersionLock?.();
    this.#releaseVersionLock = undefined;
    this.#channel = undefined;
    for (const wake of this.#waiters) wake();
  }

  async #receive(data: unknown): Promise<void> {
    const message = parseMessage(data);
    if (message?.type === 'hello') {
      if (this.#session)
        this.#post({ type: 'session', version: this.#version, session: this.#session, isLogin: false });
    } else if (message?.type === 'ended') {
      this.#endedUpTo = Math.max(this.#endedUpTo, Math.min(message.upTo, Date.now() + 1));
      if (this.#session && message.upTo >= this.#version) {
        debug(this.options, { type: 'tab_adoption', from: 'tab', signedIn: false });
        this.#apply(undefined, 0);
      }
    } else if (message?.type === 'session' && message.version > this.#version) {
      const session = await this.host.verify(message.session, { isLogin: message.isLogin }).catch(() => undefined);
      // Checked again after the await: a newer session or an end may have come in meanwhile.
      if (session && message.version > this.#version && message.version > this.#endedUpTo) {
        debug(this.options, { type: 'tab_adoption', from: 'tab', signedIn: true });
        this.#apply(session, message.version);
      }
    }
    for (const wake of this.#waiters) wake();
  }

  #apply(session: Session | undefined, version: number): void {
    this.#session = session;
    void this.#hold(version);
    this.host.adopted(session);
  }

  /** Asks the other tabs for their session and waits until this tab has version `version` or `ms` passed. */
  #ask(version: number, ms: number): Promise<void> {
    this.#post({ type: 'hello' });
    return new Promise((done) => {
      const stop = () => {
        clearTimer(timer);
        this.#waiters.delete(check);
        done();
      };
      const check = () => {
        if (this.#version >= version || this.#closed) stop();
      };
      const timer = setTimer(stop, ms);
      this.#waiters.add(check);
    });
  }

  /** Holds the shared lock of `version` (none for 0) and then lets go of the previous one. */
  #hold(version: number): Promise<void> {
    this.#version = version;
    const previous = this.#releaseVersionLock;
    this.#releaseVersionLock = undefined;
    const manager = locks();
    if (!version || !manager || this.#closed) return Promise.resolve(previous?.());
    return new Promise<void>((granted) => {
      manager
        .request(
          `${this.#name}#${version}`,
          { mode: 'shared' },
          () =>
            new Promise<void>((release) => {
              granted();
              previous?.();
              if (this.#version === version && !this.#releaseVersionLock && !this.#closed)
                this.#releaseVersionLock = release;
              else release(); // a newer version came in while this one waited, or the client closed
            }),
        )
        .catch(() => granted());
    });
  }

  /** The version locks of this session that tabs hold now; undefined without Web Locks. */
  async #held(): Promise<LockInfo[] | undefined> {
    return (await locks()?.query())?.held?.filter((l) => l.name?.startsWith(`${this.#name}#`));
  }

  /** The newest version a live tab holds; 0 for none. */
  async #newest(): Promise<number> {
    return Math.max(
      0,
      ...((await this.#held()) ?? []).map((l) => Number(l.name!.split('#').pop())).filter(Number.isFinite),
    );
  }

  #post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // Not cloneable: the other tabs renew on their own instead.
    }
  }
}

/** The message in `data` if it has the shape of one; anything else (another script's traffic, garbage) is ignored. */
function parseMessage(data: unknown): TabMessage | undefined {
  const m = data as Partial<Record<string, unknown>> | null;
  if (typeof m !== 'object' || !m) return undefined;
  if (m.type === 'hello') return { type: 'hello' };
  if (m.type === 'ended' && typeof m.upTo === 'number') return { type: 'ended', upTo: m.upTo };
  const session = m.session as Partial<Session> | undefined;
  if (
    m.type === 'session' &&
    Number.isFinite(m.version) &&
    (m.version as number) > 0 &&
    typeof session?.idToken === 'string' &&
    session.tokens instanceof Map
  ) {
    return { type: 'session', version: m.version as number, session: session as Session, isLogin: m.isLogin === true };
  }
  return undefined;
}
