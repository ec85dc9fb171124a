// Loading a venue's API credentials from where the configuration points: environment variables,
// or a YAML/JSON file readable by its owner only.
//
// Invariants:
// - Secrets never appear in an error, a log line, JSON.stringify or util.inspect output: the
//   Credentials object keeps them outside the instance (a module WeakMap) and serialises as "[redacted]"; issues name
//   the variable or file and the problem, never a value.
// - A credentials file must be a regular file with no group/other permission bits (0600 or 0400)
//   owned by the current user (or root); anything else is refused (FILE_PERMISSIONS) before its
//   content is read. The mode is checked on the opened descriptor (no check-then-open race).
// - Every problem is collected (all three variables are checked, not just the first).
import { closeSync, fstatSync, openSync, readFileSync, constants as fsConstants } from 'node:fs';
import { inspect } from 'node:util';
import type { VenueId } from '../venues/types.js';
import { type ConfigIssue, ConfigError, YamlNumber } from './issues.js';
import type { CredentialsRef } from './types.js';
import { parseYaml } from './yaml.js';

const REDACTED = '[redacted]';
const MAX_FILE_BYTES = 64 * 1024;

interface Secrets {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
}

/**
 * Secret values by Credentials instance. A WeakMap rather than #private fields: serialisers and
 * redactors (pino) copy objects and call getters on the copy, which must read '' instead of
 * throwing.
 */
const SECRETS = new WeakMap<object, Secrets>();

/** A venue's credentials. Read the fields to sign; printing or serialising shows nothing. */
export class Credentials {
  constructor(
    readonly venue: VenueId,
    apiKey: string,
    secret: string,
    passphrase = '',
  ) {
    SECRETS.set(this, { apiKey, secret, passphrase });
  }

  get apiKey(): string {
    return SECRETS.get(this)?.apiKey ?? '';
  }
  get secret(): string {
    return SECRETS.get(this)?.secret ?? '';
  }
  /** OKX passphrase ('' on Binance). */
  get passphrase(): string {
    return SECRETS.get(this)?.passphrase ?? '';
  }

  toJSON(): Record<string, string> {
    return { venue: this.venue, apiKey: REDACTED, secret: REDACTED, passphrase: REDACTED };
  }

  toString(): string {
    return `Credentials(${this.venue}, ${REDACTED})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The file-system calls used (injectable for tests). */
export interface CredentialsFs {
  openSync(path: string, flags: number): number;
  fstatSync(fd: number): { mode: number; uid: number; size: number; isFile(): boolean };
  readFileSync(fd: number): Buffer;
  closeSync(fd: number): void;
}

const nodeFs: CredentialsFs = {
  openSync: (p, f) => openSync(p, f),
  fstatSync: (fd) => fstatSync(fd),
  readFileSync: (fd) => readFileSync(fd),
  closeSync: (fd) => closeSync(fd),
};

export interface LoadCredentialsOptions {
  /** Environment to read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly fs?: CredentialsFs;
  /** Current user id (default process.getuid()). */
  readonly uid?: number;
  /** Config path of the credentials block, for issue paths (default `venues.<venue>.credentials`). */
  readonly path?: string;
}

export interface CredentialsResult {
  readonly credentials: Credentials | null;
  readonly issues: readonly ConfigIssue[];
}

/** Loads credentials without throwing; `issues` says everything that is wrong. */
export function tryLoadCredentials(venue: VenueId, ref: CredentialsRef, opts: LoadCredentialsOptions = {}): CredentialsResult {
  const path = opts.path ?? `venues.${venue}.credentials`;
  const issues: ConfigIssue[] = [];
  if (ref.kind === 'env') {
    const env = opts.env ?? process.env;
    const read = (name: string, field: string): string | null => {
      const v = env[name];
      if (v === undefined || v.length === 0) {
        issues.push({ code: 'CREDENTIALS', path: `${path}.${field}.env`, expected: `the environment variable ${name} set to the ${field.replace('_', ' ')}`, found: v === undefined ? 'it unset' : 'it empty' });
        return null;
      }
      return v;
    };
    const key = read(ref.apiKey, 'api_key');
    const secret = read(ref.secret, 'secret');
    const pass = ref.passphrase === null ? '' : read(ref.passphrase, 'passphrase');
    if (venue === 'okx' && ref.passphrase === null) issues.push({ code: 'CREDENTIALS', path: `${path}.passphrase`, expected: 'a passphrase reference (OKX signs with a passphrase)', found: 'nothing' });
    if (issues.length > 0 || key === null || secret === null || pass === null) return { credentials: null, issues };
    return { credentials: new Credentials(venue, key, secret, pass), issues };
  }
  return loadFile(venue, ref.path, path, opts, issues);
}

function loadFile(venue: VenueId, file: string, path: string, opts: LoadCredentialsOptions, issues: ConfigIssue[]): CredentialsResult {
  const fs = opts.fs ?? nodeFs;
  const fpath = `${path}.file`;
  let fd: number;
  try {
    fd = fs.openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'ELOOP' ? 'a symbolic link (refused: point at the file itself)' : code;
    issues.push({ code: 'CREDENTIALS', path: fpath, expected: `a readable credentials file at ${file}`, found: why });
    return { credentials: null, issues };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      issues.push({ code: 'CREDENTIALS', path: fpath, expected: `a regular file at ${file}`, found: 'not a regular file' });
      return { credentials: null, issues };
    }
    const perm = st.mode & 0o777;
    if ((perm & 0o077) !== 0) {
      const who = [(perm & 0o070) !== 0 ? 'group' : '', (perm & 0o007) !== 0 ? 'other' : ''].filter(Boolean).join(' and ');
      issues.push({ code: 'FILE_PERMISSIONS', path: fpath, expected: `${file} accessible by its owner only (chmod 600 ${file})`, found: `mode ${perm.toString(8).padStart(4, '0')} (open to ${who})` });
    }
    const uid = opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : -1);
    if (uid >= 0 && st.uid !== uid && st.uid !== 0) {
      issues.push({ code: 'FILE_PERMISSIONS', path: fpath, expected: `${file} owned by the user running xmc (uid ${uid}) or root`, found: `owner uid ${st.uid}` });
    }
    if (st.size > MAX_FILE_BYTES) issues.push({ code: 'CREDENTIALS', path: fpath, expected: `a credentials file of at most ${MAX_FILE_BYTES} bytes`, found: `${st.size} bytes` });
    if (issues.length > 0) return { credentials: null, issues };
    const text = fs.readFileSync(fd).toString('utf8');
    const parsed = parseYaml(text);
    if (parsed.issues.length > 0 || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
      // never echo the content: only where it broke
      const first = parsed.issues[0];
      issues.push({ code: 'CREDENTIALS', path: fpath, expected: `${file} to hold a YAML/JSON mapping { api_key, secret${venue === 'okx' ? ', passphrase' : ''} }`, found: first?.line !== undefined ? `invalid content (line ${first.line})` : 'invalid content' });
      return { credentials: null, issues };
    }
    const o = parsed.value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['api_key', 'secret', 'passphrase'].includes(k)) issues.push({ code: 'CREDENTIALS', path: fpath, expected: `only the fields api_key, secret, passphrase in ${file}`, found: `an unknown field ${JSON.stringify(k.slice(0, 40))}` });
    }
    const get = (k: string, required: boolean): string | null => {
      const raw = o[k];
      const v = raw instanceof YamlNumber ? raw.source : raw;
      if (typeof v === 'string' && v.length > 0) return v;
      if (v === undefined && !required) return '';
      issues.push({ code: 'CREDENTIALS', path: fpath, expected: `a non-empty string field ${k} in ${file}`, found: v === undefined ? 'it missing' : 'another type or an empty value' });
      return null;
    };
    const key = get('api_key', true);
    const secret = get('secret', true);
    const pass = get('passphrase', venue === 'okx');
    if (issues.length > 0 || key === null || secret === null || pass === null) return { credentials: null, issues };
    return { credentials: new Credentials(venue, key, secret, pass), issues };
  } finally {
    fs.closeSync(fd);
  }
}

/** Loads credentials or throws a ConfigError listing every problem (never a secret). */
export function loadCredentials(venue: VenueId, ref: CredentialsRef, opts: LoadCredentialsOptions = {}): Credentials {
  const r = tryLoadCredentials(venue, ref, opts);
  if (r.credentials === null) throw new ConfigError(r.issues, `credentials of ${venue}`);
  return r.credentials;
}
