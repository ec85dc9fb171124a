// `xmc book-replay --venue okx` core: WS-snapshot and REST-snapshot captures, the docs' worked
// sequence, the recorded books5 fixture, break reporting (index + rule), expectation compare.
import { describe, expect, it } from 'vitest';
import { compareOkxReplay, runOkxReplay } from '../../../src/venues/okx/replay.js';
import { booksFrame, sampleJson, sampleText, SPOT_BTC } from './fixtures.js';

describe('OKX book replay', () => {
  it('worked sequence, WS snapshot inside the events, spec inferred', () => {
    const events = [
      sampleJson('09_').subscribe_books_response,
      JSON.parse(booksFrame({ action: 'snapshot', seq: 10, bids: [['100', '1']], asks: [['101', '1']] })),
      JSON.parse(booksFrame({ prev: 10, seq: 15, bids: [['100.5', '2']] })),
      JSON.parse(booksFrame({ prev: 15, seq: 15 })),
      JSON.parse(booksFrame({ prev: 15, seq: 3, asks: [['101', '0'], ['102', '4']] })),
      JSON.parse(booksFrame({ prev: 3, seq: 5, bids: [['100', '0']] })),
    ].map((o) => JSON.stringify(o));
    events.push('pong', '');
    const r = runOkxReplay({ snapshot: null, events });
    expect(r).toEqual({
      status: 'synced', symbol: 'BTC-USDT', channel: 'books', updateId: 5, eventTimeMs: 1597026383085,
      bids: [['100.5', '2']], asks: [['102', '4']],
      stats: { applied: 4, heartbeats: 1, dropped: 0, buffered: 0, skipped: 3, resets: 1 },
    });
    expect(compareOkxReplay(r, { seqId: 5, bids: [['100.50', '2.0']], asks: [[102, 4]] })).toBeNull();
    expect(compareOkxReplay(r, { bids: [['100.5', '3']], asks: [['102', '4']] })).toMatch(/bids\[0\]/);
  });

  it('samples 01 (WS snapshot file) + 02 (event)', () => {
    const r = runOkxReplay({ snapshot: sampleText('01_'), events: [sampleText('02_').replace(/\s+/g, '')], spec: SPOT_BTC });
    expect(r.status).toBe('synced');
    if (r.status !== 'synced') return;
    expect(r.updateId).toBe(123457);
    expect(r.bids[0]).toEqual(['8476.97', '256']);
    expect(r.asks).toHaveLength(8);
  });

  it('sample 07 REST snapshot file: the REST bootstrap procedure', () => {
    const events = [
      booksFrame({ action: 'snapshot', seq: 3235851700, bids: [['1', '1']], asks: [['2', '1']] }), // ignored
      booksFrame({ prev: 3235851700, seq: 3235851740 }), // recorded prevSeqId 3235851700
      booksFrame({ prev: 3235851740, seq: 3235851760, bids: [['41006.3', '0.7']] }),
      booksFrame({ prev: 3235851760, seq: 3235851770, asks: [['41007', '1']] }),
    ];
    const r = runOkxReplay({ snapshot: sampleText('07_'), events, spec: SPOT_BTC });
    expect(r).toMatchObject({
      status: 'synced', updateId: 3235851770,
      bids: [['41006.3', '0.7']], asks: [['41006.8', '0.60038921'], ['41007', '1']],
    });
  });

  it('REST snapshot older than the recorded prevSeqId is reported at the event that asked for it', () => {
    const events = [booksFrame({ prev: 3235851800, seq: 3235851810 })];
    const r = runOkxReplay({ snapshot: sampleText('07_'), events, spec: SPOT_BTC });
    expect(r).toMatchObject({ status: 'break', index: 0, reason: 'SNAPSHOT_TOO_OLD' });
    if (r.status === 'break') expect(r.detail).toMatch(/^okx\.rest-snapshot-too-old: /);
  });

  it('reports the first break with its rule and line index', () => {
    const events = [
      booksFrame({ action: 'snapshot', seq: 10, bids: [['100', '1']], asks: [['101', '1']] }),
      booksFrame({ prev: 10, seq: 11 }),
      booksFrame({ prev: 12, seq: 13 }),
      booksFrame({ prev: 13, seq: 14 }),
    ];
    const r = runOkxReplay({ events, spec: SPOT_BTC });
    expect(r).toEqual({ status: 'break', index: 2, reason: 'GAP', detail: 'okx.prevSeqId-chain: expected prevSeqId 11, got 12 (seqId 13)' });
    expect(compareOkxReplay(r, { bids: [], asks: [] })).toMatch(/sync broke at event 2: GAP/);
    const bad = runOkxReplay({ events: [events[0]!, '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{'], spec: SPOT_BTC });
    expect(bad).toMatchObject({ status: 'break', index: 1, reason: 'BAD_MESSAGE' });
    const badSnap = runOkxReplay({ snapshot: '{"code":"0"}', events: [], spec: SPOT_BTC });
    expect(badSnap).toMatchObject({ status: 'break', index: -1, reason: 'BAD_MESSAGE' });
  });

  it('recorded books5 fixture (sample 03): channel and SWAP steps inferred', () => {
    const frames = (sampleJson('03_') as unknown[]).map((f) => JSON.stringify(f));
    const r = runOkxReplay({ events: frames });
    expect(r).toMatchObject({ status: 'synced', symbol: 'BTC-USDT-SWAP', channel: 'books5', updateId: 333794734996 });
    if (r.status !== 'synced') return;
    expect(r.bids[0]).toEqual(['63921.4', '421.93']);
    expect(r.bids[4]).toEqual(['63920', '0.24']);
    expect(r.stats.skipped).toBe(1);
  });

  it('without any snapshot the book stays unsynced', () => {
    const r = runOkxReplay({ events: [booksFrame({ prev: 1, seq: 2 })], spec: SPOT_BTC });
    expect(r).toMatchObject({ status: 'break', reason: 'GAP' });
    const r2 = runOkxReplay({ snapshot: sampleText('07_'), events: [], spec: SPOT_BTC });
    expect(r2).toMatchObject({ status: 'buffering' });
  });
});
