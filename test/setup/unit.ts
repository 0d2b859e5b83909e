// The one setup file of the unit project (vitest.config.ts, setupFiles): every unit test starts in a clean tab (empty
// sessionStorage, the app's URL) and leaves no spy, stubbed global or fake clock behind. There is no global IndexedDB
// (happy-dom has none): tests that need one hand the SDK a store of their own (test/helpers/idb-store.ts).
// A test file's own afterEach runs before these (vitest runs after-hooks in reverse order of registration).
import { afterEach, beforeEach, vi } from 'vitest';

beforeEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, '', 'https://app.example.test/');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  window.history.replaceState(null, '', 'https://app.example.test/');
});
