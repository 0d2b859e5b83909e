/**
 * `npm start` builds only what is stale (scripts/stale.mjs) and, on a built tree, builds nothing: the staleness check
 * on a scratch tree, then `node demo/start.mjs` on this checkout as `npm start` runs it. Times are measured (see
 * CONTRIBUTING.md), not asserted here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStarted, PARTS, ROOT, staleReason } from '../../scripts/stale.mjs';

describe('the staleness check', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  /** What a build of the demos does: stamp the start, write every output, stamp success. */
  const buildDemos = () => {
    const built = buildStarted('demos', root);
    for (const output of PARTS.demos.outputs) write(output, `built from ${output}`);
    built();
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pkce-spa-stale-'));
    write('demo/react/main.tsx', 'render(<App />)');
    write('demo/vue/main.ts', 'createApp(App)');
    write('dist/pkce-spa.mjs', 'export {}');
    write('dist/chunks/core.mjs', 'export {}');
    write('package-lock.json', '{}');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds a part never built stale, and the same part fresh on the second check after its build', () => {
    expect(staleReason('demos', root)).toBe('never built');
    buildDemos();
    expect(staleReason('demos', root)).toBeUndefined();
    expect(staleReason('demos', root)).toBeUndefined();
  });

  it('rebuilds nothing for an input that was only touched, and moves the stamp past it', async () => {
    buildDemos();
    const stampTime = () => JSON.parse(readFileSync(join(root, '.cache/demos.json'), 'utf8')).startedAt as number;
    const before = stampTime();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = new Date();
    utimesSync(join(root, 'demo/vue/main.ts'), now, now);
    expect(staleReason('demos', root)).toBeUndefined();
    expect(stampTime()).toBeGreaterThan(before);
    expect(staleReason('demos', root)).toBeUndefined();
  });

  it('finds an edited input, a new input, a deleted input and a deleted output', () => {
    buildDemos();
    write('dist/chunks/core.mjs', 'export const edited = 1;');
    expect(staleReason('demos', root)).toBe('dist/chunks/core.mjs changed');

    buildDemos();
    write('demo/react/extra.tsx', 'export {}');
    expect(staleReason('demos', root)).toBe('demo/react/extra.tsx is new');

    buildDemos();
    rmSync(join(root, 'demo/react/extra.tsx'));
    expect(staleReason('demos', root)).toBe('demo/react/extra.tsx was deleted');

    buildDemos();
    rmSync(join(root, PARTS.demos.outputs[0]));
    expect(staleReason('demos', root)).toBe(`${PARTS.demos.outputs[0]} is missing`);
  });

  it('finds an input edited during the build stale on the next check', () => {
    const built = buildStarted('demos', root);
    for (const output of PARTS.demos.outputs) write(output, 'built');
    write('demo/vue/main.ts', 'createApp(App).mount("#app")');
    built();
    expect(staleReason('demos', root)).toBe('demo/vue/main.ts changed');
  });
});

describe('npm start on this checkout, built (npm test builds it first)', () => {
  let start: ChildProcess | undefined;
  afterAll(() => {
    start?.kill('SIGKILL');
  });

  it('finds nothing stale, builds nothing, serves every page once the URLs are printed, and Ctrl+C stops it', async () => {
    // Check first, without building: a build here would rewrite dist/ under the other test files.
    const check = spawnSync(process.execPath, ['demo/start.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(check.stdout, 'run `npm run build && node scripts/build-demo.mjs` first').toBe('nothing is stale\n');
    expect(check.status).toBe(0);

    const child = spawn(process.execPath, ['demo/start.mjs'], {
      cwd: ROOT,
      env: { ...process.env, OP_PORT: '0', APP_PORT: '0', DEMO_ORIGINS: '' },
    });
    start = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => output.includes('Press Ctrl+C to stop.') && resolve());
      child.on('exit', (code) => reject(new Error(`demo/start.mjs exited with ${code}:\n${output}`)));
    });
    expect(output).toContain('Nothing to build: dist/ and demo/build/ are up to date.');
    expect(output).not.toMatch(/warn|building/i);

    const url = (label: string) => new RegExp(`${label}:\\s+(http://localhost:\\d+\\S*)`).exec(output)?.[1] ?? '';
    const pages = [
      url('Demo app'),
      url('React'),
      url('Vue'),
      `${url('Authorization server')}/.well-known/openid-configuration`,
    ];
    for (const page of pages) expect((await fetch(page)).status, page).toBe(200);
    const vanilla = await (await fetch(pages[0])).text();
    expect(vanilla).toContain('pkce-spa.min.js');

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    start = undefined;
    for (const page of pages) await expect(fetch(page)).rejects.toThrow();
  });
});
