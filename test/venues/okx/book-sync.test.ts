// OKX book-sync rules: the docs' worked sequence, every break (each naming its rule), the REST
// bootstrap procedure from the changelog, snapshot channels, and the historical checksum
// (worked examples -1881014294 and 831078360, raw strings, checksum 0 = absent).
import { describe, expect, it } from 'vitest';
import { OkxBookSync, OKX_SYNC_RULES, type OkxBookSyncOptions } from '../../../src/venues/okx/book-sync.js';
import { OkxFrameParser } from '../../../src/venues/okx/frame-parser.js';
import { crc32Signed, okxChecksum, okxChecksumString } from '../../../src/venues/okx/checksum.js';
import type { SyncStep } from '../../../src/venues/types.js';
import { bytes, booksFrame, restBooks, sampleJson, sampleText, table, type BooksFrame, type Lvl } from './fixtures.js';

function rig(symbol = 'BTC-USDT', opts: OkxBookSyncOptions = {}) {
  const tbl = table();
  const ins = tbl.find(symbol)!;
  const parser = new OkxFrameParser(tbl);
  const sync = new OkxBookSync(ins, opts);
  const feed = (frame: string): SyncStep => {
    const k = parser.parse(bytes(frame));
    if (k !== 'book') throw new Error(`parse: ${k} ${parser.error}`);
    return sync.onUpdate(parser.update, parser);
  };
  const f = (x: BooksFrame) => feed(booksFrame({ instId: symbol, ...x }));
  const rest = (body: string): SyncStep => {
    const k = parser.parseRestBooks(bytes(body), ins.index);
    if (k !== 'book') throw new Error(`parse: ${k} ${parser.error}`);
    return sync.onRestSnapshot(parser.update, parser);
  };
  const levels = () => {
    const l = sync.book.toLevels();
    return {
      bids: l.bids.map(([p, q]) => [ins.tick.fromUnitsTrimmed(p), ins.lot.fromUnitsTrimmed(q)]),
      asks: l.asks.map(([p, q]) => [ins.tick.fromUnitsTrimmed(p), ins.lot.fromUnitsTrimmed(q)]),
    };
  };
  return { tbl, ins, parser, sync, feed, f, rest, levels };
}

function expectResync(step: SyncStep, reason: string, rule: string): void {
  expect(step.status).toBe('resync');
  if (step.status !== 'resync') return;
  expect(step.reason).toBe(reason);
  expect(step.detail.startsWith(rule + ':')).toBe(true);
}

describe('OKX sync: worked sequence from the docs', () => {
  it('snapshot -1->10, update 10->15, no-change 15->15, reset 15->3, update 3->5', () => {
    const r = rig();
    expect(r.f({ action: 'snapshot', prev: -1, seq: 10, bids: [['100', '1']], asks: [['101', '1']] }).status).toBe('applied');
    expect(r.sync.isSynced()).toBe(true);
    expect(r.f({ prev: 10, seq: 15, bids: [['100.5', '2']] }).status).toBe('applied');
    expect(r.f({ prev: 15, seq: 15 }).status).toBe('heartbeat');
    expect(r.sync.lastSeqId).toBe(15);
    expect(r.f({ prev: 15, seq: 3, asks: [['101', '0'], ['102', '4']] }).status).toBe('applied');
    expect(r.sync.lastSeqId).toBe(3);
    expect(r.sync.resets).toBe(1);
    expect(r.f({ prev: 3, seq: 5, bids: [['100', '0']] }).status).toBe('applied');
    expect(r.sync.lastSeqId).toBe(5);
    expect(r.sync.isSynced()).toBe(true);
    expect(r.levels()).toEqual({ bids: [['100.5', '2']], asks: [['102', '4']] });
    expect(r.sync.book.updateId).toBe(5);
    r.sync.book.checkInvariants();
  });

  it('samples 01 then 02 chain (123456 -> 123457)', () => {
    const r = rig();
    expect(r.feed(sampleText('01_')).status).toBe('applied');
    expect(r.feed(sampleText('02_')).status).toBe('applied');
    expect(r.sync.lastSeqId).toBe(123457);
    const s = sampleJson('02_').data[0];
    expect(r.levels().bids[0]).toEqual([s.bids[0][0], s.bids[0][1]]);
    expect(r.sync.book.bids.count).toBe(8);
  });

  it('duplicates and stale messages are dropped, not breaks', () => {
    const r = rig();
    r.f({ action: 'snapshot', seq: 10, bids: [['100', '1']], asks: [['101', '1']] });
    r.f({ prev: 10, seq: 15, bids: [['100', '2']] });
    expect(r.f({ prev: 10, seq: 15, bids: [['100', '9']] }).status).toBe('dropped');
    expect(r.f({ prev: 12, seq: 12 }).status).toBe('dropped');
    expect(r.sync.isSynced()).toBe(true);
    expect(r.levels().bids).toEqual([['100', '2']]);
  });
});

describe('OKX sync: every break names its rule', () => {
  const base = () => {
    const r = rig();
    r.f({ action: 'snapshot', seq: 10, bids: [['100', '1']], asks: [['101', '1']] });
    return r;
  };

  it('gap: prevSeqId ahead of the last seqId', () => {
    const r = base();
    expectResync(r.f({ prev: 11, seq: 12 }), 'GAP', OKX_SYNC_RULES.PREV_CHAIN);
    expect(r.sync.isSynced()).toBe(false);
    expect(r.sync.lastBreak?.rule).toBe(OKX_SYNC_RULES.PREV_CHAIN);
    // auto mode re-bootstraps from REST with the breaking event buffered
    expect(r.sync.need).toBe('rest-snapshot');
    expect(r.sync.state).toBe('awaiting-rest');
  });

  it('prevSeqId behind the last seqId with a newer seqId', () => {
    const r = base();
    expectResync(r.f({ prev: 9, seq: 11 }), 'PREV_MISMATCH', OKX_SYNC_RULES.PREV_CHAIN);
  });

  it('heartbeat that carries levels', () => {
    const r = base();
    expectResync(r.f({ prev: 10, seq: 10, bids: [['100', '3']] }), 'BAD_MESSAGE', OKX_SYNC_RULES.HEARTBEAT_EMPTY);
  });

  it('crossed book after an update, and in a snapshot', () => {
    const r = base();
    expectResync(r.f({ prev: 10, seq: 11, bids: [['101', '1']] }), 'CROSSED', OKX_SYNC_RULES.CROSSED);
    const r2 = rig();
    expectResync(r2.f({ action: 'snapshot', seq: 1, bids: [['102', '1']], asks: [['101', '1']] }), 'CROSSED', OKX_SYNC_RULES.CROSSED);
  });

  it('ws mode: update before any snapshot, then waits for a snapshot (resubscribe)', () => {
    const r = rig('BTC-USDT', { bootstrap: 'ws' });
    expectResync(r.f({ prev: 4, seq: 5 }), 'GAP', OKX_SYNC_RULES.WS_SNAPSHOT_FIRST);
    expect(r.sync.need).toBe('resubscribe');
    expect(r.f({ prev: 5, seq: 6 }).status).toBe('dropped');
    expect(r.f({ action: 'snapshot', seq: 20, bids: [['1', '1']], asks: [['2', '1']] }).status).toBe('applied');
    expect(r.sync.need).toBe('none');
    expect(r.sync.isSynced()).toBe(true);
  });

  it('ws mode: a gap asks for a resubscribe', () => {
    const r = rig('BTC-USDT', { bootstrap: 'ws' });
    r.f({ action: 'snapshot', seq: 10, bids: [['100', '1']], asks: [['101', '1']] });
    expectResync(r.f({ prev: 12, seq: 13 }), 'GAP', OKX_SYNC_RULES.PREV_CHAIN);
    expect(r.sync.state).toBe('awaiting-snapshot');
    expect(r.sync.need).toBe('resubscribe');
  });

  it('update for another instrument', () => {
    const r = base();
    const p = r.parser;
    expect(p.parse(bytes(booksFrame({ instId: 'BTC-USDT-SWAP', prev: 10, seq: 11 })))).toBe('book');
    expectResync(r.sync.onUpdate(p.update), 'BAD_MESSAGE', OKX_SYNC_RULES.INSTRUMENT);
  });
});

describe('OKX sync: REST bootstrap (changelog procedure)', () => {
  const snapLevels: [Lvl[], Lvl[]] = [[['41006.3', '0.3']], [['41006.8', '0.6']]];

  it('ignores the first WS snapshot, records the second event, discards <= snapshot seqId, brackets the first', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest' });
    expect(r.f({ action: 'snapshot', seq: 90, bids: [['1', '1']], asks: [['2', '1']] }).status).toBe('dropped');
    expect(r.sync.need).toBe('none');
    expect(r.f({ prev: 90, seq: 95, bids: [['41000', '1']] }).status).toBe('buffered');
    expect(r.sync.need).toBe('rest-snapshot');
    expect(r.f({ prev: 95, seq: 100, bids: [['41000', '2']] }).status).toBe('buffered');
    expect(r.f({ prev: 100, seq: 105, asks: [['41006.8', '0']] }).status).toBe('buffered');
    expect(r.f({ prev: 105, seq: 105 }).status).toBe('buffered');
    expect(r.f({ prev: 105, seq: 110, asks: [['41007', '5']] }).status).toBe('buffered');
    // snapshot at 103: events 95 and 100 are discarded; 100 <= 103 < 105 brackets the first kept
    expect(r.rest(restBooks(103, ...snapLevels)).status).toBe('applied');
    expect(r.sync.isSynced()).toBe(true);
    expect(r.sync.lastSeqId).toBe(110);
    expect(r.levels()).toEqual({ bids: [['41006.3', '0.3']], asks: [['41007', '5']] });
    expect(r.f({ prev: 110, seq: 111, bids: [['41006', '1']] }).status).toBe('applied');
  });

  it('sample 07 REST snapshot (seqId 3235851742) bootstraps a live stream', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest' });
    r.f({ action: 'snapshot', seq: 3235851700, bids: [['1', '1']], asks: [['2', '1']] });
    r.f({ prev: 3235851700, seq: 3235851730 });
    r.f({ prev: 3235851730, seq: 3235851750, bids: [['41006.3', '0.5']] });
    expect(r.rest(sampleText('07_')).status).toBe('applied');
    expect(r.sync.lastSeqId).toBe(3235851750);
    expect(r.levels()).toEqual({ bids: [['41006.3', '0.5']], asks: [['41006.8', '0.60038921']] });
  });

  it('snapshot older than the recorded prevSeqId: fetch again, buffer kept', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest' });
    r.f({ action: 'snapshot', seq: 90 });
    r.f({ prev: 90, seq: 95 });
    expectResync(r.rest(restBooks(89, ...snapLevels)), 'SNAPSHOT_TOO_OLD', OKX_SYNC_RULES.REST_SNAPSHOT_TOO_OLD);
    expect(r.sync.need).toBe('rest-snapshot');
    expect(r.sync.bufferedCount).toBe(1);
    expect(r.rest(restBooks(90, ...snapLevels)).status).toBe('applied');
    expect(r.sync.lastSeqId).toBe(95);
  });

  it('first kept event not bracketing the snapshot is a gap', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest' });
    r.f({ prev: 90, seq: 95 }); // no WS snapshot: the first event is the recorded one
    r.f({ prev: 97, seq: 99 }); // buffered even though it does not chain
    expectResync(r.rest(restBooks(95, ...snapLevels)), 'GAP', OKX_SYNC_RULES.REST_FIRST_EVENT);
    expect(r.sync.isSynced()).toBe(false);
  });

  it('no buffered event left: the next live event must bracket the snapshot', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest' });
    r.f({ prev: 90, seq: 95 });
    expect(r.rest(restBooks(97, ...snapLevels)).status).toBe('applied');
    expect(r.f({ prev: 95, seq: 97 }).status).toBe('dropped'); // seqId <= snapshot
    expect(r.f({ prev: 97, seq: 99 }).status).toBe('applied');
    const r2 = rig('BTC-USDT', { bootstrap: 'rest' });
    r2.f({ prev: 90, seq: 95 });
    r2.rest(restBooks(97, ...snapLevels));
    expectResync(r2.f({ prev: 98, seq: 99 }), 'GAP', OKX_SYNC_RULES.REST_FIRST_EVENT);
    expect(r2.sync.need).toBe('rest-snapshot'); // the breaking event starts the next bootstrap
  });

  it('maintenance reset during the bootstrap restarts it', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest' });
    r.f({ prev: 90, seq: 95 });
    expectResync(r.f({ prev: 95, seq: 3 }), 'RESET', OKX_SYNC_RULES.RESET_DURING_BOOTSTRAP);
    expect(r.sync.state).toBe('awaiting-prev');
    expect(r.rest(restBooks(4, ...snapLevels)).status).toBe('dropped'); // late answer ignored
    expect(r.f({ prev: 3, seq: 5 }).status).toBe('buffered');
    expect(r.rest(restBooks(5, ...snapLevels)).status).toBe('applied');
  });

  it('buffer limit', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest', maxBuffered: 3 });
    r.f({ prev: 1, seq: 2 });
    r.f({ prev: 2, seq: 3 });
    r.f({ prev: 3, seq: 4 });
    expectResync(r.f({ prev: 4, seq: 5 }), 'BUFFER_OVERFLOW', OKX_SYNC_RULES.BUFFER_LIMIT);
    expect(r.sync.bufferedCount).toBe(0);
    expect(r.sync.state).toBe('awaiting-prev');
  });

  it('REST snapshot without seqId', () => {
    const r = rig('BTC-USDT', { bootstrap: 'rest' });
    r.f({ prev: 1, seq: 2 });
    const body = restBooks(5, ...snapLevels).replace(',"seqId":5', '');
    expectResync(r.rest(body), 'BAD_MESSAGE', OKX_SYNC_RULES.REST_SNAPSHOT_SEQID);
    expect(r.sync.need).toBe('rest-snapshot');
  });

  it('auto mode: a WS snapshot is used directly; without one it bootstraps from REST', () => {
    const r = rig();
    expect(r.f({ action: 'snapshot', seq: 5, bids: [['1', '1']], asks: [['2', '1']] }).status).toBe('applied');
    const r2 = rig();
    expect(r2.f({ prev: 5, seq: 6 }).status).toBe('buffered');
    expect(r2.sync.need).toBe('rest-snapshot');
    expect(r2.rest(restBooks(5, ...snapLevels)).status).toBe('applied');
    expect(r2.sync.isSynced()).toBe(true);
  });
});

describe('OKX sync: snapshot channels', () => {
  it('books5 recorded fixture: each push replaces the book', () => {
    const r = rig('BTC-USDT-SWAP', { channel: 'books5' });
    const frames = sampleJson('03_') as any[];
    expect(r.feed(JSON.stringify(frames[1])).status).toBe('applied');
    expect(r.feed(JSON.stringify(frames[2])).status).toBe('applied');
    expect(r.feed(JSON.stringify(frames[2])).status).toBe('dropped');
    const last = frames[2].data[0];
    expect(r.levels().bids).toEqual(last.bids.map((l: string[]) => [l[0], l[1]]));
    expect(r.levels().asks).toEqual(last.asks.map((l: string[]) => [l[0], l[1]]));
  });

  it('a crossed push breaks; the next push repairs', () => {
    const r = rig('BTC-USDT', { channel: 'bbo-tbt' });
    const bbo = (seq: number, b: string, a: string) =>
      `{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["${a}","1","0","1"]],"bids":[["${b}","1","0","1"]],"ts":"1","seqId":${seq}}]}`;
    expectResync(r.feed(bbo(1, '10', '9')), 'CROSSED', OKX_SYNC_RULES.CROSSED);
    expect(r.feed(bbo(2, '9', '10')).status).toBe('applied');
    expect(r.sync.isSynced()).toBe(true);
  });
});

describe('OKX checksum (historical algorithm)', () => {
  const ex = sampleJson('08_').examples as any[];

  it('worked examples: check strings and signed CRC32 values', () => {
    for (const e of ex) {
      expect(okxChecksumString(e.book.bids, e.book.asks)).toBe(e.check_string);
      expect(okxChecksum(e.book.bids, e.book.asks)).toBe(e.checksum_signed_int32);
      expect(crc32Signed(e.check_string) >>> 0).toBe(e.crc32_unsigned);
    }
    expect(ex.map((e) => e.checksum_signed_int32)).toEqual([-1881014294, 831078360]);
  });

  it('verified on a snapshot and after an update that turns example 1 into example 2', () => {
    const r = rig('ETH-USDT');
    const b1 = ex[0].book;
    expect(r.f({ action: 'snapshot', seq: 1, bids: b1.bids, asks: b1.asks, checksum: -1881014294 }).status).toBe('applied');
    expect(r.sync.checksumsVerified).toBe(1);
    expect(r.f({ prev: 1, seq: 2, bids: [['3366', '0']], asks: [['3372', '8']], checksum: 831078360 }).status).toBe('applied');
    expect(r.sync.checksumsVerified).toBe(2);
    expect(r.sync.computeChecksum()).toBe(831078360);
  });

  it('a non-zero mismatch breaks with the checksum rule', () => {
    const r = rig('ETH-USDT');
    const b1 = ex[0].book;
    r.f({ action: 'snapshot', seq: 1, bids: b1.bids, asks: b1.asks, checksum: -1881014294 });
    expectResync(r.f({ prev: 1, seq: 2, bids: [['3366', '1']], checksum: 831078360 }), 'CHECKSUM', OKX_SYNC_RULES.CHECKSUM);
  });

  it('uses the raw strings as received (non-canonical "3366.10")', () => {
    const r = rig('ETH-USDT');
    const bids: Lvl[] = [['3366.10', '7'], ['3366', '6']];
    const asks: Lvl[] = [['3366.8', '9'], ['3368', '8']];
    const want = crc32Signed('3366.10:7:3366.8:9:3366:6:3368:8');
    expect(want).not.toBe(-1881014294);
    expect(r.f({ action: 'snapshot', seq: 1, bids, asks, checksum: want }).status).toBe('applied');
  });

  it('checksum 0 is absent: never verified (2026 form)', () => {
    const r = rig('ETH-USDT');
    r.f({ action: 'snapshot', seq: 1, bids: [['3366', '1']], asks: [['3367', '1']], checksum: 0 });
    r.f({ prev: 1, seq: 2, bids: [['3365', '1']], checksum: 0 });
    expect(r.sync.checksumsVerified).toBe(0);
    expect(r.sync.isSynced()).toBe(true);
  });

  it("checksum 'off' ignores non-zero values", () => {
    const r = rig('ETH-USDT', { checksum: 'off' });
    expect(r.f({ action: 'snapshot', seq: 1, bids: [['3366', '1']], asks: [['3367', '1']], checksum: 12345 }).status).toBe('applied');
  });
});

describe('OKX checksum through a REST bootstrap', () => {
  it('buffered events keep their raw strings across the REST snapshot', () => {
    const r = rig('ETH-USDT', { bootstrap: 'rest', checksum: 'always-record' });
    // The venue's strings are non-canonical ("3366.10"), so only the raw strings give its checksum.
    const want = crc32Signed('3366.10:7:3366.8:9');
    expect(r.f({ prev: 4, seq: 5, bids: [['3366.10', '7']], checksum: want }).status).toBe('buffered');
    expect(r.rest(restBooks(4, [['3366.1', '1']], [['3366.8', '9']])).status).toBe('applied');
    expect(r.sync.isSynced()).toBe(true);
    expect(r.sync.checksumsVerified).toBe(1);
  });
});
