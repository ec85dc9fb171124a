// The `feed` benchmark's stream generator (bench/feed-stream.ts): deterministic bytes, the wire
// shape each venue sends (id chains beyond 2^32, 10 + 10 distinct levels per update), and
// reference books that agree with an independent replay (JSON.parse of every frame into a
// price-string map; the bench itself also checks its three implementations against them).
import { describe, expect, it } from 'vitest';
import { DecimalScale } from '../../src/core/decimal.js';
import { binanceSpotStream, fixedDecimal, okxBooksStream, trimmedDecimal, type BookRef, type EncodedStream } from '../../bench/feed-stream.js';

const opts = { seed: 7, levels: 200, changesPerSide: 10, updates: 1500, checkpoints: [0, 700, 1500], refDepth: 20 };

function concat(s: EncodedStream): string {
  return (s.snapshotBody?.toString('latin1') ?? '') + s.frames.map((f) => f.toString('latin1')).join('\n');
}

/** Replays a stream with JSON.parse into string-keyed maps; returns the book after each checkpoint. */
function replay(s: EncodedStream): Map<number, BookRef> {
  const tick = new DecimalScale(s.tickSize);
  const lot = new DecimalScale(s.lotSize);
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  const apply = (side: Map<number, number>, levels: string[][]): void => {
    for (const l of levels) {
      const px = tick.toUnitsStrict(l[0]!);
      const q = lot.toUnitsStrict(l[1]!);
      if (q === 0) side.delete(px);
      else side.set(px, q);
    }
  };
  const ref = (): BookRef => {
    const b = [...bids.entries()].sort((x, y) => y[0] - x[0]);
    const a = [...asks.entries()].sort((x, y) => x[0] - y[0]);
    return { bids: b.slice(0, 20), asks: a.slice(0, 20), bidCount: b.length, askCount: a.length };
  };
  const out = new Map<number, BookRef>();
  let last = -1;
  if (s.venue === 'binance-spot') {
    const snap = JSON.parse(s.snapshotBody!.toString()) as { lastUpdateId: number; bids: string[][]; asks: string[][] };
    apply(bids, snap.bids);
    apply(asks, snap.asks);
    last = snap.lastUpdateId;
  }
  s.frames.forEach((f, k) => {
    if (s.venue === 'binance-spot') {
      const m = JSON.parse(f.toString()) as { U: number; u: number; b: string[][]; a: string[][] };
      expect(m.b).toHaveLength(10);
      expect(m.a).toHaveLength(10);
      if (m.u > last) {
        expect(m.U).toBe(last + 1);
        apply(bids, m.b);
        apply(asks, m.a);
        last = m.u;
      } else expect(k).toBe(0); // frame 0 is covered by the snapshot
    } else {
      const m = JSON.parse(f.toString()) as { action: string; data: { bids: string[][]; asks: string[][]; prevSeqId: number; seqId: number; checksum: number }[] };
      const d = m.data[0]!;
      expect(d.checksum).toBe(0);
      if (k === 0) {
        expect(m.action).toBe('snapshot');
        expect(d.prevSeqId).toBe(-1);
      } else {
        expect(m.action).toBe('update');
        expect(d.prevSeqId).toBe(last);
        expect(d.bids).toHaveLength(10);
        expect(d.asks).toHaveLength(10);
        for (const l of [...d.bids, ...d.asks]) expect(l).toHaveLength(4);
      }
      expect(d.seqId).toBeGreaterThan(last);
      apply(bids, d.bids);
      apply(asks, d.asks);
      last = d.seqId;
    }
    const bb = Math.max(...bids.keys());
    const ba = Math.min(...asks.keys());
    expect(bb).toBeLessThan(ba); // never crossed after a message
    if (opts.checkpoints.includes(k)) out.set(k, ref());
  });
  expect(last).toBe(s.lastId);
  return out;
}

describe('feed benchmark stream', () => {
  it('formats decimals from integers exactly', () => {
    expect(fixedDecimal(6400001, 2, 8)).toBe('64000.01000000');
    expect(fixedDecimal(12345, 5, 8)).toBe('0.12345000');
    expect(fixedDecimal(7, 5, 8)).toBe('0.00007000');
    expect(trimmedDecimal(640001, 1)).toBe('64000.1');
    expect(trimmedDecimal(640000, 1)).toBe('64000');
    expect(trimmedDecimal(150000, 8)).toBe('0.0015');
    expect(trimmedDecimal(200000000, 8)).toBe('2');
  });

  for (const make of [binanceSpotStream, okxBooksStream]) {
    it(`${make.name}: same seed, same bytes; another seed, other bytes`, () => {
      const a = make(opts);
      const b = make(opts);
      expect(concat(a)).toBe(concat(b));
      expect(concat(make({ ...opts, seed: 8 }))).not.toBe(concat(a));
      expect(a.frames).toHaveLength(opts.updates + 1);
      expect(a.firstId).toBeGreaterThan(2 ** 32);
      for (const f of a.frames) expect(Buffer.isBuffer(f)).toBe(true);
    });

    it(`${make.name}: venue wire shape, id chain, uncrossed, reference books agree with a replay`, () => {
      const s = make(opts);
      const got = replay(s);
      for (const k of opts.checkpoints) {
        expect(got.get(k)).toEqual(s.refs.get(k));
        const r = s.refs.get(k)!;
        expect(Math.abs(r.bidCount - opts.levels)).toBeLessThanOrEqual(Math.max(2, Math.floor(opts.levels * 0.03)) + opts.changesPerSide);
        expect(Math.abs(r.askCount - opts.levels)).toBeLessThanOrEqual(Math.max(2, Math.floor(opts.levels * 0.03)) + opts.changesPerSide);
      }
    });
  }

  it('prices and quantities are written the way each venue writes them', () => {
    const bn = binanceSpotStream({ ...opts, updates: 5 });
    expect(bn.frames[1]!.toString()).toMatch(/^\{"e":"depthUpdate","E":\d+,"s":"BTCUSDT","U":\d+,"u":\d+,"b":\[\["\d+\.\d{8}","\d+\.\d{8}"\]/);
    const ok = okxBooksStream({ ...opts, updates: 5 });
    expect(ok.frames[1]!.toString()).toMatch(/^\{"arg":\{"channel":"books","instId":"BTC-USDT"\},"action":"update","data":\[\{"asks":\[\["\d+(\.\d)?","[\d.]+","0","\d+"\]/);
  });
});
