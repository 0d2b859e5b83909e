// The one setup file of the unit project (vitest.config.ts, setupFiles): every unit test starts in a clean tab (empty
// sessionStorage, the app's URL, an IndexedDB from fake-indexeddb) and leaves no spy, stubbed global or fake clock behind.
// A test file's own afterEach runs before these (vitest runs after-hooks in reverse order of registration).
import 'fake-indexeddb/auto';
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
