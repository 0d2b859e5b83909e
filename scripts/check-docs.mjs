// Type-checks every TypeScript sample in README.md, CONTRIBUTING.md and docs/*.md (`npm test` runs it).
//
// Fences ```ts, ```typescript and ```tsx are checked; ```ts nocheck (a sample that is deliberately partial) and every
// other language (```js, ```html, ```sh) are not. Each sample becomes its own module in tmp/doc-samples/, compiled with
// the project's strict settings against src/ (imported as `pkce-spa`, `pkce-spa/react`, `pkce-spa/vue` and
// `pkce-spa/testing`, as users write it). The names samples use without declaring them (an app's own `render`, `router`, `App`, ...) are declared
// once in PRELUDE below; a sample can also declare what it needs with `declare const`. Errors are reported at the line
// of the Markdown file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'tmp', 'doc-samples');

/** What the samples take from the app around them. */
const PRELUDE = `import type { AuthState, PkceClient } from 'pkce-spa';
declare global {
  /** An app's own things that samples call without defining them. */
  const loginButton: HTMLButtonElement;
  const logoutButton: HTMLButtonElement;
  const button: HTMLButtonElement;
  const auth: PkceClient;
  const client: PkceClient;
  function render(state: AuthState): void;
  function showLoginButton(): void;
  function showError(message: string): void;
  function navigate(to: string): void;
  const router: {
    beforeEach(guard: (to: { fullPath: string; meta: Record<string, unknown> }) => unknown): void;
    replace(to: string): unknown;
    onError(handler: (error: unknown) => void): void;
    install(app: unknown): void;
  };
  const App: any;
}
export {};
`;

/** The Markdown files whose samples are checked. */
export function docFiles() {
  const docs = existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f))
    : [];
  return ['README.md', 'CONTRIBUTING.md', ...docs].filter((f) => existsSync(join(ROOT, f)));
}

/** The fenced samples of one Markdown text: language, info string, first line (1-based) and code. */
export function samples(markdown) {
  const found = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, info] = open;
    const body = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) body.push(lines[j++].slice(indent.length));
    found.push({ lang, info: info.trim(), line: i + 2, code: body.join('\n') });
    i = j;
  }
  return found;
}

const CHECKED = { ts: 'ts', typescript: 'ts', tsx: 'tsx' };

function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'prelude.d.ts'), PRELUDE);
  const origin = new Map();
  let count = 0;
  for (const file of docFiles()) {
    for (const s of samples(readFileSync(join(ROOT, file), 'utf8'))) {
      const ext = CHECKED[s.lang];
      if (!ext || /\bnocheck\b/.test(s.info)) continue;
      const name = `${file.replace(/[/.]/g, '_')}-${s.line}.${ext}`;
      // `export {}` makes each sample a module of its own, so two samples may both declare `client`.
      writeFileSync(join(OUT, name), `${s.code}\nexport {};\n`);
      origin.set(name, { file, line: s.line });
      count += 1;
    }
  }
  const src = (p) => [relative(OUT, join(ROOT, 'src', p))];
  const tsconfig = {
    extends: relative(OUT, join(ROOT, 'tsconfig.json')),
    compilerOptions: {
      noEmit: true,
      declaration: false,
      jsx: 'react-jsx',
      types: [],
      noUnusedLocals: false,
      paths: {
        'pkce-spa': src('index.ts'),
        'pkce-spa/react': src('react/index.ts'),
        'pkce-spa/vue': src('vue/index.ts'),
        'pkce-spa/testing': src('testing/index.ts'),
      },
    },
    include: ['./*.ts', './*.tsx'],
  };
  writeFileSync(join(OUT, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(OUT, 'tsconfig.json'), '--pretty', 'false'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
      },
    );
  } catch (e) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    // tmp/doc-samples/README_md-25.ts(3,5): error TS... -> README.md:27:5: error TS...
    const mapped = out.replace(/^(?:.*[\\/])?([\w-]+\.tsx?)\((\d+),(\d+)\)/gm, (whole, name, line, col) => {
      const at = origin.get(name);
      return at ? `${at.file}:${at.line + Number(line) - 1}:${col}` : whole;
    });
    console.error(
      `docs: a code sample does not type-check (fix it, or fence it as \`\`\`ts nocheck when it is partial on purpose):\n${mapped.trim()}`,
    );
    process.exit(1);
  }
  console.log(`docs: ${count} TypeScript samples type-check (${docFiles().join(', ')})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
