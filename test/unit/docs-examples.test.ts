import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('docs/react.md, vue.md, testing.md', () => {
  for (const doc of ['react', 'vue', 'testing']) {
    it(`${doc}.md: every code block naming an examples/ file is that file, as type-checked by npm test`, () => {
      const text = readFileSync(resolve(root, `docs/${doc}.md`), 'utf8');
      const blocks = [...text.matchAll(/```\w+\n(\/\/ (examples\/[\w./-]+)[^\n]*\n[\s\S]*?)```/g)];
      expect(blocks.length).toBeGreaterThan(0);
      for (const [, code, file] of blocks)
        expect(code!.trimEnd(), file).toBe(readFileSync(resolve(root, file!.replace(/:$/, '')), 'utf8').trimEnd());
    });
  }
});
