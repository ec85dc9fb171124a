// `xmc book-replay` core: runs a captured snapshot and a stream of depth messages through one
// venue's book builder (the same parser and sync rules the feed actor uses) and returns the final
// book, or the first message where sync broke with the rule that broke. Pure: the CLI reads the
// files and prints.
import type { VenueId } from './types.js';
import { compareReplay, runBinanceReplay, type BinanceReplayResult } from './binance/replay.js';
import { compareOkxReplay, runOkxReplay, type OkxReplayResult } from './okx/replay.js';

export type BookReplayResult = BinanceReplayResult | OkxReplayResult;

/** Splits a JSONL capture into frames: one message per non-empty line, kept as the raw text. */
export function splitJsonl(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() !== '') out.push(line);
  }
  return out;
}

export function runBookReplay(venue: VenueId, snapshot: string, events: readonly string[]): BookReplayResult {
  switch (venue) {
    case 'binance-spot':
    case 'binance-usdm':
      return runBinanceReplay({ venue, snapshot, events });
    case 'okx':
      return runOkxReplay({ snapshot, events });
  }
}

/** null when `result` matches the expectation `{bids, asks, updateId|nonce?}`, else the first difference. */
export function compareBookReplay(venue: VenueId, result: BookReplayResult, expected: unknown): string | null {
  return venue === 'okx'
    ? compareOkxReplay(result as OkxReplayResult, expected)
    : compareReplay(result as BinanceReplayResult, expected);
}
