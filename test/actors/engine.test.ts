// The engine actor in a real worker thread under a Supervisor, WITHOUT sockets. This thread plays
// the feeds (primary and backup link of two venues), the executors and the journal:
// - it writes BookTop frames into the four feed rings: the same venue sequence ids on both links,
//   some delivered twice, some on one link only, and a Resyncing top on one link; one at a time,
//   waiting until the engine consumed each, so the arrival order is known;
// - the OKX book then crosses the Binance book by more than the pair's threshold: the engine
//   emits one NewOrder per leg into the two executor rings (read here), with the stage times of
//   the triggering top and its decision time;
// - this thread answers both with OrderReport fills into the report rings; the combo completes;
// - the journal ring holds the decision, both orders and both reports as AuditRecords.
// Asserted: legs balanced (positions and pair position), each sequence id applied exactly once,
// duplicates counted, and the journal trail. Workers run compiled JS: `npm run build` first.
// Wait strategy 'park'; no timing assertions (only generous waits).
import { afterEach, describe, expect, it } from 'vitest';
import { countersSpec, ShmMap } from '../../src/shm/layout.js';
import { Counters } from '../../src/shm/counters.js';
import { RingReader, RingWriter } from '../../src/shm/ring.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { Supervisor } from '../../src/actors/supervisor.js';
import { comboWakeOrder, createActor, ENGINE_STATE_WORDS, ES, type EngineParams, type EngineSummary } from '../../src/actors/engine.js';
import type { ActorContext } from '../../src/actors/actor.js';
import {
  AuditKind,
  type AuditRecordValue,
  BookFlags,
  ReportKind,
  ReportOrigin,
  Side,
  WireEncoder,
  decodeMessage,
  newBookTopInput,
  newEnvelopeHead,
  type NewOrderValue,
  type WireMessage,
} from '../../src/wire/index.js';
import { attachLog, until } from './helpers.js';

const ENGINE = compiledModule('src/actors/engine.ts');
// embedded default config: venue 0 binance-spot, venue 1 okx; instrument 0 binance-spot:BTCUSDT
// (tick 0.01, lot 1e-5 BTC), instrument 1 okx:BTC-USDT (tick 0.1, lot 1e-8 BTC)
const BIN = { venue: 0, instrument: 0 };
const OKX = { venue: 1, instrument: 1 };
const FEEDS = ['f.bin.a', 'f.bin.b', 'f.okx.a', 'f.okx.b'];

let sups: Supervisor[] = [];
afterEach(async () => {
  for (const s of sups) if (!s.ended) await s.stop();
  sups = [];
});


const RINGS = [
  ...FEEDS.map((name) => ({ name, capacity: 1 << 16, consumer: 'engine' })),
  { name: 'x.bin.out', capacity: 1 << 16, consumer: 'engine' },
  { name: 'x.okx.out', capacity: 1 << 16, consumer: 'engine' },
  { name: 'x.bin.in', capacity: 1 << 16, consumer: 'tester' },
  { name: 'x.okx.in', capacity: 1 << 16, consumer: 'tester' },
  { name: 'journal.in', capacity: 1 << 18, consumer: 'tester' },
];
const PARAMS: EngineParams = {
  pairs: ['btc-spot-cross'],
  feeds: [
    { venue: BIN.venue, link: 0 },
    { venue: BIN.venue, link: 1 },
    { venue: OKX.venue, link: 0 },
    { venue: OKX.venue, link: 1 },
  ],
  executors: [{ venue: BIN.venue }, { venue: OKX.venue }],
  state: 'engine.state',
  assumeFlatOnFirstStart: true,
  clientIdPrefix: 'xmct',
};

function newSab(): SharedArrayBuffer {
  return createSharedMemory(['engine', 'tester'], RINGS, [countersSpec('engine.state', ENGINE_STATE_WORDS)]);
}

async function startEngine(sab: SharedArrayBuffer, seed: number, batch?: number) {
  const sup = new Supervisor(
    {
      name: 'eng',
      strategy: 'one_for_one',
      intensity: 3,
      periodMs: 60_000,
      backoff: { baseMs: 0 },
      children: [{ id: 'engine', module: ENGINE, inbound: [...FEEDS, 'x.bin.out', 'x.okx.out'], outbound: ['x.bin.in', 'x.okx.in', 'journal.in'], wait: 'park', parkTimeoutMs: 10, params: PARAMS, ...(batch === undefined ? {} : { batch }) }],
    },
    { sab, seed },
  );
  sups.push(sup);
  const log = attachLog(sup);
  await sup.start();
  return { sup, log };
}


const S = BookFlags.Synced;
type Levels = [number, number][];
// Binance: bid 63999.00 / ask 64000.00, 0.1 BTC per level (10,000 lots)
const binBook = (): [Levels, Levels] => [[[6_399_900, 10_000], [6_399_800, 10_000]], [[6_400_000, 10_000], [6_400_100, 10_000]]];
// OKX: bid 63999.9 / ask 64000.1 (0.1 BTC = 10,000,000 lots), and crossed: bid 64200.0
const okxBook = (): [Levels, Levels] => [[[639_999, 10_000_000], [639_998, 10_000_000]], [[640_001, 10_000_000], [640_002, 10_000_000]]];
const okxCrossed = (): [Levels, Levels] => [[[642_000, 10_000_000], [641_999, 10_000_000]], [[642_002, 10_000_000], [642_003, 10_000_000]]];

/** This thread's side of the rings: feed producer, executor stand-in, journal reader. */
function harness(map: ShmMap) {
  const st = Counters.attach(map, 'engine.state');
  const feeds = FEEDS.map((n) => RingWriter.attach(map, n));
  const reportRings = [RingWriter.attach(map, 'x.bin.out'), RingWriter.attach(map, 'x.okx.out')];
  const orderRings = [RingReader.attach(map, 'x.bin.in'), RingReader.attach(map, 'x.okx.in')];
  const journalRing = RingReader.attach(map, 'journal.in');
  const enc = new WireEncoder();
  const head = newEnvelopeHead(7);
  const top = newBookTopInput(4);
  const venueNowUs = Date.now() * 1000;
  let fseq = 0;
  const consumed = (): number => st.get(ES.TOPS_APPLIED) + st.get(ES.TOPS_DROPPED) + st.get(ES.TOPS_UNSYNCED);

  /** One BookTop written into feed ring `ring`. */
  const queueTop = (ring: number, ins: number, venue: number, seq: number, flags: number, bid: [number, number][], ask: [number, number][]): void => {
    top.instrumentId = ins;
    top.venueId = venue;
    top.flags = flags;
    top.firstSeq = seq;
    top.lastSeq = seq;
    top.venueTimeUs = venueNowUs + seq;
    top.bidCount = bid.length;
    top.askCount = ask.length;
    bid.forEach(([p, q], i) => ((top.bidPriceTicks as Float64Array)[i] = p, (top.bidQtyLots as Float64Array)[i] = q));
    ask.forEach(([p, q], i) => ((top.askPriceTicks as Float64Array)[i] = p, (top.askQtyLots as Float64Array)[i] = q));
    head.seq = ++fseq;
    head.times.venueEventUs = 1_000_000 + seq;
    head.times.receivedUs = 2_000_000 + seq;
    head.times.bookAppliedUs = 3_000_000 + seq;
    head.times.ringCommittedUs = 4_000_000 + seq;
    enc.bookTop(head, top);
    expect(feeds[ring]!.write(enc.bytes, enc.start, enc.end)).toBe(true);
  };
  /** One BookTop on feed ring `ring`; waits until the engine consumed it. */
  const sendTop = async (ring: number, ins: number, venue: number, seq: number, flags: number, bid: [number, number][], ask: [number, number][]): Promise<void> => {
    const before = consumed();
    queueTop(ring, ins, venue, seq, flags, bid, ask);
    await until(() => consumed() > before, `engine consumed top seq ${seq} on ${FEEDS[ring]}`, 30_000);
  };


  const orders: { ring: number; msg: WireMessage; o: NewOrderValue }[] = [];
  const drainOrders = (): void => {
    orderRings.forEach((r, ring) => {
      let len: number;
      while ((len = r.peek()) >= 0) {
        const msg = decodeMessage(r.u8.slice(r.frameOffset, r.frameOffset + len));
        if (msg.body.kind === 'NewOrder') orders.push({ ring, msg, o: msg.body.value });
        r.release();
      }
    });
  };
  const records: WireMessage[] = [];
  const drainJournal = (): AuditRecordValue[] => {
    let len: number;
    while ((len = journalRing.peek()) >= 0) {
      records.push(decodeMessage(journalRing.u8.slice(journalRing.frameOffset, journalRing.frameOffset + len)));
      journalRing.release();
    }
    return records.map((r) => (r.body.kind === 'AuditRecord' ? r.body.value : null)).filter((x) => x !== null);
  };
  let rseq = 0;
  /** Answers an order with one full fill at `priceTicks`. */
  const fill = (x: { ring: number; msg: WireMessage; o: NewOrderValue }, priceTicks: number): void => {
    const rhead = newEnvelopeHead(9);
    rhead.seq = ++rseq;
    Object.assign(rhead.times, x.msg.times, { orderSentUs: x.msg.times.decisionUs + 1, ackUs: x.msg.times.decisionUs + 2, fillUs: x.msg.times.decisionUs + 3 });
    enc.orderReport(rhead, {
      kind: ReportKind.Fill, reason: 0, clientOrderId: x.o.clientOrderId, orderRef: x.o.orderRef, instrumentId: x.o.instrumentId, venueId: x.o.venueId,
      side: x.o.side, comboId: x.o.comboId, leg: x.o.leg, lastQtyLots: x.o.qtyLots, lastPriceTicks: priceTicks,
      cumQtyLots: x.o.qtyLots, leavesQtyLots: 0, venueOrderId: `v${rseq}`, venueErrorCode: 0, retryable: false, venueTimeUs: venueNowUs, origin: ReportOrigin.Stream, avgPriceTicks: 0,
    });
    expect(reportRings[x.ring]!.write(enc.bytes, enc.start, enc.end)).toBe(true);
  };
  const allAudit = (): boolean => records.every((r) => r.body.kind === 'AuditRecord');
  /** A Balance frame from the executor of `ring` (0 Binance, 1 OKX), as a REST snapshot. */
  const balance = (ring: number, assetId: number, freeUnits: number): void => {
    const bhead = newEnvelopeHead(9);
    bhead.seq = ++rseq;
    enc.balance(bhead, { venueId: ring === 0 ? BIN.venue : OKX.venue, assetId, freeUnits, totalUnits: freeUnits, venueTimeUs: venueNowUs, snapshot: true });
    expect(reportRings[ring]!.write(enc.bytes, enc.start, enc.end)).toBe(true);
  };
  return { st, queueTop, sendTop, consumed, orders, drainOrders, drainJournal, fill, allAudit, balance };
}

describe('engine actor (real worker, no sockets)', () => {
  it('arbitrates A/B feed links, trades both legs of a crossing, journals the trail', async () => {
    const sab = newSab();
    const map = ShmMap.attach(sab);
    const { sup, log } = await startEngine(sab, 3);

    const { st, sendTop, orders, drainOrders, drainJournal, fill, allAudit } = harness(map);
    // Binance 100..104: primary (ring 0) and backup (ring 1); 102 only on the backup (primary
    // drops it), 103 first on the backup after the primary went Resyncing, 104 first on the primary
    let expectedApplied = 0;
    let expectedDropped = 0;
    const plan: [number, number][] = [
      [0, 100], [1, 100],
      [1, 101], [0, 101],
      [1, 102],
      [1, 103],
      [0, 104], [1, 104],
    ];
    const seen = new Set<number>();
    for (const [ring, seq] of plan) {
      if (seq === 103) await sendTop(0, BIN.instrument, BIN.venue, 0, BookFlags.Resyncing, [], []); // primary loses sync
      await sendTop(ring, BIN.instrument, BIN.venue, seq, S, ...binBook());
      if (seen.has(seq)) expectedDropped++;
      else expectedApplied++;
      seen.add(seq);
    }
    // a late copy from the primary after resync (older than applied): dropped, never rolls back
    await sendTop(0, BIN.instrument, BIN.venue, 103, S, ...binBook());
    expectedDropped++;
    // OKX 500..503 uncrossed, both links, backup sometimes first
    for (let seq = 500; seq <= 503; seq++) {
      const first = seq % 2 === 0 ? 2 : 3;
      await sendTop(first, OKX.instrument, OKX.venue, seq, S, ...okxBook());
      await sendTop(5 - first, OKX.instrument, OKX.venue, seq, S, ...okxBook());
      expectedApplied++;
      expectedDropped++;
    }
    expect(st.get(ES.COMBOS)).toBe(0);
    expect(st.get(ES.ORDERS)).toBe(0);
    // OKX crosses: bid 64200.0 vs Binance ask 64000.00 (edge after fees ~72 USDT/BTC > 10)
    await sendTop(3, OKX.instrument, OKX.venue, 504, S, ...okxCrossed());
    await sendTop(2, OKX.instrument, OKX.venue, 504, S, ...okxCrossed());
    expectedApplied++;
    expectedDropped++;

    // both legs arrive in the executor rings
    await until(() => (drainOrders(), orders.length >= 2), 'two NewOrder frames', 30_000);
    // the book uncrosses (later tops must not start another combo)
    await sendTop(2, OKX.instrument, OKX.venue, 505, S, ...okxBook());
    await sendTop(3, OKX.instrument, OKX.venue, 505, S, ...okxBook());
    expectedApplied++;
    expectedDropped++;

    const bin = orders.find((x) => x.ring === 0)!;
    const okx = orders.find((x) => x.ring === 1)!;
    expect(bin.o).toMatchObject({ instrumentId: BIN.instrument, venueId: BIN.venue, side: Side.Buy, qtyLots: 1000, leg: 0 });
    expect(okx.o).toMatchObject({ instrumentId: OKX.instrument, venueId: OKX.venue, side: Side.Sell, qtyLots: 1_000_000, leg: 1 });
    expect(bin.o.comboId).toBe(okx.o.comboId);
    expect(bin.o.comboId).toBeGreaterThan(0);
    expect(bin.o.clientOrderId).not.toBe(okx.o.clientOrderId);
    // IOC limits: buy at or above the ask it saw, sell at or below the bid
    expect(bin.o.priceTicks).toBeGreaterThanOrEqual(6_400_000);
    expect(okx.o.priceTicks).toBeLessThanOrEqual(642_000);
    // stage times: the triggering top's (OKX 504 via the backup link, first arrival) + decision
    for (const x of [bin, okx]) {
      expect(x.msg.times.venueEventUs).toBe(1_000_504);
      expect(x.msg.times.receivedUs).toBe(2_000_504);
      expect(x.msg.times.decisionUs).toBeGreaterThan(0);
    }

    // answer both with fills
    for (const x of orders) fill(x, x.ring === 0 ? 6_400_000 : 642_000);
    await until(() => st.get(ES.COMBOS_DONE) === 1, 'combo done', 30_000);
    // the decision rehearsal (engine-rehearsal.ts) runs on these books every ms and leaves no
    // trace: the counters, order rings and journal checked below are those of the one real combo
    await until(() => st.get(ES.REHEARSALS) >= 20, 'decision rehearsals', 30_000);

    // each sequence id applied exactly once; every duplicate / older copy dropped and counted
    expect(st.get(ES.TOPS_APPLIED)).toBe(expectedApplied);
    expect(st.get(ES.TOPS_DROPPED)).toBe(expectedDropped);
    expect(st.get(ES.TOPS_UNSYNCED)).toBe(1);
    expect(st.get(ES.COMBOS)).toBe(1);
    expect(st.get(ES.ORDERS)).toBe(2);
    expect(st.get(ES.REPORTS)).toBe(2);
    expect(st.get(ES.BAD_FRAMES)).toBe(0);
    drainOrders();
    expect(orders).toHaveLength(2); // no second combo, no repair orders

    // journal trail
    const audits = drainJournal();
    expect(allAudit()).toBe(true);
    const comboId = bin.o.comboId;
    const decisions = audits.filter((a) => a.kind === AuditKind.Decision);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.code).toBe(1);
    expect(decisions[0]!.refIds[0]).toBe(comboId);
    const detail = JSON.parse(new TextDecoder().decode(decisions[0]!.detail)) as { acted: boolean; books: { bidTicks: number }[] };
    expect(detail.acted).toBe(true);
    expect(detail.books[1]!.bidTicks).toBe(642_000);
    const sent = audits.filter((a) => a.kind === AuditKind.OrderSent);
    expect(sent.map((a) => a.text).sort()).toEqual([bin.o.clientOrderId, okx.o.clientOrderId].sort());
    for (const a of sent) expect(a.times.decisionUs).toBeGreaterThan(0);
    const reps = audits.filter((a) => a.kind === AuditKind.OrderReport);
    expect(reps.map((a) => a.text).sort()).toEqual([bin.o.clientOrderId, okx.o.clientOrderId].sort());
    for (const a of reps) expect(a.code).toBe(ReportKind.Fill);
    expect(audits.some((a) => a.kind === AuditKind.Note && a.text.includes('-> DONE'))).toBe(true);
    expect(audits.filter((a) => a.kind === AuditKind.RiskDenial)).toHaveLength(0);
    expect(audits.filter((a) => a.text.includes('rehearsal'))).toEqual([]);

    // stop: the engine's summary shows both legs balanced
    await sup.stop();
    const rep = log.of('report', 'engine').map((e) => (e.data as { engine?: EngineSummary }).engine).find((x) => x !== undefined)!;
    expect(rep).toBeDefined();
    expect(rep.state).toBe('ACTIVE');
    expect(rep.combos).toBe(1);
    expect(rep.positions.find((x) => x.instrument === BIN.instrument)!.lots).toBe(1000); // +0.01 BTC
    expect(rep.positions.find((x) => x.instrument === OKX.instrument)!.lots).toBe(-1_000_000); // -0.01 BTC
    expect(rep.pairPositions).toEqual([{ pair: 'btc-spot-cross', atoms: 1_000_000 }]);
    for (const e of rep.exposure) expect(e.units).toBe(0);
    expect(rep.arbitration).toMatchObject({ applied: expectedApplied, unsynced: 1, invalid: 0 });
    expect(rep.arbitration.duplicates + rep.arbitration.older).toBe(expectedDropped);
  });

  it('venue balances from the executors feed the balance check: too little quote denies the combo (BALANCE, journaled), enough lets it trade', async () => {
    const sab = newSab();
    const map = ShmMap.attach(sab);
    const { sup, log } = await startEngine(sab, 5);
    const h = harness(map);
    // assets of the default config: 0 BTC (8 decimals), 1 USDT (9 decimals). Binance holds 100
    // USDT; the crossing buys 0.01 BTC at ~64,000 USDT there (640 USDT): not enough
    h.balance(0, 1, 100e9);
    h.balance(1, 0, 1e8); // 1 BTC at OKX for the sell leg
    const balanceRecords = (): AuditRecordValue[] => h.drainJournal().filter((a) => a.kind === AuditKind.Balance);
    await until(() => balanceRecords().length === 2, 'both balances journaled', 30_000);
    const recs = balanceRecords();
    expect(recs.map((a) => [a.refIds[1], a.code])).toEqual([[BIN.venue, 1], [OKX.venue, 0]]);
    expect(JSON.parse(new TextDecoder().decode(recs[0]!.detail))).toMatchObject({ asset: 'USDT', freeUnits: 100e9, snapshot: true });
    await h.sendTop(0, BIN.instrument, BIN.venue, 10, S, ...binBook());
    await h.sendTop(2, OKX.instrument, OKX.venue, 20, S, ...okxCrossed());
    await until(() => h.st.get(ES.DENIALS) >= 1 && h.st.get(ES.DECISIONS) >= 1, 'balance denial and its decision record', 30_000);
    h.drainOrders();
    expect(h.orders).toHaveLength(0);
    const denial = h.drainJournal().find((a) => a.kind === AuditKind.RiskDenial)!;
    expect(denial.code).toBe(17); // RiskReason.BALANCE
    expect(denial.refIds[1]).toBe(BIN.venue);
    // the venue reports 1,000,000 USDT: the next crossing trades (each top after the pair's
    // cool-down is evaluated again; keep sending until the orders come)
    h.balance(0, 1, 1e15);
    const deadline = Date.now() + 60_000;
    for (let seq = 21; (h.drainOrders(), h.orders.length < 2); seq++) {
      if (Date.now() > deadline) throw new Error('timeout waiting for two NewOrder frames once the balance suffices');
      await h.sendTop(2, OKX.instrument, OKX.venue, seq, S, ...okxCrossed());
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(h.orders.map((x) => x.ring).sort()).toEqual([0, 1]);
    await sup.stop();
    const sum = log.of('report', 'engine').map((e) => (e.data as { engine?: EngineSummary }).engine).find((x) => x !== undefined)!;
    expect(sum.balances).toEqual([
      { venue: BIN.venue, venueName: 'binance-spot', asset: 'USDT', freeUnits: 1e15, totalUnits: 1e15 },
      { venue: OKX.venue, venueName: 'okx', asset: 'BTC', freeUnits: 1e8, totalUnits: 1e8 },
    ]);
  });

  it('the decision rehearsal gives way to frames waiting in its rings, and says how often', async () => {
    const sab = newSab();
    const map = ShmMap.attach(sab);
    const h = harness(map);
    // 40 tops queued before the engine starts, taken one per ring per iteration (batch 1): after
    // each of the first 39 the poll finds frames waiting, and the rehearsal, due from the start,
    // gives way every time; after the last one nothing waits (and with one book empty the pair
    // is not tradable, so nothing is rehearsed either)
    for (let i = 0; i < 40; i++) h.queueTop(0, BIN.instrument, BIN.venue, 100 + i, S, ...binBook());
    const { sup } = await startEngine(sab, 13, 1);
    await until(() => h.consumed() === 40, 'the 40 queued tops', 30_000);
    await until(() => h.st.get(ES.REHEARSALS_YIELDED) >= 39, 'the rehearsal gave way 39 times', 30_000);
    await sup.stop();
    expect(h.st.get(ES.REHEARSALS_YIELDED)).toBe(39);
    expect(h.st.get(ES.REHEARSALS)).toBe(0);
    expect(h.st.get(ES.TOPS_APPLIED)).toBe(40);
  });

  it('a restarted engine keeps its combo ids, stays REDUCING and journals the denial', async () => {
    const sab = newSab();
    const map = ShmMap.attach(sab);
    const first = await startEngine(sab, 11);
    const h = harness(map);
    await h.sendTop(0, BIN.instrument, BIN.venue, 10, S, ...binBook());
    await h.sendTop(2, OKX.instrument, OKX.venue, 20, S, ...okxCrossed());
    await until(() => (h.drainOrders(), h.orders.length >= 2), 'two NewOrder frames', 30_000);
    const comboId = h.orders[0]!.o.comboId;
    expect(h.st.get(ES.NEXT_COMBO)).toBe(comboId + 1);
    // the engine goes away mid-combo (no fills yet); a new incarnation attaches to the same memory
    await first.sup.stop();
    const second = await startEngine(sab, 12);
    await until(() => h.st.get(ES.STARTS) === 2, 'second start', 30_000);
    expect(h.st.get(ES.TRADING_STATE)).toBe(1); // REDUCING
    // the old combo's fills arrive: journaled, unknown to this incarnation (reconciliation's job)
    for (const x of h.orders) h.fill(x, x.ring === 0 ? 6_400_000 : 642_000);
    await until(() => h.st.get(ES.REPORTS) === 2, 'reports consumed', 30_000);
    // books rebuild from the next tops; the crossing is denied (NOT_RECONCILED), no order is sent
    await h.sendTop(1, BIN.instrument, BIN.venue, 11, S, ...binBook());
    await h.sendTop(3, OKX.instrument, OKX.venue, 21, S, ...okxCrossed());
    // the denial is counted before the decision record that carries it is journaled: wait for both
    // (the first incarnation's decision is the first one on the shared counter)
    await until(() => h.st.get(ES.DENIALS) >= 1 && h.st.get(ES.DECISIONS) >= 2, 'risk denial and its decision record', 30_000);
    h.drainOrders();
    expect(h.orders).toHaveLength(2);
    expect(h.st.get(ES.NEXT_COMBO)).toBe(comboId + 1);
    const audits = h.drainJournal();
    expect(h.allAudit()).toBe(true);
    expect(audits.some((a) => a.kind === AuditKind.Note && a.text.includes('restarted') && a.text.includes('REDUCING'))).toBe(true);
    const denial = audits.find((a) => a.kind === AuditKind.RiskDenial)!;
    expect(denial.code).toBe(19); // RiskReason.NOT_RECONCILED
    const notActed = audits.filter((a) => a.kind === AuditKind.Decision && a.code === 0);
    expect(notActed.length).toBeGreaterThanOrEqual(1);
    expect(audits.filter((a) => a.kind === AuditKind.OrderReport)).toHaveLength(2);
    await second.sup.stop();
    const sum = second.log.of('report', 'engine').map((e) => (e.data as { engine?: EngineSummary }).engine).find((x) => x !== undefined)!;
    expect(sum.state).toBe('REDUCING');
    expect(sum.combos).toBe(0);
    expect(sum.ignoredReports).toBe(2);
  });
});

describe('engine combo dispatch (the behaviour driven in this thread)', () => {
  it('publishes both legs quietly, then rings the executor on another cpu before the one sharing its cpu', async () => {
    expect(comboWakeOrder([{ venue: 0, sharesEngineCpu: true }, { venue: 1 }, { venue: 2, sharesEngineCpu: false }])).toEqual([1, 2, 0]);
    expect(comboWakeOrder([{ venue: 0 }, { venue: 1 }])).toEqual([0, 1]);

    const sab = newSab();
    const map = ShmMap.attach(sab);
    const { queueTop, consumed, orders, drainOrders } = harness(map);
    // what the engine does with its outbound rings, in order
    const events: string[] = [];
    const logged = (name: string, j: number): RingWriter => {
      const w = RingWriter.attach(map, name);
      const o = Object.create(w) as RingWriter;
      o.write = (src, start, end, wake = true) => (events.push(`${wake ? 'write+wake' : 'write'} ${j}`), w.write(src, start, end, wake));
      o.wake = () => (events.push(`wake ${j}`), w.wake());
      return o;
    };
    const inbound = [...FEEDS, 'x.bin.out', 'x.okx.out'].map((n) => RingReader.attach(map, n));
    const outbound = [logged('x.bin.in', 0), logged('x.okx.in', 1), RingWriter.attach(map, 'journal.in')];
    const params: EngineParams = { ...PARAMS, executors: [{ venue: BIN.venue, sharesEngineCpu: true }, { venue: OKX.venue }], rehearseMs: 0 };
    const ctx = {
      name: 'engine', generation: 1, params, map, pin: { requested: null, applied: null, error: null },
      inbound, outbound, releasedNext: () => 0, waitForSpace: () => true, waitForSpaceAsync: async () => true,
      stopRequested: () => false, stop: () => {}, report: () => {},
    } as unknown as ActorContext;
    const engine = createActor(params);
    await engine.onStart!(ctx);
    /** One pass of the actor runtime's loop: every waiting frame, then poll(). */
    const iterate = (): void => {
      inbound.forEach((r, i) => {
        let len: number;
        while ((len = r.peek()) >= 0) {
          engine.onFrame!(ctx, i, r.u8, r.frameOffset, len, r.frameSeq);
          engine.onBatchEnd?.(ctx, i, r.frameSeq);
          r.release();
        }
      });
      engine.poll!(ctx);
    };
    const top = (ring: number, ins: number, venue: number, seq: number, book: [Levels, Levels]): void => {
      const before = consumed();
      queueTop(ring, ins, venue, seq, S, ...book);
      iterate();
      expect(consumed()).toBe(before + 1);
    };
    top(0, BIN.instrument, BIN.venue, 100, binBook());
    top(2, OKX.instrument, OKX.venue, 500, okxBook());
    expect(events).toEqual([]);
    // OKX crosses Binance: one concurrent combo, a leg per executor
    top(2, OKX.instrument, OKX.venue, 501, okxCrossed());
    drainOrders();
    expect(orders.map((x) => x.ring).sort()).toEqual([0, 1]);
    // both published before any doorbell; OKX's executor (another cpu) rung before Binance's
    expect(events).toEqual(['write 0', 'write 1', 'wake 1', 'wake 0']);
    await engine.onStop?.(ctx);
  });
});
