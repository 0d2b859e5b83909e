// `npm run bench [-- --runs N] [-- --timeout-s S]`: how fast pkce-spa gets from a callback or a reload to an access
// token, and how many requests that costs, in Chromium against the demo's oidc-provider on loopback.
//
// Uses the built dist/pkce-spa.min.js (run `npm run build` first). Starts its own demo servers on free loopback ports
// and its own Chromium (the e2e tests' choice of executable and flags), and stops both whatever happens, within
// --timeout-s. Prints the machine and a table (median, min, max over N runs) and writes bench/results.json.
// Numbers are reported, never asserted. Measurements of features that are not built yet (cache: 'indexeddb',
// cross-tab renewal) detect that and print "n/a (feature missing)".
import { existsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { chromiumPath, CHROMIUM_ARGS } from '../e2e/browser-path.mjs';
import { startDemo } from '../demo/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const IIFE = join(ROOT, 'dist', 'pkce-spa.min.js');
const RESULTS = join(HERE, 'results.json');
const PAGE_PATH = '/e2e/app.html';
const WARM_CALLS = 10_000;
const CONCURRENT_CALLS = 50;
const TAB_COUNT = 3;
const TAB_ROUNDS = 10;
/** Access token lifetime at the main demo provider (as in the e2e tests). */
const TOKEN_TTL_SECONDS = 300;
/**
 * The clock-driven scenarios (expired tokens) use a second provider with short-lived tokens, so that a small jump of
 * the page's clock expires them: the page's clock then stays close to the provider's, and the ID tokens of refresh
 * responses (valid for an hour, checked against the page's clock) stay valid over every round.
 */
const CLOCK_TOKEN_TTL_SECONDS = 90;
const PAST_EXPIRY_MS = (CLOCK_TOKEN_TTL_SECONDS + 10) * 1000;
const MISSING = 'n/a (feature missing)';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'timeout-s': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run bench -- [--runs N (default 10)] [--timeout-s S (default 120 + 30 per run)]');
  process.exit(0);
}
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 1000) fail(`--runs must be an integer from 1 to 1000 (got "${args.runs}")`);
const timeoutSeconds = args['timeout-s'] === undefined ? 120 + 30 * runs : Number(args['timeout-s']);
if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) fail(`--timeout-s must be a positive number (got "${args['timeout-s']}")`);
if (!existsSync(IIFE)) fail('dist/pkce-spa.min.js is missing: run `npm run build` first');
const executablePath = chromiumPath();
if (!executablePath) fail('no Chromium found: run `node scripts/ensure-chromium.mjs` (or npx playwright install chromium)');

// ---------------------------------------------------------------------------------------------------------------------
// Everything started is stopped: on success, on error, on Ctrl-C and when the time limit is reached.
// ---------------------------------------------------------------------------------------------------------------------
const stoppers = [];
let stopping;
let aborted = false;
function stopAll() {
  stopping ??= (async () => {
    for (const stop of stoppers.reverse()) {
      await Promise.race([stop().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    }
  })();
  return stopping;
}
const watchdog = setTimeout(() => abort(`gave up after --timeout-s ${timeoutSeconds} s`), timeoutSeconds * 1000);
watchdog.unref();
process.once('SIGINT', () => abort('interrupted'));
process.once('SIGTERM', () => abort('terminated'));
async function abort(why) {
  aborted = true;
  console.error(`bench: ${why}; stopping the browser and the demo servers`);
  await stopAll();
  process.exit(2);
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------------------
// Browser helpers
// ---------------------------------------------------------------------------------------------------------------------
let demo;
let clockDemo;
let browser;
/** The demo servers behind each browser context. */
const demoOf = new WeakMap();

/**
 * A fresh browser context (own cookies and storage) whose pages get `options` as client options before load. With
 * `clock`, the pages' clock is Playwright's fake one and the provider is the short-lived-token one.
 */
async function newContext(options = {}, { clock = false } = {}) {
  const servers = clock ? clockDemo : demo;
  const context = await browser.newContext();
  demoOf.set(context, servers);
  context.setDefaultTimeout(15_000);
  if (clock) await context.clock.install();
  await context.addInitScript((o) => {
    window.benchOptions = o;
  }, { issuer: servers.issuer, clientId: servers.clientId, ...options });
  return context;
}

/** The demo servers a page talks to. */
const serversOf = (page) => demoOf.get(page.context());

/** Opens the bench page in a new tab of `context` and waits until it has settled. */
async function openTab(context) {
  const page = await context.newPage();
  await page.goto(demoOf.get(context).appUrl + PAGE_PATH);
  return { page, result: await settled(page) };
}

/** Waits for the bench page to finish (client created, callback handled, token asked for) and returns window.bench. */
async function settled(page) {
  await page.waitForFunction(() => window.bench?.done === true);
  return page.evaluate(() => window.bench);
}

/** Reloads and returns the page's result and the requests that reached the provider during the reload. */
async function reload(page) {
  const servers = serversOf(page);
  const before = servers.stats();
  await page.reload();
  const result = await settled(page);
  return { result, requests: requestsSince(servers, before) };
}

/**
 * Signs in on `page` through the provider's dev login and consent pages (not timed) and returns what the callback page
 * recorded plus the requests that reached the provider after the last click, i.e. during the callback page's load.
 */
async function login(page, user = 'alice') {
  const servers = serversOf(page);
  await page.evaluate(() => window.client.loginWithRedirect()).catch(ignoreNavigation);
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', user);
  await page.fill('input[name="password"]', 'any-password');
  let before = servers.stats();
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.pathname.startsWith('/interaction/') || u.pathname === PAGE_PATH, { waitUntil: 'commit' });
  if (new URL(page.url()).pathname.startsWith('/interaction/')) {
    before = servers.stats();
    await page.click('button[type="submit"]'); // consent
  }
  await page.waitForURL((u) => u.pathname === PAGE_PATH, { waitUntil: 'commit' });
  const result = await settled(page);
  // Playwright's fake clock (when installed) replaces `performance` with one that has no timeline entries.
  const timing = await page.evaluate(() => {
    const entries = (type) => performance.getEntriesByType?.(type) ?? [];
    const nav = entries('navigation')[0];
    const token = entries('resource').find((r) => new URL(r.name).pathname === '/token');
    return { fetchStart: nav?.fetchStart, tokenStart: token?.startTime, tokenEnd: token?.responseEnd };
  });
  return { result, timing, requests: requestsSince(servers, before) };
}

/** loginWithRedirect navigates away, which may tear down the evaluation before it reports back. */
function ignoreNavigation(e) {
  if (!/Execution context was destroyed|Target page, context or browser has been closed|navigation/i.test(String(e?.message))) throw e;
}

/** The requests that reached the provider of `servers` since `before` (a stats() snapshot). */
function requestsSince(servers, before) {
  const now = servers.stats();
  return {
    discovery: now.discovery - before.discovery,
    authorize: now.authorize - before.authorize,
    token: now.token - before.token,
    refresh: now.tokenByGrant.refresh_token - before.tokenByGrant.refresh_token,
    invalidGrant: now.invalidGrant - before.invalidGrant,
    jwks: now.jwks - before.jwks,
  };
}

/** Whether a bearer token is accepted by the demo's protected API (checked untimed, from the page's origin). */
function isUsable(page, token) {
  return page.evaluate(async (t) => (await fetch('/api/protected', { headers: { authorization: `Bearer ${t}` } })).status === 200, token);
}

// ---------------------------------------------------------------------------------------------------------------------
// Scenarios. Each returns plain data for results.json; a missing feature yields { missing: reason }.
// ---------------------------------------------------------------------------------------------------------------------

/** Callback → token in fresh contexts, and what a callback and a plain reload (memory cache) cost in requests. */
async function callbackScenario() {
  const fromFetch = [], fromNavigation = [], untilReady = [], tokenRequest = [], afterTokenResponse = [], callbackRequests = [], reloadRequests = [], firstLoad = [];
  for (let i = 0; i < runs; i += 1) {
    const context = await newContext();
    try {
      const before = demo.stats();
      const { page, result: initial } = await openTab(context);
      firstLoad.push(requestsSince(demo, before));
      if (initial.error?.code !== 'login_required') throw new Error(`the first load should be signed out, got ${JSON.stringify(initial)}`);
      const { result, timing, requests } = await login(page);
      if (result.tokenAt === null) throw new Error(`the callback did not produce a token: ${JSON.stringify(result.error)}`);
      if (!(await isUsable(page, result.token))) throw new Error('the protected API refused the token from the callback');
      fromNavigation.push(result.tokenAt);
      if (timing.fetchStart === undefined) throw new Error('the callback page has no navigation timing entry');
      fromFetch.push(result.tokenAt - timing.fetchStart);
      untilReady.push(result.readyAt - timing.fetchStart);
      if (timing.tokenEnd !== undefined) {
        tokenRequest.push(timing.tokenEnd - timing.tokenStart);
        afterTokenResponse.push(result.tokenAt - timing.tokenEnd);
      }
      callbackRequests.push(requests);
      reloadRequests.push((await reload(page)).requests);
    } finally {
      await context.close();
    }
  }
  return { fromFetch, fromNavigation, untilReady, tokenRequest, afterTokenResponse, firstLoad, callbackRequests, reloadRequests };
}

/** getAccessToken with a fresh token in memory: sequential calls per second. */
async function warmCacheScenario() {
  const context = await newContext();
  try {
    const { page } = await openTab(context);
    await login(page);
    const callsPerSecond = [], runMs = [];
    for (let i = 0; i < runs; i += 1) {
      const ms = await page.evaluate(async (n) => {
        for (let j = 0; j < n; j += 1) await window.client.getAccessToken(); // warm-up, not timed
        const start = performance.now();
        for (let j = 0; j < n; j += 1) await window.client.getAccessToken();
        return performance.now() - start;
      }, WARM_CALLS);
      callsPerSecond.push((WARM_CALLS / ms) * 1000);
      runMs.push(ms);
    }
    return { callsPerSecond, runMs };
  } finally {
    await context.close();
  }
}

/**
 * 50 concurrent getAccessToken calls after the access token expired (the page's clock jumps past its lifetime).
 * A new context signs in again every 20 runs, so the page's clock never runs far ahead of the provider's.
 */
async function concurrentScenario() {
  const tokenRequests = [], failures = [], distinctTokens = [];
  let context;
  try {
    let page;
    for (let i = 0; i < runs; i += 1) {
      if (i % 20 === 0) {
        await context?.close();
        context = await newContext({}, { clock: true });
        ({ page } = await openTab(context));
        await login(page);
      }
      const before = clockDemo.stats();
      await context.clock.fastForward(PAST_EXPIRY_MS);
      const outcome = await page.evaluate(async (n) => {
        const settledCalls = await Promise.allSettled(Array.from({ length: n }, () => window.client.getAccessToken()));
        const tokens = settledCalls.filter((s) => s.status === 'fulfilled').map((s) => s.value);
        return { failures: settledCalls.length - tokens.length, distinct: new Set(tokens).size };
      }, CONCURRENT_CALLS);
      tokenRequests.push(requestsSince(clockDemo, before).token);
      failures.push(outcome.failures);
      distinctTokens.push(outcome.distinct);
    }
    return { tokenRequests, failures, distinctTokens };
  } finally {
    await context?.close();
  }
}

/** Reload → token with cache: 'indexeddb', then a new tab next to a signed-in one. */
async function persistentScenario() {
  const context = await newContext({ cache: 'indexeddb' });
  try {
    const { page } = await openTab(context);
    await login(page);
    const reloadMs = [], reloadRequests = [];
    let reloadMissing;
    for (let i = 0; i < runs && !reloadMissing; i += 1) {
      const { result, requests } = await reload(page);
      if (result.tokenAt === null) {
        reloadMissing = `a reload with cache: 'indexeddb' came back ${result.status ?? 'failed'} (${result.error?.code ?? 'no error'})`;
        break;
      }
      reloadMs.push(result.tokenAt);
      reloadRequests.push(requests);
    }
    const newTabMs = [], newTabRequests = [];
    let newTabMissing;
    for (let i = 0; i < runs && !newTabMissing; i += 1) {
      const before = demo.stats();
      const { page: tab, result } = await openTab(context);
      const requests = requestsSince(demo, before);
      await tab.close();
      if (result.tokenAt === null) {
        newTabMissing = `a new tab next to a signed-in one came back ${result.status ?? 'failed'} (${result.error?.code ?? 'no error'})`;
        break;
      }
      newTabMs.push(result.tokenAt);
      newTabRequests.push(requests);
    }
    return {
      reload: reloadMissing ? { missing: reloadMissing } : { ms: reloadMs, requests: reloadRequests },
      newTab: newTabMissing ? { missing: newTabMissing } : { ms: newTabMs, requests: newTabRequests },
    };
  } finally {
    await context.close();
  }
}

/** Three signed-in tabs whose access tokens expire at the same moment, all asking for a token, 10 rounds. */
async function tabsScenario() {
  const context = await newContext({ cache: 'indexeddb' }, { clock: true });
  try {
    const { page: first } = await openTab(context);
    await login(first);
    const tabs = [first];
    for (let i = 1; i < TAB_COUNT; i += 1) {
      const { page, result } = await openTab(context);
      tabs.push(page);
      if (result.tokenAt === null) {
        return { missing: `tab ${i + 1} did not share the session (${result.status ?? 'failed'}, ${result.error?.code ?? 'no error'})` };
      }
    }
    const tokenRequests = [], invalidGrant = [], failures = [], failureCodes = {};
    for (let round = 0; round < TAB_ROUNDS; round += 1) {
      const before = clockDemo.stats();
      await context.clock.fastForward(PAST_EXPIRY_MS);
      const outcomes = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.client.getAccessToken().then(
        () => null,
        (e) => e?.code ?? 'unknown',
      ))));
      const requests = requestsSince(clockDemo, before);
      tokenRequests.push(requests.token);
      invalidGrant.push(requests.invalidGrant);
      const codes = outcomes.filter((c) => c !== null);
      failures.push(codes.length);
      for (const code of codes) failureCodes[code] = (failureCodes[code] ?? 0) + 1;
    }
    return { tokenRequests, invalidGrant, failures, failureCodes };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------------
function stats(values) {
  if (!values?.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), n: sorted.length, sum: sorted.reduce((a, b) => a + b, 0) };
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const column = (list, key) => list.map((r) => r[key]);

/** A text table; a row whose second cell is a string (a missing feature) prints that text after its label. */
function table(rows) {
  const header = ['metric', 'median', 'min', 'max', 'notes'];
  const cells = rows.map(([label, s, unit, note = '', digits = 1]) => {
    if (typeof s === 'string') return [label, `${s}: ${note}`];
    const f = (x) => `${x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
    return [label, f(s.median), f(s.min), f(s.max), note];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.filter((c) => c.length > 2 || i === 0).map((c) => c[i].length)));
  const line = (c) => (c.length === 2
    ? `${c[0].padEnd(widths[0])}  ${c[1]}`
    : c.map((x, i) => (i >= 1 && i <= 3 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ').trimEnd());
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function requestRow(label, list) {
  if (!list?.length) return [label, MISSING];
  const m = (key) => stats(column(list, key)).median;
  return [label, m('discovery'), m('authorize'), m('token'), m('jwks')];
}

function requestTable(rows) {
  const header = ['page load (median requests at the provider)', 'discovery', 'authorize', 'token', 'jwks'];
  const cells = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.filter((c) => c.length > 2 || i === 0).map((c) => c[i].length)));
  const line = (c) => (c.length === 2
    ? `${c[0].padEnd(widths[0])}  ${c[1]}`
    : c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ').trimEnd());
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function report(machine, r) {
  const persistentReload = r.persistent.reload;
  const newTab = r.persistent.newTab;
  const rows = [
    ['callback → token (from the callback URL fetch)', stats(r.callback.fromFetch), 'ms', 'handleRedirectCallback + getAccessToken, token usable at the API'],
    ['callback → token (from navigation start)', stats(r.callback.fromNavigation), 'ms', 'also counts the provider\'s own redirect hops'],
    ['  of which until createPkceClient resolved', stats(r.callback.untilReady), 'ms', 'HTML, script, client, cached discovery'],
    ['  of which the token request', stats(r.callback.tokenRequest), 'ms', 'authorization_code grant round trip'],
    ['  of which after the token response', stats(r.callback.afterTokenResponse), 'ms', 'response → token in hand'],
    persistentReload.missing
      ? ['reload → token, cache: indexeddb', MISSING, '', persistentReload.missing]
      : ['reload → token, cache: indexeddb', stats(persistentReload.ms), 'ms', `authorize ${sum(column(persistentReload.requests, 'authorize'))}, token ${sum(column(persistentReload.requests, 'token'))} in ${persistentReload.ms.length} reloads`],
    newTab.missing
      ? ['new tab → token, signed-in sibling', MISSING, '', newTab.missing]
      : ['new tab → token, signed-in sibling', stats(newTab.ms), 'ms', `authorize ${sum(column(newTab.requests, 'authorize'))}, token ${sum(column(newTab.requests, 'token'))} in ${newTab.ms.length} tabs`],
    ['getAccessToken, warm cache', stats(r.warm.callsPerSecond), 'calls/s', `${WARM_CALLS.toLocaleString('en-US')} sequential calls per run, ${stats(r.warm.runMs).median.toFixed(2)} ms median (page timer resolution 0.1 ms)`, 0],
    [`${CONCURRENT_CALLS} concurrent calls, expired token: token requests`, stats(r.concurrent.tokenRequests), '', `must be 1; failures ${sum(r.concurrent.failures)}, distinct tokens per run ${[...new Set(r.concurrent.distinctTokens)].join('/')}`, 0],
    r.tabs.missing
      ? [`${TAB_COUNT} tabs renewing at once × ${TAB_ROUNDS}: token requests`, MISSING, '', r.tabs.missing]
      : [`${TAB_COUNT} tabs renewing at once × ${TAB_ROUNDS}: token requests`, stats(r.tabs.tokenRequests), '', `per round; total ${sum(r.tabs.tokenRequests)}, invalid_grant ${sum(r.tabs.invalidGrant)}, failures ${sum(r.tabs.failures)}${sum(r.tabs.failures) ? ` ${JSON.stringify(r.tabs.failureCodes)}` : ''}`, 0],
  ];
  const requests = [
    requestRow('first load, signed out (no discovery cache yet)', r.callback.firstLoad),
    requestRow('callback', r.callback.callbackRequests),
    requestRow('reload, cache: memory (signed out after)', r.callback.reloadRequests),
    requestRow('reload, cache: indexeddb', persistentReload.requests),
    requestRow('new tab, signed-in sibling', newTab.requests),
  ];
  return [
    `pkce-spa bench: ${runs} run${runs === 1 ? '' : 's'} per row, ${new Date().toISOString()}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}; node ${machine.node}; Chromium ${machine.chromium} (headless)`,
    `dist/pkce-spa.min.js built ${machine.distBuiltAt}`,
    '',
    table(rows),
    '',
    requestTable(requests),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------------
try {
  demo = await startDemo({
    extraStaticDirs: [{ prefix: '/e2e/', dir: join(HERE, 'pages') }],
    accessTokenTtlSeconds: TOKEN_TTL_SECONDS,
  });
  stoppers.push(() => demo.close());
  clockDemo = await startDemo({
    extraStaticDirs: [{ prefix: '/e2e/', dir: join(HERE, 'pages') }],
    accessTokenTtlSeconds: CLOCK_TOKEN_TTL_SECONDS,
  });
  stoppers.push(() => clockDemo.close());
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  stoppers.push(() => browser.close());

  const machine = {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: browser.version(),
    distBuiltAt: statSync(IIFE).mtime.toISOString(),
  };
  console.error(`bench: ${runs} runs, demo at ${demo.appUrl} (provider ${demo.issuer}), Chromium ${machine.chromium}`);

  const results = {};
  for (const [name, scenario] of [
    ['callback', callbackScenario],
    ['warm', warmCacheScenario],
    ['concurrent', concurrentScenario],
    ['persistent', persistentScenario],
    ['tabs', tabsScenario],
  ]) {
    const started = Date.now();
    results[name] = await scenario();
    console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  console.log(report(machine, results));
  const summary = {
    callbackToTokenMs: stats(results.callback.fromFetch),
    callbackToTokenFromNavigationMs: stats(results.callback.fromNavigation),
    reloadToTokenIndexedDbMs: results.persistent.reload.missing ? MISSING : stats(results.persistent.reload.ms),
    newTabToTokenMs: results.persistent.newTab.missing ? MISSING : stats(results.persistent.newTab.ms),
    warmCallsPerSecond: stats(results.warm.callsPerSecond),
    concurrentTokenRequests: stats(results.concurrent.tokenRequests),
    concurrentFailures: sum(results.concurrent.failures),
    tabsTokenRequestsPerRound: results.tabs.missing ? MISSING : stats(results.tabs.tokenRequests),
    tabsInvalidGrant: results.tabs.missing ? MISSING : sum(results.tabs.invalidGrant),
  };
  writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), runs, machine, summary, raw: results }, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS.slice(ROOT.length + 1)}`);
} catch (e) {
  if (!aborted) console.error('bench: failed:', e);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await stopAll();
}
