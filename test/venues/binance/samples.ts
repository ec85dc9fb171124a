// Loads the venue sample files beside the project (../shared/venues/samples) for conformance tests.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../src/paths.js';
import type { InstrumentSpec } from '../../../src/venues/types.js';

export const SAMPLES_DIR = join(PACKAGE_ROOT, '..', 'shared', 'venues', 'samples');

export function sampleFiles(venue: 'binance_spot' | 'binance_usdm'): string[] {
  return readdirSync(join(SAMPLES_DIR, venue)).filter((f) => f.endsWith('.json')).sort();
}

export function sampleText(venue: 'binance_spot' | 'binance_usdm', prefix: string): string {
  const f = sampleFiles(venue).find((x) => x.startsWith(prefix));
  if (!f) throw new Error(`no sample ${venue}/${prefix}*`);
  return readFileSync(join(SAMPLES_DIR, venue, f), 'utf8');
}

export function sample<T = any>(venue: 'binance_spot' | 'binance_usdm', prefix: string): T {
  return JSON.parse(sampleText(venue, prefix)) as T;
}

export const enc = new TextEncoder();
export const bytes = (x: unknown): Uint8Array => enc.encode(typeof x === 'string' ? x : JSON.stringify(x));

export function spec(symbol: string, tickSize: string, lotSize: string, venue: 'binance-spot' | 'binance-usdm' = 'binance-spot'): InstrumentSpec {
  return {
    venue, symbol, base: '', quote: '', kind: venue === 'binance-spot' ? 'spot' : 'perpetual', tickSize, lotSize,
    minQty: '0', minNotional: '0', contractValue: '1', contractValueCcy: '', contractType: venue === 'binance-spot' ? 'none' : 'linear',
  };
}
