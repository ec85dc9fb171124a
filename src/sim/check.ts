// Config validation helpers for the simulator (matching engine, ledger, market generator).
//
// Every failure is a SimConfigError naming the field (a dotted path such as
// `venues[1].dislocation.probPerStep`), what was expected and what was found, so a bad config is
// rejected before anything runs. Pure: no I/O.

export class SimConfigError extends Error {
  readonly code = 'SIM_CONFIG';
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly found: unknown,
  ) {
    super(`sim config: ${field}: expected ${expected}, found ${describe(found)}`);
    this.name = 'SimConfigError';
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 60) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function record(v: unknown, field: string): Record<string, unknown> {
  if (!isRecord(v)) throw new SimConfigError(field, 'an object', v);
  return v;
}

/** Rejects keys not in `allowed` (catches typos such as `probPerstep`). */
export function knownKeys(v: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new SimConfigError(`${field}.${k}`, `one of the known fields (${allowed.join(', ')})`, 'an unknown field');
  }
}

export function num(v: unknown, field: string, min = -Infinity, max = Infinity, opts: { minExclusive?: boolean } = {}): number {
  const lo = opts.minExclusive ? `> ${min}` : `>= ${min}`;
  const range = min === -Infinity && max === Infinity ? 'a finite number' : max === Infinity ? `a number ${lo}` : `a number ${lo} and <= ${max}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SimConfigError(field, range, v);
  if ((opts.minExclusive ? v <= min : v < min) || v > max) throw new SimConfigError(field, range, v);
  return v;
}

export function int(v: unknown, field: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const what = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new SimConfigError(field, what, v);
  return v;
}

export function optNum(v: unknown, field: string, dflt: number, min = -Infinity, max = Infinity, opts: { minExclusive?: boolean } = {}): number {
  return v === undefined ? dflt : num(v, field, min, max, opts);
}

export function optInt(v: unknown, field: string, dflt: number, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  return v === undefined ? dflt : int(v, field, min, max);
}

export function str(v: unknown, field: string, nonEmpty = true): string {
  if (typeof v !== 'string' || (nonEmpty && v.length === 0)) throw new SimConfigError(field, nonEmpty ? 'a non-empty string' : 'a string', v);
  return v;
}

export function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], dflt?: T): T {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new SimConfigError(field, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v);
  return v as T;
}

export function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new SimConfigError(field, 'true or false', v);
  return v;
}
