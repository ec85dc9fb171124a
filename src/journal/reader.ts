// Journal reader: iterates the records of every stream of a journal directory, segment by
// segment, optionally filtered by wall-time range and combo id, and decodes record bodies.
//
// Invariants:
// - Read-only: a reader never modifies a file. A torn tail of a stream's last segment (a writer
//   crashed mid-append, or is appending right now) ends that stream's iteration and is reported
//   in `tails`; every other damage throws JOURNAL_CORRUPT (format.ts). A record is returned only
//   after its length and CRC checked out.
// - Bodies are decoded only on request (decodeAudit); a body that does not decode as a wire
//   frame yields null rather than a misread value.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, type AuditRecordValue, type WireMessage } from '../wire/index.js';
import {
  CHECKPOINT_KIND,
  decodeRecord,
  decodeSegmentHeader,
  JournalError,
  parseSegmentFileName,
  scanSegment,
  segmentFileName,
  type JournalEntry,
} from './format.js';

export interface ReadFilter {
  /** Only these streams (default: all). */
  readonly streams?: readonly string[];
  /** Records with wallUs >= fromUs (µs since the epoch). */
  readonly fromUs?: number;
  /** Records with wallUs < toUs. */
  readonly toUs?: number;
  readonly comboId?: number;
  /** Include checkpoint records (default false). */
  readonly checkpoints?: boolean;
}

export interface TornTail {
  readonly stream: string;
  readonly segment: number;
  readonly offset: number;
  readonly reason: string;
}

export interface JournalRead {
  /** Records, ordered by (wallUs, stream, segment, offset). */
  readonly entries: JournalEntry[];
  readonly tails: TornTail[];
  readonly streams: string[];
}

/** The streams of a journal directory and their segment indexes (sorted). */
export function listStreams(dir: string): Map<string, number[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new JournalError('JOURNAL_IO', `cannot read journal directory ${dir}`, { cause: e });
  }
  const out = new Map<string, number[]>();
  for (const n of names) {
    const p = parseSegmentFileName(n);
    if (!p) continue;
    const l = out.get(p.stream);
    if (l) l.push(p.index);
    else out.set(p.stream, [p.index]);
  }
  for (const l of out.values()) l.sort((a, b) => a - b);
  return out;
}

/** Iterates one stream's records in append order. */
export function* iterateStream(dir: string, stream: string, segments: readonly number[], tails?: TornTail[]): Generator<JournalEntry> {
  for (let k = 0; k < segments.length; k++) {
    const idx = segments[k]!;
    if (k > 0 && idx !== segments[k - 1]! + 1) {
      throw new JournalError('JOURNAL_CORRUPT', `stream ${stream}: segment ${segments[k - 1]! + 1} is missing`);
    }
    const path = join(dir, segmentFileName(stream, idx));
    const bytes = readFileSync(path);
    const isLast = k === segments.length - 1;
    if (isLast && bytes.length < 128) {
      // A segment whose header never fully reached the file (crash while rotating): no records.
      tails?.push({ stream, segment: idx, offset: 0, reason: 'segment header cut short' });
      return;
    }
    const header = decodeSegmentHeader(bytes, path);
    const found: JournalEntry[] = [];
    const scan = scanSegment(bytes, path, isLast, (p, _len, pos) => found.push(decodeRecord(bytes, p, header, pos)));
    yield* found;
    if (scan.torn) tails?.push({ stream, segment: idx, offset: scan.validEnd, reason: scan.tornReason });
  }
}

/** Reads every stream of `dir` with the filter applied. */
export function readJournal(dir: string, filter: ReadFilter = {}): JournalRead {
  const streams = listStreams(dir);
  const tails: TornTail[] = [];
  const entries: JournalEntry[] = [];
  const names = [...streams.keys()].filter((s) => !filter.streams || filter.streams.includes(s)).sort();
  for (const s of names) {
    for (const e of iterateStream(dir, s, streams.get(s)!, tails)) {
      if (e.kind === CHECKPOINT_KIND && !filter.checkpoints) continue;
      if (filter.fromUs !== undefined && e.wallUs < filter.fromUs) continue;
      if (filter.toUs !== undefined && e.wallUs >= filter.toUs) continue;
      if (filter.comboId !== undefined && e.comboId !== filter.comboId) continue;
      entries.push(e);
    }
  }
  entries.sort((a, b) => a.wallUs - b.wallUs || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) || a.segment - b.segment || a.offset - b.offset);
  return { entries, tails, streams: names };
}

/** The whole wire message of a record's body, or null when the body is not a valid frame. */
export function decodeFrame(e: JournalEntry): WireMessage | null {
  try {
    return decodeMessage(e.frame, 0);
  } catch {
    return null;
  }
}

/** The AuditRecord of a record's body, or null when it is not one. */
export function decodeAudit(e: JournalEntry): AuditRecordValue | null {
  const m = decodeFrame(e);
  return m && m.body.kind === 'AuditRecord' ? m.body.value : null;
}

/** The detail JSON of an AuditRecord body, or null when absent / not JSON. */
export function auditDetailJson(a: AuditRecordValue | null): unknown {
  if (!a || a.detail.length === 0) return null;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(a.detail));
  } catch {
    return null;
  }
}
