/**
 * The browser edge for integration tests in Node. The SDK needs a `window` only to navigate (`location.assign`) and
 * to clean the address bar (`history.replaceState`); everything else it does runs in Node against real servers.
 * `sessionStorage` is a per-shim Map-backed Storage, as a tab's would be (the SDK keeps the login transaction there).
 */

export interface BrowserShim {
  /** Every URL passed to `location.assign`, oldest first. */
  readonly assigned: string[];
  /** Every URL passed to `history.replaceState`, oldest first. */
  readonly replaced: string[];
  /** The last URL passed to `location.assign`; throws when there was none. */
  lastAssigned(): string;
  /** Sets the address bar, as a browser does when it loads `url`. */
  setLocation(url: string): void;
  /** The current address bar. */
  href(): string;
  /** Removes the shim (restores whatever `window` was before). */
  uninstall(): void;
}

/**
 * Installs `globalThis.window` with a location at `href` and a history that records `replaceState`.
 * `location.assign` records the URL and does not navigate (the test decides what "loading" it means).
 */
export function installBrowserShim(href: string): BrowserShim {
  const g = globalThis as { window?: unknown };
  const had = Object.prototype.hasOwnProperty.call(g, 'window');
  const previous = g.window;
  const assigned: string[] = [];
  const replaced: string[] = [];
  const location = {
    href,
    assign(url: string | URL) {
      assigned.push(String(url));
    },
  };
  const history = {
    state: null as unknown,
    replaceState(state: unknown, _unused: string, url?: string | URL | null) {
      if (url !== undefined && url !== null) {
        location.href = new URL(String(url), location.href).href;
        replaced.push(location.href);
      }
      history.state = state;
    },
  };
  const items = new Map<string, string>();
  const sessionStorage = {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, String(v)),
    removeItem: (k: string) => void items.delete(k),
    clear: () => items.clear(),
    key: (i: number) => [...items.keys()][i] ?? null,
    get length() {
      return items.size;
    },
  };
  const hadStorage = Object.prototype.hasOwnProperty.call(g, 'sessionStorage');
  const previousStorage = (g as { sessionStorage?: unknown }).sessionStorage;
  (g as { sessionStorage?: unknown }).sessionStorage = sessionStorage;
  g.window = { location, history, sessionStorage };
  return {
    assigned,
    replaced,
    lastAssigned() {
      const url = assigned.at(-1);
      if (url === undefined) throw new Error('window.location.assign() was never called');
      return url;
    },
    setLocation(url: string) {
      location.href = url;
    },
    href: () => location.href,
    uninstall() {
      if (had) g.window = previous;
      else delete g.window;
      if (hadStorage) (g as { sessionStorage?: unknown }).sessionStorage = previousStorage;
      else delete (g as { sessionStorage?: unknown }).sessionStorage;
    },
  };
}

/** One request that went through {@link browserFetch}, with what came back. */
export interface SeenRequest {
  url: URL;
  method: string;
  /** The form body of a POST (token, revocation), empty otherwise. */
  body: URLSearchParams;
  status: number;
  /** The parsed JSON response body, when the response was JSON. */
  json: Record<string, unknown> | undefined;
}

export interface BrowserFetch {
  /** Hand this to `createPkceClient({ fetch })`. */
  fetch: typeof fetch;
  /** Every request the SDK made, oldest first. */
  readonly seen: SeenRequest[];
  /** Requests to `pathname`. */
  to(pathname: string): SeenRequest[];
}

export interface BrowserFetchOptions {
  /**
   * Runs after the server answered and before the SDK sees the response; may throw (a connection dropped after
   * the server acted) or return another response.
   */
  intercept?: (request: SeenRequest, response: Response) => Response | Promise<Response>;
  /** Runs before the request is sent (e.g. to race the SDK to the server). */
  before?: (url: URL, body: URLSearchParams) => void | Promise<void>;
}

/**
 * A `fetch` that behaves like a page at `appOrigin` calling another origin: it sends `Origin` and, like a browser,
 * hides the response (TypeError "Failed to fetch") unless the server allowed that origin with
 * `Access-Control-Allow-Origin`. It records every request and response.
 */
export function browserFetch(appOrigin: string, options: BrowserFetchOptions = {}): BrowserFetch {
  const origin = new URL(appOrigin).origin;
  const seen: SeenRequest[] = [];
  const browserLike = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init.headers);
    const crossOrigin = url.origin !== origin;
    if (crossOrigin || (init.method ?? 'GET') !== 'GET') headers.set('origin', origin);
    const body = new URLSearchParams(
      typeof init.body === 'string' || init.body instanceof URLSearchParams ? init.body : '',
    );
    await options.before?.(url, body);
    const response = await fetch(url, { ...init, headers });
    if (crossOrigin) {
      const allowed = response.headers.get('access-control-allow-origin');
      if (allowed !== '*' && allowed !== origin) {
        await response.body?.cancel();
        throw new TypeError(
          `Failed to fetch: ${url.href} sent no Access-Control-Allow-Origin for ${origin} (got ${allowed})`,
        );
      }
    }
    const type = response.headers.get('content-type') ?? '';
    let json: Record<string, unknown> | undefined;
    if (type.includes('json')) {
      try {
        json = (await response.clone().json()) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
    }
    const record: SeenRequest = { url, method: init.method ?? 'GET', body, status: response.status, json };
    seen.push(record);
    return options.intercept ? options.intercept(record, response) : response;
  }) as typeof fetch;
  return { fetch: browserLike, seen, to: (pathname) => seen.filter((r) => r.url.pathname === pathname) };
}
