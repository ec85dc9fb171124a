// The pure market-data side of an OKX link: frames routed to the right sync machine, a bad frame
// for a subscribed book marks it unsynced (rule okx.parse), REST snapshots handed over, counters.
import { describe, expect, it } from 'vitest';
import { OkxMarketData } from '../../../src/venues/okx/market-data.js';
import { bytes, booksFrame, restBooks, sampleJson, sampleText, table } from './fixtures.js';

describe('OkxMarketData', () => {
  it('routes samples and counts every frame kind', () => {
    const md = new OkxMarketData(table(), [
      { instId: 'BTC-USDT', channel: 'books' },
      { instId: 'BTC-USDT-SWAP', channel: 'books5' },
    ], { bootstrap: 'auto' });
    const s9 = sampleJson('09_');
    expect(md.onFrame(bytes(JSON.stringify(s9.subscribe_books_response))).kind).toBe('event');
    const o = md.onFrame(bytes(sampleText('01_')));
    expect(o.kind).toBe('book');
    expect(o.step).toEqual({ status: 'applied' });
    expect(o.sync).toBe(md.sync('BTC-USDT', 'books'));
    expect(md.onFrame(bytes(sampleText('02_'))).step).toEqual({ status: 'applied' });
    for (const f of (sampleJson('03_') as unknown[]).slice(1)) expect(md.onFrame(bytes(JSON.stringify(f))).step).toEqual({ status: 'applied' });
    expect(md.sync('BTC-USDT-SWAP', 'books5')!.lastSeqId).toBe(333794734996);
    expect(md.onFrame(bytes('pong')).kind).toBe('pong');
    expect(md.onFrame(bytes(sampleText('04_'))).kind).toBe('push');
    expect(md.onFrame(bytes(sampleText('06_'))).kind).toBe('response');
    // A subscribed instrument on a channel we did not subscribe: ignored.
    expect(md.onFrame(bytes(booksFrame({ channel: 'bbo-tbt', seq: 1 }).replace('"action":"update",', ''))).sync).toBeNull();
    expect(md.counters).toMatchObject({ frames: 9, books: 5, events: 1, pongs: 1, pushes: 1, responses: 1, ignored: 1, errors: 0, resyncs: 0 });
  });

  it('a bad frame for a subscribed book marks it unsynced, then REST re-bootstraps it', () => {
    const md = new OkxMarketData(table(), [{ instId: 'BTC-USDT', channel: 'books' }]);
    md.onFrame(bytes(booksFrame({ action: 'snapshot', seq: 10, bids: [['100', '1']], asks: [['101', '1']] })));
    const sync = md.sync('BTC-USDT', 'books')!;
    expect(sync.isSynced()).toBe(true);
    const bad = md.onFrame(bytes(booksFrame({ prev: 10, seq: 11, bids: [['100.001', '1']] })));
    expect(bad.kind).toBe('error');
    expect(bad.error).toBe('OFF_STEP');
    expect(bad.step).toMatchObject({ status: 'resync', reason: 'BAD_MESSAGE' });
    expect(bad.step?.status === 'resync' && bad.step.detail).toMatch(/^okx\.parse: OFF_STEP/);
    expect(sync.isSynced()).toBe(false);
    expect(md.onFrame(bytes(booksFrame({ prev: 11, seq: 12, bids: [['100', '2']] }))).step).toEqual({ status: 'buffered' });
    expect(sync.need).toBe('rest-snapshot');
    expect(md.onRestSnapshot('BTC-USDT', 'books', bytes(restBooks(12, [['100', '2']], [['101', '1']])))).toEqual({ status: 'applied' });
    expect(sync.isSynced()).toBe(true);
    expect(md.onRestSnapshot('BTC-USDT', 'books', bytes('{"code":"50011","msg":"","data":[]}'))).toBe('VENUE_ERROR');
    expect(md.onRestSnapshot('ETH-USDT', 'books', bytes('{}'))).toBe('UNKNOWN_INSTRUMENT');
    // Garbage that names no instrument is only counted.
    expect(md.onFrame(bytes('{"arg":')).sync).toBeNull();
    expect(md.counters.errors).toBe(2);
  });

  it('refuses a subscription for an instrument it does not know', () => {
    expect(() => new OkxMarketData(table(), [{ instId: 'DOGE-USDT', channel: 'books' }])).toThrow(/DOGE-USDT/);
  });
});
