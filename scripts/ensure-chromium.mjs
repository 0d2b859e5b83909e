// Finds a Chromium for Playwright: Playwright's own build where installed, else Debian's /usr/bin/chromium.
// When neither exists and this is Debian with root, installs Debian's `chromium` package (no browser download of
// Playwright's own: this machine reaches only the npm registry and Debian's packages).
// Prints the path; e2e/browser.ts makes the same choice at run time.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chromiumPath } from '../e2e/browser-path.mjs';

let path = chromiumPath();
if (!path) {
  const debian = existsSync('/etc/debian_version') || /ID(_LIKE)?=.*debian/.test(safeRead('/etc/os-release'));
  const root = process.getuid?.() === 0;
  if (!debian || !root) {
    console.error(
      "No Chromium found. Install Playwright's browser (npx playwright install chromium) or your distribution's chromium package.",
    );
    process.exit(1);
  }
  console.log("Installing Debian's chromium for the browser tests (apt-get install -y chromium)...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  path = chromiumPath();
  if (!path) {
    console.error('apt-get installed chromium but /usr/bin/chromium is missing.');
    process.exit(1);
  }
}
console.log(`Chromium: ${path}`);

function safeRead(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
