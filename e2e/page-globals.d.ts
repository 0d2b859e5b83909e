// What e2e/pages/*.html and the specs put on the page's window (page.evaluate callbacks run there).
import type { PkceClient } from '../src/index.js';

declare global {
  interface Window {
    /** The client the page created (e2e/pages/app.html, demo/app). */
    client: PkceClient;
    /** The page's record of what happened: set by e2e/pages/app.html. */
    e2e: {
      done: boolean;
      error: { code: string; message: string } | null;
      appState: unknown;
      events: string[];
      /** How long createPkceClient took, in milliseconds (e2e/pages/app.html). */
      createMs?: number;
      /** A popup login started by a spec: 'ok' or the AuthError code. */
      popup?: Promise<string>;
    };
    /** When the page saw its session end (e2e/tabs.spec.ts). */
    signedOutAt: Promise<number>;
    /** Client options a spec adds before the page loads (read by e2e/pages/app.html). */
    e2eOptions: Record<string, unknown>;
    /** Leave the callback to the spec instead of handling it at load. */
    e2eManualCallback?: boolean;
    /** Start a popup login at load, outside a user gesture. */
    e2eAutoPopup?: boolean;
  }
}
