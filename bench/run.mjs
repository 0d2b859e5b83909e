// `npm run bench [-- --runs N] [-- --timeout-s S]`: how fast pkce-spa gets from a callback, a reload or a new tab to an
// access token, and how many requests that costs, in Chromium against the demo's oidc-provider on loopback; and how
// renewal behaves with 50 concurrent calls and with 3 tabs renewing at once (both caches).
//
// Uses the built dist/pkce-spa.min.js (run `npm run build` first). Starts its own demo servers on free loopback ports
// and its own Chromium (the e2e tests' choice of executable and flags), and stops both whatever happens, within
// --timeout-s. Prints the machine and a table (median, min, max over N runs) and writes bench/results.json.
// Numbers are reported, never asserted; a scenario whose flow breaks (no token, a tab not sharing the session) is
// printed as FAILED with the reason and makes the exit code 1.
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
const FAILED = 'FAILED';
const CACHES = ['memory', 'indexeddb'];
/** Client options of the DPoP rows: the demo's DPoP + PAR client (pkce-spa-dpop) with the SDK's dpop and par options. */
const DPOP = { clientId: 'pkce-spa-dpop', dpop: true, par: true };
/** How far ahead the forced-renewal rounds schedule their shared start instant, so that every tab is armed in time. */
const ARM_MS = 100;
/** Untimed getAccessToken calls before the first timed warm-cache run, so that the JIT has settled. */
const WARM_UP_CALLS = 100_000;
/** The load scenario (issue 13): one user, LOAD_TABS tabs, each calling getAccessToken() once a second. */
const LOAD_TABS = 5;
/** The outage scenario: the token endpoint is unreachable for this long, from the moment renewal is due. */
const OUTAGE_SECONDS = 60;
/**
 * What other SDKs sent in the same load (one user, 5 tabs, a call per tab per second, 90 s tokens), as measured side
 * by side and quoted in issue 13; they are not installed here, so they are quoted, not re-run. pkce-spa before issue 13
 * renewed 60 s early whatever the lifetime: 3600 / (90 − 60) = 120 per hour.
 */
const PEERS = [
  ['pkce-spa before issue 13 (fixed 60 s leeway)', 120],
  ['auth0-spa-js, cacheLocation memory', 520],
  ['oidc-client-ts, sessionStorage', 200],
  ['oidc-client-ts, localStorage (renews at expiry)', 40],
];

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'load-minutes': { type: 'string', default: '60' },
    only: { type: 'string' },
    'timeout-s': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: npm run bench -- [--runs N (default 10)] [--timeout-s S (default 240 + 30 per run)] [--load-minutes M (default 60)] [--only load,outage,...]',
  );
  process.exit(0);
}
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
  fail(`--runs must be an integer from 1 to 1000 (got "${args.runs}")`);
const loadMinutes = Number(args['load-minutes']);
if (!Number.isInteger(loadMinutes) || loadMinutes < 3 || loadMinutes > 120)
  fail(`--load-minutes must be an integer from 3 to 120 (got "${args['load-minutes']}")`);
const only = args.only === undefined ? undefined : new Set(args.only.split(','));
const timeoutSeconds = args['timeout-s'] === undefined ? 240 + 30 * runs + 3 * loadMinutes : Number(args['timeout-s']);
if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
  fail(`--timeout-s must be a positive number (got "${args['timeout-s']}")`);
if (!existsSync(IIFE)) fail('dist/pkce-spa.min.js is missing: run `npm run build` first');
const executablePath = chromiumPath();
if (!executablePath)
  fail('no Chromium found: run `node scripts/ensure-chromium.mjs` (or npx playwright install chromium)');

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
  await context.addInitScript(
    (o) => {
      window.benchOptions = o;
    },
    { issuer: servers.issuer, clientId: servers.clientId, ...options },
  );
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
  await page.waitForURL((u) => u.pathname.startsWith('/interaction/') || u.pathname === PAGE_PATH, {
    waitUntil: 'commit',
  });
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
  if (
    !/Execution context was destroyed|Target page, context or browser has been closed|navigation/i.test(
      String(e?.message),
    )
  )
    throw e;
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

/**
 * Whether the page's token is accepted by the demo's API (checked untimed, from the page's origin): a bearer token at
 * /api/protected, a DPoP-bound one through fetchWithAuth (token + proof) at /api/whoami.
 */
function isUsable(page, token) {
  return page.evaluate(
    async (t) =>
      window.benchOptions.dpop
        ? (await window.client.fetchWithAuth('/api/whoami')).status === 200
        : (await fetch('/api/protected', { headers: { authorization: `Bearer ${t}` } })).status === 200,
    token,
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Scenarios. Each returns plain data for results.json, or throws when its flow breaks (reported as FAILED).
// ---------------------------------------------------------------------------------------------------------------------

/** Callback → token in fresh contexts, and what a callback and a plain reload (memory cache) cost in requests. */
async function callbackScenario(options = {}) {
  const fromFetch = [],
    fromNavigation = [],
    untilReady = [],
    tokenRequest = [],
    afterTokenResponse = [],
    callbackRequests = [],
    reloadRequests = [],
    firstLoad = [];
  for (let i = 0; i < runs; i += 1) {
    const context = await newContext(options);
    try {
      const before = demo.stats();
      const { page, result: initial } = await openTab(context);
      firstLoad.push(requestsSince(demo, before));
      if (initial.error?.code !== 'login_required')
        throw new Error(`the first load should be signed out, got ${JSON.stringify(initial)}`);
      const { result, timing, requests } = await login(page);
      if (result.tokenAt === null)
        throw new Error(`the callback did not produce a token: ${JSON.stringify(result.error)}`);
      if (!(await isUsable(page, result.token)))
        throw new Error('the protected API refused the token from the callback');
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
  return {
    fromFetch,
    fromNavigation,
    untilReady,
    tokenRequest,
    afterTokenResponse,
    firstLoad,
    callbackRequests,
    reloadRequests,
  };
}

/** getAccessToken with a fresh token in memory: sequential calls per second. */
async function warmCacheScenario() {
  const context = await newContext();
  try {
    const { page } = await openTab(context);
    await login(page);
    await page.evaluate(async (n) => {
      for (let j = 0; j < n; j += 1) await window.client.getAccessToken();
    }, WARM_UP_CALLS);
    const callsPerSecond = [],
      runMs = [];
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
async function concurrentScenario(options = {}) {
  const tokenRequests = [],
    failures = [],
    distinctTokens = [];
  let context;
  try {
    let page;
    for (let i = 0; i < runs; i += 1) {
      // With DPoP, every 2 runs: the provider accepts a proof's iat (from the page's jumped clock) within 300 s.
      if (i % (options.dpop ? 2 : 20) === 0) {
        await context?.close();
        context = await newContext(options, { clock: true });
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

/** Reload → token with cache: 'indexeddb' in a single tab: the stored session, checked with one refresh grant. */
async function reloadScenario() {
  const context = await newContext({ cache: 'indexeddb' });
  try {
    const { page } = await openTab(context);
    await login(page);
    const ms = [],
      sdkMs = [],
      requests = [];
    for (let i = 0; i < runs; i += 1) {
      const { result, requests: counted } = await reload(page);
      if (result.tokenAt === null || result.status !== 'authenticated')
        throw new Error(`reload ${i + 1} came back ${outcome(result)}`);
      if (!(await isUsable(page, result.token)))
        throw new Error(`the protected API refused the token after reload ${i + 1}`);
      ms.push(result.tokenAt);
      sdkMs.push(result.tokenAt - result.scriptAt);
      requests.push(counted);
    }
    return { ms, sdkMs, requests };
  } finally {
    await context.close();
  }
}

/** A new tab next to a signed-in one (same context: same origin, locks, channel and IndexedDB), `cache` as given. */
async function newTabScenario(cache) {
  const context = await newContext({ cache });
  try {
    const { page: sibling } = await openTab(context);
    await login(sibling);
    const ms = [],
      sdkMs = [],
      requests = [];
    for (let i = 0; i < runs; i += 1) {
      const siblingToken = await sibling.evaluate(() => window.client.getAccessToken()); // fresh in memory: no request
      const before = demo.stats();
      const { page: tab, result } = await openTab(context);
      const counted = requestsSince(demo, before);
      try {
        if (result.tokenAt === null || result.status !== 'authenticated')
          throw new Error(`new tab ${i + 1} came back ${outcome(result)}`);
        if (result.token !== siblingToken)
          throw new Error(`new tab ${i + 1} got another access token than its sibling`);
        const sharing = await tab.evaluate(() => window.client.countTabs());
        if (sharing !== 2) throw new Error(`new tab ${i + 1}: countTabs() is ${sharing}, expected 2`);
        if (!(await isUsable(tab, result.token)))
          throw new Error(`the protected API refused the token of new tab ${i + 1}`);
      } finally {
        await tab.close();
      }
      ms.push(result.tokenAt);
      sdkMs.push(result.tokenAt - result.scriptAt);
      requests.push(counted);
    }
    return { ms, sdkMs, requests };
  } finally {
    await context.close();
  }
}

/**
 * In one tab: waits until the wall-clock time `at` (when given), then asks for an access token (forced or not), and
 * reports when it asked and the outcome. Serialised by Playwright into each page.
 */
async function renewInPage({ at, force }) {
  if (at !== undefined) await new Promise((r) => setTimeout(r, at - Date.now()));
  const startedAt = at === undefined ? null : performance.timeOrigin + performance.now();
  try {
    return { startedAt, token: await window.client.getAccessToken({ forceRefresh: force }) };
  } catch (e) {
    return { startedAt, error: e?.code ?? 'unknown' };
  }
}

/**
 * Three signed-in tabs renewing at the same moment, TAB_ROUNDS rounds, `cache` as given. `how`:
 * - 'forced': every tab calls getAccessToken({ forceRefresh: true }) at one shared wall-clock instant (each tab waits
 *   for it on its own timer; the spread of the actual start times is reported);
 * - 'expired': the pages' clock jumps past the access token's lifetime, then every tab calls getAccessToken().
 * Counts the token requests and invalid_grant responses at the provider per round, and checks afterwards that every
 * tab is still signed in with a token the API accepts.
 */
async function tabsScenario(cache, how, options = {}) {
  const clock = how === 'expired';
  const servers = clock ? clockDemo : demo;
  const context = await newContext({ cache, ...options }, { clock });
  try {
    const { page: first } = await openTab(context);
    await login(first);
    const tabs = [first];
    for (let i = 1; i < TAB_COUNT; i += 1) {
      const { page, result } = await openTab(context);
      tabs.push(page);
      if (result.status !== 'authenticated')
        throw new Error(`tab ${i + 1} did not share the session: ${outcome(result)}`);
    }
    const sharing = await first.evaluate(() => window.client.countTabs());
    if (sharing !== TAB_COUNT) throw new Error(`countTabs() is ${sharing}, expected ${TAB_COUNT}`);
    const tokenRequests = [],
      refreshGrants = [],
      invalidGrant = [],
      failures = [],
      failureCodes = {},
      startSpreadMs = [],
      distinctTokens = [];
    for (let round = 0; round < TAB_ROUNDS; round += 1) {
      const before = servers.stats();
      let outcomes;
      if (clock) {
        await context.clock.fastForward(PAST_EXPIRY_MS);
        outcomes = await Promise.all(tabs.map((tab) => tab.evaluate(renewInPage, { force: false })));
      } else {
        const at = Date.now() + ARM_MS;
        outcomes = await Promise.all(tabs.map((tab) => tab.evaluate(renewInPage, { at, force: true })));
        const starts = outcomes.map((o) => o.startedAt);
        startSpreadMs.push(Math.max(...starts) - Math.min(...starts));
      }
      const requests = requestsSince(servers, before);
      tokenRequests.push(requests.token);
      refreshGrants.push(requests.refresh);
      invalidGrant.push(requests.invalidGrant);
      const codes = outcomes.filter((o) => o.error !== undefined).map((o) => o.error);
      failures.push(codes.length);
      for (const code of codes) failureCodes[code] = (failureCodes[code] ?? 0) + 1;
      distinctTokens.push(new Set(outcomes.filter((o) => o.token !== undefined).map((o) => o.token)).size);
    }
    // Untimed, after the rounds: is every tab still signed in, with a token the API accepts?
    let signedInAfter = 0;
    for (const tab of tabs) {
      const { status, token } = await tab.evaluate(async () => ({
        status: window.client.getState().status,
        token: await window.client.getAccessToken().catch(() => null),
      }));
      if (status === 'authenticated' && token !== null && (await isUsable(tab, token))) signedInAfter += 1;
    }
    return {
      tokenRequests,
      refreshGrants,
      invalidGrant,
      failures,
      failureCodes,
      startSpreadMs,
      distinctTokens,
      signedInAfter,
    };
  } finally {
    await context.close();
  }
}

/**
 * Signs in on one tab of a fake-clock context and opens LOAD_TABS − 1 more; returns the tabs. The pages' clock is
 * Playwright's: it only moves when the bench moves it, in every tab of the context at once.
 */
async function loadTabs(context) {
  const { page: first } = await openTab(context);
  await login(first);
  const tabs = [first];
  for (let i = 1; i < LOAD_TABS; i += 1) {
    const { page, result } = await openTab(context);
    tabs.push(page);
    if (result.status !== 'authenticated')
      throw new Error(`tab ${i + 1} did not share the session: ${outcome(result)}`);
  }
  return tabs;
}

/** One simulated second: every tab calls getAccessToken() once (all at the same instant), then the clock moves 1 s. */
async function loadSecond(context, tabs) {
  const outcomes = await Promise.all(tabs.map((tab) => tab.evaluate(renewInPage, { force: false })));
  await context.clock.runFor(1000);
  return outcomes;
}

/**
 * Issue 13's load: one user, LOAD_TABS tabs, each calling getAccessToken() every second, 90 s access tokens, for
 * --load-minutes simulated minutes. Time is compressed honestly: the SDK decides when to renew only from the pages'
 * clock (expires_in counted from the response, the renewal margin, timers), and that clock is Playwright's, moved one
 * second per step after every tab's call of that second has settled, so each renewal happens at the simulated instant
 * it would in real time. The provider's own clock runs in real time (a few minutes for a simulated hour); the SDK
 * checks ID tokens on the provider's clock (estimated from each new ID token's iat), so that gap is harmless. Token
 * requests are counted at the provider; the per-hour figure is that count × 3600 / the seconds that passed on the
 * pages' clock (a little more than --load-minutes × 60, since Playwright's clock also ticks in real time).
 */
async function loadScenario() {
  const context = await newContext({}, { clock: true });
  try {
    const tabs = await loadTabs(context);
    const before = clockDemo.stats();
    const pageNow = () => tabs[0].evaluate(() => Date.now());
    const startedAt = await pageNow();
    const failureCodes = {};
    let calls = 0;
    let failures = 0;
    for (let s = 0; s < loadMinutes * 60; s += 1) {
      for (const o of await loadSecond(context, tabs)) {
        calls += 1;
        if (o.error !== undefined) {
          failures += 1;
          failureCodes[o.error] = (failureCodes[o.error] ?? 0) + 1;
        }
      }
    }
    const requests = requestsSince(clockDemo, before);
    // Playwright's installed clock also ticks in real time between the steps: count the simulated time the pages saw.
    const simulatedSeconds = ((await pageNow()) - startedAt) / 1000;
    const last = await tabs[0].evaluate(renewInPage, { force: false });
    if (last.token === undefined || !(await isUsable(tabs[0], last.token)))
      throw new Error('the last token is not accepted by the API');
    return {
      minutes: loadMinutes,
      simulatedSeconds,
      tabs: LOAD_TABS,
      calls,
      failures,
      failureCodes,
      tokenRequests: requests.token,
      invalidGrant: requests.invalidGrant,
      perHour: (requests.token * 3600) / simulatedSeconds,
    };
  } finally {
    await context.close();
  }
}

/**
 * Issue 13's outage: the same 5 tabs, and the token endpoint unreachable (Playwright aborts the requests, as when
 * offline) for OUTAGE_SECONDS simulated seconds from the moment renewal is due (81 s into a 90 s token). Counts the
 * token requests the tabs tried during the outage, the calls that still got a token, and whether the first request
 * after the outage succeeded.
 */
async function outageScenario() {
  const context = await newContext({}, { clock: true });
  try {
    const tabs = await loadTabs(context);
    // The outage starts with the first token request after the first renewal: the moment the next renewal is due.
    let second = 0;
    let armed = false;
    let outageFrom;
    let tried = 0;
    const inOutage = () => outageFrom !== undefined && second < outageFrom + OUTAGE_SECONDS;
    const tokenUrl = `${clockDemo.issuer}/token`;
    await context.route(tokenUrl, (route) => {
      if (armed && outageFrom === undefined) outageFrom = second;
      if (!inOutage()) return route.continue();
      tried += 1;
      return route.abort('internetdisconnected');
    });
    const before = clockDemo.stats();
    let tokens = 0;
    const codes = {};
    while (outageFrom === undefined || inOutage()) {
      if (second > 400) throw new Error('the outage never started or never ended');
      armed ||= requestsSince(clockDemo, before).refresh > 0;
      const outcomes = await loadSecond(context, tabs);
      if (inOutage()) {
        for (const o of outcomes) {
          if (o.token !== undefined) tokens += 1;
          else codes[o.error] = (codes[o.error] ?? 0) + 1;
        }
      }
      second += 1;
    }
    const duringOutage = tried;
    const afterStart = clockDemo.stats();
    let waited = 0;
    while (requestsSince(clockDemo, afterStart).token === 0) {
      if ((waited += 1) > 60) throw new Error('no renewal within 60 s after the outage');
      await loadSecond(context, tabs);
    }
    const after = requestsSince(clockDemo, afterStart);
    const last = await Promise.all(tabs.map((tab) => tab.evaluate(renewInPage, { force: false })));
    const firstAfterSucceeded =
      after.token === 1 &&
      after.refresh === 1 &&
      after.invalidGrant === 0 &&
      last.every((o) => o.token === last[0].token);
    if (!firstAfterSucceeded || !(await isUsable(tabs[0], last[0].token)))
      throw new Error(`the first renewal after the outage did not work: ${JSON.stringify({ after, last })}`);
    return {
      outageSeconds: OUTAGE_SECONDS,
      duringOutage,
      tokens,
      failureCodes: codes,
      secondsToFirstRenewalAfter: waited,
      firstAfterSucceeded,
    };
  } finally {
    await context.close();
  }
}

/** What a settled bench page ended with, for error messages. */
function outcome(result) {
  return `${result.status ?? 'failed'} (${result.error ? `${result.error.code}: ${result.error.message}` : 'no error'})`;
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
/** "1" when every run counted the same, else "0–2" (min–max). */
function range(values) {
  const s = stats(values);
  return s.min === s.max ? String(s.min) : `${s.min}–${s.max}`;
}

/** A text table; a row whose second cell is a string (a failed scenario) prints that text after its label. */
function table(rows) {
  const header = ['metric', 'median', 'min', 'max', 'notes'];
  const cells = rows.map(([label, s, unit, note = '', digits = 1]) => {
    if (typeof s === 'string') return [label, `${s}: ${note}`];
    const f = (x) =>
      `${x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
    return [label, f(s.median), f(s.min), f(s.max), note];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.filter((c) => c.length > 2 || i === 0).map((c) => c[i].length)),
  );
  const line = (c) =>
    c.length === 2
      ? `${c[0].padEnd(widths[0])}  ${c[1]}`
      : c
          .map((x, i) => (i >= 1 && i <= 3 ? x.padStart(widths[i]) : x.padEnd(widths[i])))
          .join('  ')
          .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function requestRow(label, list) {
  if (!list?.length) return [label, FAILED];
  const m = (key) => stats(column(list, key)).median;
  return [label, m('discovery'), m('authorize'), m('token'), m('jwks')];
}

function requestTable(rows) {
  const header = ['page load (median requests at the provider)', 'discovery', 'authorize', 'token', 'jwks'];
  const cells = rows.map((r) => r.map(String));
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.filter((c) => c.length > 2 || i === 0).map((c) => c[i].length)),
  );
  const line = (c) =>
    c.length === 2
      ? `${c[0].padEnd(widths[0])}  ${c[1]}`
      : c
          .map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i])))
          .join('  ')
          .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The row of a scenario that threw: its label, then "FAILED: why". */
const failedRow = (label, r) => [label, FAILED, '', r.failed];

/** Requests per page load, as min–max over the runs (a row of the speed table's notes). */
function perLoad(list, what) {
  return (
    `per ${what}: authorize ${range(column(list, 'authorize'))}, token ${range(column(list, 'token'))}, ` +
    `discovery ${range(column(list, 'discovery'))}, invalid_grant ${sum(column(list, 'invalidGrant'))} in total`
  );
}

function tabsRow(label, r) {
  if (r.failed) return failedRow(label, r);
  const failures = sum(r.failures);
  const spread = r.startSpreadMs.length ? `, start spread median ${stats(r.startSpreadMs).median.toFixed(1)} ms` : '';
  return [
    label,
    stats(r.tokenRequests),
    '',
    `per round; total ${sum(r.tokenRequests)}, invalid_grant ${sum(r.invalidGrant)}, ` +
      `failures ${failures}${failures ? ` ${JSON.stringify(r.failureCodes)}` : ''}${spread}, ` +
      `${r.signedInAfter}/${TAB_COUNT} tabs signed in after`,
    0,
  ];
}

function report(machine, r) {
  const rows = [
    ...(r.callback.failed
      ? [failedRow('callback → token', r.callback)]
      : [
          [
            'callback → token (from the callback URL fetch)',
            stats(r.callback.fromFetch),
            'ms',
            'handleRedirectCallback + getAccessToken, token usable at the API',
          ],
          [
            'callback → token (from navigation start)',
            stats(r.callback.fromNavigation),
            'ms',
            "also counts the provider's own redirect hops",
          ],
          [
            '  of which until createPkceClient resolved',
            stats(r.callback.untilReady),
            'ms',
            'HTML, script, client, cached discovery',
          ],
          ['  of which the token request', stats(r.callback.tokenRequest), 'ms', 'authorization_code grant round trip'],
          [
            '  of which after the token response',
            stats(r.callback.afterTokenResponse),
            'ms',
            'response → token in hand',
          ],
        ]),
    r.reload.failed
      ? failedRow('reload → token, cache: indexeddb', r.reload)
      : [
          'reload → token, cache: indexeddb',
          stats(r.reload.ms),
          'ms',
          `from navigation start, one tab; ${perLoad(r.reload.requests, 'reload')}`,
        ],
    ...(r.reload.failed
      ? []
      : [
          [
            "  of which from the page script's start",
            stats(r.reload.sdkMs),
            'ms',
            'IndexedDB read + decrypt, refresh grant, encrypt + write',
          ],
        ]),
    ...CACHES.flatMap((cache) =>
      r.newTab[cache].failed
        ? [failedRow(`new tab → token, signed-in sibling, cache: ${cache}`, r.newTab[cache])]
        : [
            [
              `new tab → token, signed-in sibling, cache: ${cache}`,
              stats(r.newTab[cache].ms),
              'ms',
              `from navigation start; ${perLoad(r.newTab[cache].requests, 'tab')}`,
            ],
            [
              "  of which from the page script's start",
              stats(r.newTab[cache].sdkMs),
              'ms',
              "Web Locks query, BroadcastChannel hello → sibling's answer",
            ],
          ],
    ),
    r.warm.failed
      ? failedRow('getAccessToken, warm cache', r.warm)
      : [
          'getAccessToken, warm cache',
          stats(r.warm.callsPerSecond),
          'calls/s',
          `${WARM_CALLS.toLocaleString('en-US')} sequential calls per run, ${stats(r.warm.runMs).median.toFixed(2)} ms median (page timer resolution 0.1 ms)`,
          0,
        ],
    r.concurrent.failed
      ? failedRow(`${CONCURRENT_CALLS} concurrent calls, expired token`, r.concurrent)
      : [
          `${CONCURRENT_CALLS} concurrent calls, expired token: token requests`,
          stats(r.concurrent.tokenRequests),
          '',
          `must be 1; failures ${sum(r.concurrent.failures)}, distinct tokens per run ${[...new Set(r.concurrent.distinctTokens)].join('/')}`,
          0,
        ],
    ...CACHES.map((cache) =>
      tabsRow(`${TAB_COUNT} tabs forceRefresh at once × ${TAB_ROUNDS}, ${cache}: token requests`, r.tabsForced[cache]),
    ),
    ...CACHES.map((cache) =>
      tabsRow(
        `${TAB_COUNT} tabs, token expired at once × ${TAB_ROUNDS}, ${cache}: token requests`,
        r.tabsExpired[cache],
      ),
    ),
    // The same flows with DPoP-bound tokens and a pushed authorization request (client pkce-spa-dpop).
    ...(r.dpop.callback.failed
      ? [failedRow('DPoP + PAR: callback → token', r.dpop.callback)]
      : [
          [
            'DPoP + PAR: callback → token (from the callback URL fetch)',
            stats(r.dpop.callback.fromFetch),
            'ms',
            `key from IndexedDB, proof-signed code grant; ${perLoad(r.dpop.callback.callbackRequests, 'callback')}`,
          ],
          [
            '  of which until createPkceClient resolved',
            stats(r.dpop.callback.untilReady),
            'ms',
            'HTML, script, client, cached discovery',
          ],
          [
            '  of which the token request',
            stats(r.dpop.callback.tokenRequest),
            'ms',
            'authorization_code grant with a DPoP proof',
          ],
          [
            '  of which after the token response',
            stats(r.dpop.callback.afterTokenResponse),
            'ms',
            'response → token in hand',
          ],
        ]),
    r.dpop.concurrent.failed
      ? failedRow(`DPoP: ${CONCURRENT_CALLS} concurrent calls, expired token`, r.dpop.concurrent)
      : [
          `DPoP: ${CONCURRENT_CALLS} concurrent calls, expired token: token requests`,
          stats(r.dpop.concurrent.tokenRequests),
          '',
          `must be 1; failures ${sum(r.dpop.concurrent.failures)}, distinct tokens per run ${[...new Set(r.dpop.concurrent.distinctTokens)].join('/')}`,
          0,
        ],
    ...CACHES.map((cache) =>
      tabsRow(
        `DPoP: ${TAB_COUNT} tabs forceRefresh at once × ${TAB_ROUNDS}, ${cache}: token requests`,
        r.dpop.tabsForced[cache],
      ),
    ),
  ];
  const { load, outage } = r;
  const loadLines = [
    `renewal load (issue 13): one user, ${LOAD_TABS} tabs, getAccessToken() per tab per second, 90 s access tokens, pages' clock simulated`,
    load.failed
      ? `  pkce-spa: FAILED: ${load.failed}`
      : `  pkce-spa now: ${load.perHour.toFixed(1)} token requests per user-hour (${load.tokenRequests} in ${(load.simulatedSeconds / 60).toFixed(1)} simulated min; ${load.calls.toLocaleString('en-US')} calls, ${load.failures} failed${load.failures ? ` ${JSON.stringify(load.failureCodes)}` : ''}, invalid_grant ${load.invalidGrant})`,
    ...PEERS.map(([name, perHour]) => `  ${name}: ${perHour} per user-hour (quoted from issue 13, not run here)`),
    outage.failed
      ? `  ${OUTAGE_SECONDS} s token-endpoint outage: FAILED: ${outage.failed}`
      : `  ${OUTAGE_SECONDS} s token-endpoint outage from the moment renewal is due: ${outage.duringOutage} token requests during it; ` +
        `${outage.tokens} calls still got the valid token, then fast failures ${JSON.stringify(outage.failureCodes)}; ` +
        `first request after it ${outage.firstAfterSucceeded ? 'succeeded' : 'FAILED'}, ${outage.secondsToFirstRenewalAfter} s after the end`,
  ];
  const requests = [
    requestRow('first load, signed out (no discovery cache yet)', r.callback.firstLoad),
    requestRow('callback', r.callback.callbackRequests),
    requestRow('reload, cache: memory (signed out after)', r.callback.reloadRequests),
    requestRow('reload, cache: indexeddb', r.reload.requests),
    ...CACHES.map((cache) => requestRow(`new tab, signed-in sibling, cache: ${cache}`, r.newTab[cache].requests)),
    requestRow('DPoP + PAR: callback', r.dpop.callback.callbackRequests),
    requestRow('DPoP + PAR: reload, cache: memory (signed out after)', r.dpop.callback.reloadRequests),
  ];
  return [
    `pkce-spa bench: ${runs} run${runs === 1 ? '' : 's'} per row (tab rows: ${TAB_ROUNDS} rounds), ${new Date().toISOString()}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}; node ${machine.node}; Chromium ${machine.chromium} (headless)`,
    `dist/pkce-spa.min.js built ${machine.distBuiltAt}; 1-minute load average ${machine.loadAverageAtStart.toFixed(2)} at start, ${machine.loadAverageAtEnd.toFixed(2)} at the end (bench included)`,
    '',
    table(rows),
    '',
    requestTable(requests),
    '',
    ...loadLines,
  ].join('\n');
}

/** The headline numbers for results.json; a failed scenario shows as its error. */
function summary(r) {
  const or = (x, f) => (x.failed ? `FAILED: ${x.failed}` : f(x));
  const tabs = (x) =>
    or(x, (t) => ({
      tokenRequestsPerRound: stats(t.tokenRequests),
      invalidGrant: sum(t.invalidGrant),
      failures: sum(t.failures),
      signedInAfter: t.signedInAfter,
    }));
  return {
    callbackToTokenMs: or(r.callback, (x) => stats(x.fromFetch)),
    callbackToTokenFromNavigationMs: or(r.callback, (x) => stats(x.fromNavigation)),
    reloadToTokenIndexedDbMs: or(r.reload, (x) => stats(x.ms)),
    reloadIndexedDbRequests: or(r.reload, (x) => ({
      authorize: sum(column(x.requests, 'authorize')),
      token: sum(column(x.requests, 'token')),
      reloads: x.ms.length,
    })),
    newTabToTokenMs: Object.fromEntries(CACHES.map((c) => [c, or(r.newTab[c], (x) => stats(x.ms))])),
    newTabRequests: Object.fromEntries(
      CACHES.map((c) => [
        c,
        or(r.newTab[c], (x) => ({
          authorize: sum(column(x.requests, 'authorize')),
          token: sum(column(x.requests, 'token')),
          tabs: x.ms.length,
        })),
      ]),
    ),
    warmCallsPerSecond: or(r.warm, (x) => stats(x.callsPerSecond)),
    concurrentTokenRequests: or(r.concurrent, (x) => stats(x.tokenRequests)),
    concurrentFailures: or(r.concurrent, (x) => sum(x.failures)),
    tabsForceRefresh: Object.fromEntries(CACHES.map((c) => [c, tabs(r.tabsForced[c])])),
    tabsExpired: Object.fromEntries(CACHES.map((c) => [c, tabs(r.tabsExpired[c])])),
    loadTokenRequestsPerUserHour: or(r.load, (x) => ({
      perHour: x.perHour,
      simulatedMinutes: x.minutes,
      failures: x.failures,
      peers: Object.fromEntries(PEERS),
    })),
    outage: or(r.outage, (x) => ({
      seconds: x.outageSeconds,
      tokenRequestsDuring: x.duringOutage,
      firstAfterSucceeded: x.firstAfterSucceeded,
    })),
    dpop: {
      callbackToTokenMs: or(r.dpop.callback, (x) => stats(x.fromFetch)),
      concurrentTokenRequests: or(r.dpop.concurrent, (x) => stats(x.tokenRequests)),
      concurrentFailures: or(r.dpop.concurrent, (x) => sum(x.failures)),
      tabsForceRefresh: Object.fromEntries(CACHES.map((c) => [c, tabs(r.dpop.tabsForced[c])])),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------------
const loadAverageAtStart = os.loadavg()[0]; // other processes only: nothing of the bench runs yet
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
  // Our own SIGINT/SIGTERM handlers close everything in order (Playwright's would exit before the servers are closed).
  browser = await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  stoppers.push(() => browser.close());

  const machine = {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: browser.version(),
    distBuiltAt: statSync(IIFE).mtime.toISOString(),
    loadAverageAtStart,
  };
  console.error(`bench: ${runs} runs, demo at ${demo.appUrl} (provider ${demo.issuer}), Chromium ${machine.chromium}`);

  // A scenario that throws is reported as FAILED in its rows (and the exit code is 1); the others still run.
  const results = { newTab: {}, tabsForced: {}, tabsExpired: {}, dpop: { tabsForced: {} } };
  let failed = 0;
  const scenarios = [
    ['callback', callbackScenario, (x) => (results.callback = x)],
    ['warm', warmCacheScenario, (x) => (results.warm = x)],
    ['concurrent', concurrentScenario, (x) => (results.concurrent = x)],
    ['reload (indexeddb)', reloadScenario, (x) => (results.reload = x)],
    ...CACHES.map((c) => [`new tab (${c})`, () => newTabScenario(c), (x) => (results.newTab[c] = x)]),
    ...CACHES.map((c) => [
      `tabs forceRefresh (${c})`,
      () => tabsScenario(c, 'forced'),
      (x) => (results.tabsForced[c] = x),
    ]),
    ...CACHES.map((c) => [
      `tabs expired (${c})`,
      () => tabsScenario(c, 'expired'),
      (x) => (results.tabsExpired[c] = x),
    ]),
    ['DPoP callback', () => callbackScenario(DPOP), (x) => (results.dpop.callback = x)],
    ['DPoP concurrent', () => concurrentScenario(DPOP), (x) => (results.dpop.concurrent = x)],
    ...CACHES.map((c) => [
      `DPoP tabs forceRefresh (${c})`,
      () => tabsScenario(c, 'forced', DPOP),
      (x) => (results.dpop.tabsForced[c] = x),
    ]),
    ['load', loadScenario, (x) => (results.load = x)],
    ['outage', outageScenario, (x) => (results.outage = x)],
  ];
  for (const [name, scenario, put] of scenarios) {
    if (only && !only.has(name.split(' ')[0])) {
      put({ failed: 'not run (--only)' });
      continue;
    }
    const started = Date.now();
    try {
      put(await scenario());
      console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      if (aborted) throw e;
      failed += 1;
      put({ failed: String(e?.message ?? e).split('\n')[0] });
      console.error(`bench: ${name} FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s:`, e);
    }
  }

  machine.loadAverageAtEnd = os.loadavg()[0];
  console.log(report(machine, results));
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ date: new Date().toISOString(), runs, machine, summary: summary(results), raw: results }, null, 2)}\n`,
  );
  console.log(`\nwrote ${RESULTS.slice(ROOT.length + 1)}`);
  if (failed) {
    console.error(`bench: ${failed} scenario${failed === 1 ? '' : 's'} failed`);
    process.exitCode = 1;
  }
} catch (e) {
  if (!aborted) console.error('bench: failed:', e);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await stopAll();
}
