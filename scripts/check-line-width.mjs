// Part of `npm run lint`: no line of src/ is wider than 120 characters. prettier wraps code at 120 but leaves long
// comments and strings alone; this catches those.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const WIDTH = 120;
const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|tsx|mts)$/.test(f));
const wide = files.flatMap((f) =>
  readFileSync(join('src', f), 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.length > WIDTH ? [`src/${f}:${i + 1}: ${line.length} characters`] : [])),
);
if (wide.length) {
  console.error(`Lines over ${WIDTH} characters (wrap the comment, or split the string with +):\n${wide.join('\n')}`);
  process.exit(1);
}
