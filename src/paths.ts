// Where the compiled project lives. Worker threads always run compiled JavaScript from dist/,
// whether their parent runs from dist/ (the CLI, benchmarks) or from TypeScript sources (vitest),
// so every `new Worker(...)` resolves its script through `compiledModule()`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`xmc: cannot find the package root above ${start}`);
    dir = parent;
  }
}

/** Absolute path of the project root (the folder holding package.json and tsconfig.json). */
export const PACKAGE_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * Absolute path of the compiled JavaScript for a source module, e.g.
 * `compiledModule('src/actors/actor-main.ts')` -> `<root>/dist/src/actors/actor-main.js`.
 * Throws with a clear message when the project has not been built (`npm run build`).
 */
export function compiledModule(sourcePath: string): string {
  const rel = sourcePath.replace(/\.ts$/, '.js');
  const file = join(PACKAGE_ROOT, 'dist', rel);
  if (!existsSync(file)) {
    throw new Error(`xmc: ${file} does not exist; run \`npm run build\` first`);
  }
  return file;
}
