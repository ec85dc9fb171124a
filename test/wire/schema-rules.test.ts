// Schema rules that keep BigInt off the hot path: no 64-bit integer field in any src/wire/*.fbs
// (flatc maps long/ulong/int64/uint64 to bigint in TypeScript), and no bigint in the generated
// code. Doubles carry the values that exceed 32 bits.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

const WIRE = join(PACKAGE_ROOT, 'src', 'wire');

/** Lines of a schema with comments removed. */
function schemaLines(file: string): { line: number; text: string }[] {
  return readFileSync(join(WIRE, file), 'utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, text: text.replace(/\/\/.*$/, '') }));
}

describe('wire schema rules', () => {
  const schemas = readdirSync(WIRE).filter((f) => f.endsWith('.fbs'));

  it('has schemas to check', () => {
    expect(schemas).toContain('xmc.fbs');
  });

  it('declares no 64-bit integer field, vector element or enum base type', () => {
    const offenders = schemas.flatMap((f) =>
      schemaLines(f)
        .filter((l) => /:\s*\[?\s*(long|ulong|int64|uint64)\b/.test(l.text))
        .map((l) => `${f}:${l.line}: ${l.text.trim()}`),
    );
    expect(offenders, `64-bit integers become BigInt in JS; use double:\n${offenders.join('\n')}`).toEqual([]);
  });

  it('generated code never produces or takes a bigint', () => {
    const gen = join(WIRE, 'generated');
    const offenders = readdirSync(gen)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        readFileSync(join(gen, f), 'utf8')
          .split('\n')
          .map((text, i) => ({ f, line: i + 1, text }))
          .filter((l) => /\bbigint\b|BigInt\(|readU?[Ii]nt64|addFieldInt64/.test(l.text))
          .map((l) => `${l.f}:${l.line}: ${l.text.trim()}`),
      );
    expect(offenders, offenders.join('\n')).toEqual([]);
  });
});
