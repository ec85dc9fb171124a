import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, compiledModule } from '../src/paths.js';

describe('paths', () => {
  it('finds the package root and the compiled module of a source file', () => {
    expect(existsSync(join(PACKAGE_ROOT, 'package.json'))).toBe(true);
    expect(compiledModule('src/paths.ts')).toBe(join(PACKAGE_ROOT, 'dist/src/paths.js'));
  });
  it('says to build when a compiled module is missing', () => {
    expect(() => compiledModule('src/no-such-module.ts')).toThrow(/npm run build/);
  });
});
