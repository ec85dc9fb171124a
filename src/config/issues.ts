// Configuration problems: each names the field (full path), what was expected and what was found,
// with the YAML line and column where known. Loaders collect every issue before reporting.
//
// Invariants:
// - `found` never contains a secret: values under secret-looking keys (and anything the validator
//   flags as a literal secret) are described by type and length only.
// - Issue codes are stable strings, for tests and tooling.

export type ConfigIssueCode =
  | 'YAML_SYNTAX'        // the text is not valid YAML (or has duplicate keys, too many aliases)
  | 'MISSING'            // a required field is absent
  | 'TYPE'               // wrong type (a list where a mapping was expected, ...)
  | 'VALUE'              // right type, invalid value (range, pattern, enum)
  | 'UNKNOWN_FIELD'      // a key the schema does not know (typos)
  | 'DUPLICATE'          // an id used twice
  | 'REFERENCE'          // a reference to an id that does not exist
  | 'CONFLICT'           // fields that contradict each other
  | 'SECRET_IN_CONFIG'   // a secret written into the YAML
  | 'CREDENTIALS'        // credentials could not be loaded (env var unset, file unreadable)
  | 'FILE_PERMISSIONS'   // a credentials file readable by group or other
  | 'INSTRUMENT';        // instrument metadata missing or inconsistent with the venue's endpoint

export interface ConfigIssue {
  readonly code: ConfigIssueCode;
  /** Full path of the field, e.g. `pairs[0].trigger.open`; '' for the whole document. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  /** 1-based position in the YAML source, when known. */
  readonly line?: number;
  readonly col?: number;
}

export function formatIssue(i: ConfigIssue, source = ''): string {
  const where = i.line !== undefined ? `${source ? source + ':' : ''}${i.line}:${i.col ?? 1}: ` : source ? `${source}: ` : '';
  return `${where}${i.path || '(document)'}: expected ${i.expected}, found ${i.found} [${i.code}]`;
}

/** Thrown by the loaders with every issue found. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly issues: readonly ConfigIssue[],
    readonly source = '',
  ) {
    super(`invalid configuration${source ? ` (${source})` : ''}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${issues.map((i) => '  ' + formatIssue(i, source)).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Keys whose values are secrets: never echoed, and refused as literal values in the YAML. */
export const SECRET_KEY = /(^|_|-)(secret|secret_?key|api_?key|apikey|passphrase|password|passwd|token|private_?key|signature)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || /^(secret|apiKey|secretKey|privateKey|passPhrase)$/i.test(key);
}

/** A number read from YAML together with its source text (decimals stay exact). */
export class YamlNumber {
  constructor(
    readonly value: number,
    readonly source: string,
  ) {}
}

/** Describes a found value for an error message (secrets redacted when `secret`). */
export function describe(v: unknown, secret = false): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (secret) {
    if (typeof v === 'string') return `a literal secret (string of ${v.length} characters, not shown)`;
    if (v instanceof YamlNumber || typeof v === 'number') return 'a literal secret (number, not shown)';
  }
  if (v instanceof YamlNumber) return `number ${v.source}`;
  if (typeof v === 'number') return `number ${String(v)}`;
  if (typeof v === 'boolean') return `boolean ${String(v)}`;
  if (typeof v === 'string') {
    const s = v.length > 60 ? v.slice(0, 57) + '...' : v;
    return v.length === 0 ? 'an empty string' : `string ${JSON.stringify(s)}`;
  }
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object);
    return keys.length === 0 ? 'an empty mapping' : `a mapping with keys ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}`;
  }
  return typeof v;
}
