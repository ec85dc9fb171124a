// `xmc audit`: export a journal time range or one combo's full trail as CSV, JSON or HTML.
// The CLI (src/main.ts) maps its flags onto AuditCommandOptions and calls runAuditCommand();
// this module never exits the process and never prints except through `io.write`.
//
// Options (all untrusted input, validated with AuditCommandError('AUDIT_BAD_ARG')):
//   dir      journal directory (required)
//   from/to  ISO-8601 date-time, or epoch milliseconds (a number or a string of digits);
//            the range is [from, to) on the record's wall time
//   combo    combo id (a positive integer)
//   format   csv | json | html (default csv)
//   out      output file (written with mode 0640); default: io.write (stdout)
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { readJournal, type TornTail } from './reader.js';
import { toCsv, toHtml, toJson, toRows } from './export.js';

export type AuditFormat = 'csv' | 'json' | 'html';

export interface AuditCommandOptions {
  readonly dir: string;
  readonly from?: string | number;
  readonly to?: string | number;
  readonly combo?: string | number;
  readonly format?: string;
  readonly out?: string;
}

export interface AuditIo {
  /** Where the export goes when `out` is not given. Default process.stdout.write. */
  write?(s: string): void;
}

export interface AuditCommandResult {
  readonly records: number;
  readonly format: AuditFormat;
  /** The output file, or null when written to io.write. */
  readonly out: string | null;
  readonly bytes: number;
  /** Torn tails seen (a writer crashed mid-append or is appending now); reported, not fatal. */
  readonly tails: readonly TornTail[];
}

export class AuditCommandError extends Error {
  readonly code: 'AUDIT_BAD_ARG' | 'AUDIT_NO_JOURNAL';
  readonly retryable = false;
  constructor(code: 'AUDIT_BAD_ARG' | 'AUDIT_NO_JOURNAL', message: string) {
    super(`${code}: ${message}`);
    this.name = 'AuditCommandError';
    this.code = code;
  }
}

/** Parses an ISO date-time or epoch milliseconds into µs since the epoch. */
export function parseTimeArg(name: string, v: string | number): number {
  let ms: number;
  if (typeof v === 'number') ms = v;
  else if (/^\d{1,16}$/.test(v.trim())) ms = Number(v.trim());
  else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.trim())) ms = Date.parse(v.trim());
  else ms = NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new AuditCommandError('AUDIT_BAD_ARG', `--${name}: expected an ISO-8601 date-time or epoch milliseconds, got ${JSON.stringify(String(v))}`);
  }
  return ms * 1000;
}

export function parseFormat(v: string | undefined): AuditFormat {
  const f = (v ?? 'csv').toLowerCase();
  if (f !== 'csv' && f !== 'json' && f !== 'html') {
    throw new AuditCommandError('AUDIT_BAD_ARG', `--format: expected csv, json or html, got ${JSON.stringify(v)}`);
  }
  return f;
}

export async function runAuditCommand(opts: AuditCommandOptions, io: AuditIo = {}): Promise<AuditCommandResult> {
  if (typeof opts.dir !== 'string' || opts.dir === '') throw new AuditCommandError('AUDIT_BAD_ARG', '--dir: the journal directory is required');
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory()) {
    throw new AuditCommandError('AUDIT_NO_JOURNAL', `--dir: ${opts.dir} is not a directory`);
  }
  const format = parseFormat(opts.format);
  const fromUs = opts.from === undefined ? undefined : parseTimeArg('from', opts.from);
  const toUs = opts.to === undefined ? undefined : parseTimeArg('to', opts.to);
  if (fromUs !== undefined && toUs !== undefined && toUs <= fromUs) throw new AuditCommandError('AUDIT_BAD_ARG', '--to must be after --from');
  let comboId: number | undefined;
  if (opts.combo !== undefined) {
    comboId = typeof opts.combo === 'number' ? opts.combo : /^\d{1,10}$/.test(opts.combo.trim()) ? Number(opts.combo.trim()) : NaN;
    if (!Number.isInteger(comboId) || comboId < 1 || comboId > 0xffffffff) {
      throw new AuditCommandError('AUDIT_BAD_ARG', `--combo: expected a positive integer combo id, got ${JSON.stringify(String(opts.combo))}`);
    }
  }
  const read = readJournal(opts.dir, { fromUs, toUs, comboId });
  if (read.streams.length === 0) throw new AuditCommandError('AUDIT_NO_JOURNAL', `--dir: ${opts.dir} holds no journal segments`);
  const rows = toRows(read.entries);
  const range = [
    fromUs !== undefined ? `from ${new Date(fromUs / 1000).toISOString()}` : '',
    toUs !== undefined ? `to ${new Date(toUs / 1000).toISOString()}` : '',
    comboId !== undefined ? `combo ${comboId}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const text =
    format === 'csv'
      ? toCsv(rows)
      : format === 'json'
        ? toJson(rows, { dir: opts.dir, from: fromUs ?? null, to: toUs ?? null, combo: comboId ?? null, tornTails: read.tails })
        : toHtml(rows, { title: comboId !== undefined ? `xmc audit: combo ${comboId}` : 'xmc audit report', dir: opts.dir, range: range || 'everything', generatedAt: new Date().toISOString() });
  if (opts.out !== undefined) {
    writeFileSync(opts.out, text, { mode: 0o640 });
  } else {
    (io.write ?? ((s: string) => void process.stdout.write(s)))(text);
  }
  return { records: rows.length, format, out: opts.out ?? null, bytes: Buffer.byteLength(text), tails: read.tails };
}
