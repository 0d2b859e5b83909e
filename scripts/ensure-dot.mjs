// Makes sure Debian's django-oauth-toolkit (the second real provider of the e2e tests, e2e/dot.spec.ts) is installed,
// the way ensure-chromium.mjs does for Chromium: when Debian's python3 cannot import it and this is Debian with root,
// apt-get installs python3-django-oauth-toolkit and python3-django-cors-headers (apt-get update only when the package
// is unknown to apt).
import { existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';
const PACKAGES = ['python3-django-oauth-toolkit', 'python3-django-cors-headers'];
const probe = () =>
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import oauth2_provider, corsheaders; print(oauth2_provider.__version__)'], {
    encoding: 'utf8',
  });

let found = probe();
if (!found || found.status !== 0) {
  if (!existsSync('/etc/debian_version') || process.getuid?.() !== 0) {
    console.error(
      `django-oauth-toolkit is missing: install ${PACKAGES.join(' ')} (Debian) for the e2e tests against it.`,
    );
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = spawnSync('apt-cache', ['policy', PACKAGES[0]], { encoding: 'utf8' }).stdout ?? '';
  const known = /Candidate: (?!\(none\))/.test(policy);
  console.log(`Installing ${PACKAGES.join(' ')} for the django-oauth-toolkit e2e tests...`);
  if (!known) execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...PACKAGES], { stdio: 'inherit', env });
  found = probe();
  if (!found || found.status !== 0) {
    console.error(
      `apt-get installed ${PACKAGES.join(' ')} but ${PYTHON} still cannot import them:\n${found?.stderr ?? ''}`,
    );
    process.exit(1);
  }
}
console.log(`django-oauth-toolkit: ${found.stdout.trim()}`);
