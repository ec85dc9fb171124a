// Test helpers for the OKX adapter: the shared samples (../shared/venues/samples/okx beside the
// project), test instruments, and small frame builders in the venue's exact wire shape.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../src/paths.js';
import { InstrumentTable } from '../../../src/core/instrument.js';
import type { InstrumentSpec } from '../../../src/venues/types.js';

export const OKX_SAMPLES_DIR = join(PACKAGE_ROOT, '..', 'shared', 'venues', 'samples', 'okx');

export function sampleFiles(): string[] {
  return readdirSync(OKX_SAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
}

export function sampleText(prefix: string): string {
  const f = sampleFiles().find((n) => n.startsWith(prefix));
  if (f === undefined) throw new Error(`no OKX sample ${prefix}`);
  return readFileSync(join(OKX_SAMPLES_DIR, f), 'utf8');
}

export function sampleJson(prefix: string): any {
  return JSON.parse(sampleText(prefix));
}

const enc = new TextEncoder();
export function bytes(s: string): Uint8Array {
  return enc.encode(s);
}

export const SPOT_BTC: InstrumentSpec = {
  venue: 'okx', symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'spot',
  tickSize: '0.01', lotSize: '0.00000001', minQty: '0.00001', minNotional: '0',
  contractValue: '1', contractValueCcy: 'BTC', contractType: 'none',
};

export const SWAP_BTC: InstrumentSpec = {
  venue: 'okx', symbol: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', kind: 'perpetual',
  tickSize: '0.1', lotSize: '0.01', minQty: '0.01', minNotional: '0',
  contractValue: '0.01', contractValueCcy: 'BTC', contractType: 'linear',
};

/** Instrument for the checksum worked examples (prices like 3366.1, integer sizes). */
export const CHK_ETH: InstrumentSpec = {
  venue: 'okx', symbol: 'ETH-USDT', base: 'ETH', quote: 'USDT', kind: 'spot',
  tickSize: '0.1', lotSize: '1', minQty: '1', minNotional: '0',
  contractValue: '1', contractValueCcy: 'ETH', contractType: 'none',
};

export function table(): InstrumentTable {
  return new InstrumentTable([SPOT_BTC, SWAP_BTC, CHK_ETH]);
}

export type Lvl = readonly [string, string];

export interface BooksFrame {
  readonly channel?: string;
  readonly instId?: string;
  readonly action?: 'snapshot' | 'update';
  readonly bids?: readonly Lvl[];
  readonly asks?: readonly Lvl[];
  readonly prev?: number;
  readonly seq: number;
  readonly checksum?: number;
  readonly ts?: string;
}

/** A `books` push exactly in OKX's shape. */
export function booksFrame(f: BooksFrame): string {
  const lv = (l: readonly Lvl[] | undefined) => (l ?? []).map(([p, s]) => [p, s, '0', '1']);
  return JSON.stringify({
    arg: { channel: f.channel ?? 'books', instId: f.instId ?? 'BTC-USDT' },
    action: f.action ?? 'update',
    data: [{
      asks: lv(f.asks), bids: lv(f.bids), ts: f.ts ?? '1597026383085', checksum: f.checksum ?? 0,
      prevSeqId: f.prev ?? -1, seqId: f.seq,
    }],
  });
}

/** A REST GET /api/v5/market/books body. */
export function restBooks(seq: number, bids: readonly Lvl[], asks: readonly Lvl[]): string {
  const lv = (l: readonly Lvl[]) => l.map(([p, s]) => [p, s, '0', '1']);
  return JSON.stringify({ code: '0', msg: '', data: [{ asks: lv(asks), bids: lv(bids), ts: '1629966436396', seqId: seq }] });
}
