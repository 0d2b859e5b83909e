// Type declarations for scripts/stale.mjs (plain ESM JavaScript).

/** The repository's root directory. */
export const ROOT: string;

/** A build step: `bundles` (rollup), `types` (tsc) or `demos` (vite). */
export type Part = 'bundles' | 'types' | 'demos';

/** Each part's inputs and outputs, as paths relative to the repository (a directory means every file under it). */
export const PARTS: Record<Part, { inputs: string[]; outputs: string[] }>;

/** Why `part` must be built (`never built`, `dist/x is missing`, `src/a.ts changed`, ...), or undefined when fresh. */
export function staleReason(part: Part, root?: string): string | undefined;

/** Call when a build of `part` starts; call the returned function once it succeeded (it writes the stamp). */
export function buildStarted(part: Part, root?: string): () => void;

/** Forgets that `part` was built. */
export function forget(part: Part, root?: string): void;
