// Suite `cold-path`: what the engine's decision code costs with warm caches against cold ones.
// The decision path of an arbitrage engine runs a few times a second, between thousands of book
// updates and other threads on the same core, so it usually starts with its code and data out of
// the cpu caches. This suite measures that penalty on the machine it runs on: the same already
// optimised code, once right after the previous call (warm) and once after sweeping a buffer
// larger than the last-level cache (cold). It explains the engine->sent stage of tick-to-order
// and tells a desk how much an isolated core (nothing else evicting the engine's lines) is worth.
//
// One op = the engine's work from a book update that crosses to the order frame: the pair's
// trigger on both books (the embedded configuration's btc-spot-cross, counter_price net of fees,
// the books crossed by ~300 USDT), the sizing walk over both books' depth, and the FlatBuffers
// encoding of the two NewOrder frames (WireEncoder, as the engine builds them). The suite throws
// if the trigger does not fire or the sizing finds nothing (the op would not be the decision).
//
// Method: JIT warm-up (BENCH_COLD_WARMUP ops), then BENCH_COLD_SAMPLES rounds of: one timed op
// (warm: the previous round's op just ran), a sweep that writes one double per cache line of a
// BENCH_COLD_SWEEP_MIB buffer, one timed op (cold). Both cases in the main thread, interleaved,
// each op timed alone with nowUs(); the ratio is cold p50 / warm p50 of this run.
import { nowUs } from '../src/actors/clock.js';
import { buildEngineModel } from '../src/actors/engine.js';
import { OrderBook } from '../src/core/book.js';
import { Sizer } from '../src/core/sizing.js';
import { TriggerAction, TriggerEvaluator } from '../src/core/triggers.js';
import { OrderType, Side, WireEncoder, newEnvelopeHead, type NewOrderValue } from '../src/wire/index.js';
import { Recorder, envInt, latencyFields, timesHigher, type CaseResult, type RuntimeInfo, type SuiteReport } from './harness.js';

const PAIR = 'btc-spot-cross';
const LEVELS = 20;

export interface ColdPathConfig {
  readonly warmup: number;
  readonly samples: number;
  readonly sweepMiB: number;
}

export function coldPathConfigFromEnv(): ColdPathConfig {
  return { warmup: envInt('BENCH_COLD_WARMUP', 20_000), samples: envInt('BENCH_COLD_SAMPLES', 400), sweepMiB: envInt('BENCH_COLD_SWEEP_MIB', 64) };
}

/** Both books of the pair, crossed: A (Binance spot, tick 0.01, lot 1e-5 BTC) asks from 64 000,
 * B (OKX spot, tick 0.1, lot 1e-8 BTC) bids from 64 300, 20 levels of 0.002 BTC each. */
function crossedBooks(): { a: OrderBook; b: OrderBook } {
  const a = new OrderBook(64);
  const b = new OrderBook(64);
  for (let i = 0; i < LEVELS; i++) {
    a.setAsk(6_400_000 + 50 * i, 200);
    a.setBid(6_399_000 - 50 * i, 200);
    b.setBid(643_000 - 10 * i, 200_000);
    b.setAsk(643_100 + 10 * i, 200_000);
  }
  return { a, b };
}

export async function runColdPathSuite(runtime: RuntimeInfo, cfg: ColdPathConfig = coldPathConfigFromEnv()): Promise<SuiteReport> {
  const m = buildEngineModel(undefined, [PAIR]);
  const pair = m.pairs[0]!;
  const model = pair.model;
  const { a, b } = crossedBooks();
  const evaluator = new TriggerEvaluator();
  const sizer = new Sizer();
  const enc = new WireEncoder();
  const head = newEnvelopeHead(100);
  const nv: NewOrderValue = { clientOrderId: '', orderRef: 0, instrumentId: 0, venueId: 0, side: Side.Buy, orderType: OrderType.Ioc, priceTicks: 0, qtyLots: 0, comboId: 0, leg: 0, reduceOnly: false };
  let orderNo = 0;
  let sink = 0;

  /** The decision: trigger, sizing, both order frames encoded. Returns the frames' total size. */
  const op = (): number => {
    const r = evaluator.evaluate(model, a, b, 0, nowUs() / 1000, null);
    if (r.action !== TriggerAction.OPEN) throw new Error(`cold-path: the trigger did not fire (action ${r.action})`);
    const s = sizer.size(model, r, a, b, 0);
    if (!s.ok) throw new Error(`cold-path: sizing found nothing (reason ${s.reason})`);
    orderNo++;
    let bytes = 0;
    for (let leg = 0; leg < 2; leg++) {
      nv.clientOrderId = `xmccold${orderNo}l${leg}`;
      nv.orderRef = orderNo * 4 + leg;
      nv.instrumentId = leg === 0 ? pair.a : pair.b;
      nv.venueId = leg;
      nv.side = leg === 0 ? Side.Buy : Side.Sell;
      nv.priceTicks = leg === 0 ? s.limitTicksA : s.limitTicksB;
      nv.qtyLots = leg === 0 ? s.lotsA : s.lotsB;
      nv.comboId = orderNo;
      nv.leg = leg;
      head.seq = orderNo;
      enc.newOrder(head, nv);
      bytes += enc.end - enc.start;
    }
    return bytes;
  };

  for (let i = 0; i < cfg.warmup; i++) sink += op();
  const sweep = new Float64Array((cfg.sweepMiB * 1024 * 1024) / 8);
  const warm = new Recorder(cfg.samples);
  const cold = new Recorder(cfg.samples);
  for (let i = 0; i < cfg.samples; i++) {
    let t = nowUs();
    sink += op();
    warm.record(nowUs() - t);
    for (let j = 0; j < sweep.length; j += 8) sweep[j]! += 1; // one write per 64-byte line
    t = nowUs();
    sink += op();
    cold.record(nowUs() - t);
  }
  if (sink <= 0) throw new Error('cold-path: no frame was encoded');
  const w = warm.summary();
  const c = cold.summary();
  const cases: CaseResult[] = [
    { name: 'decision, warm caches', ...latencyFields(w), note: `trigger + sizing (${LEVELS} levels per side) + 2 NewOrder frames; the previous op just ran` },
    { name: `decision, cold caches (${cfg.sweepMiB} MiB sweep)`, ...latencyFields(c), note: 'same op right after writing one double per cache line of the sweep buffer' },
  ];
  return {
    suite: 'cold-path',
    description: `the engine's decision code (${PAIR}: trigger, sizing, order frames) with warm caches and after a cache sweep, same optimised code`,
    runtime,
    config: { ...cfg, pair: PAIR },
    baseline: 'the same op with warm caches',
    cases,
    ratios: { 'cold / warm p50': timesHigher(w.p50, c.p50), 'cold / warm p99': timesHigher(w.p99, c.p99) },
    targets: [],
    notes: [
      `${cfg.warmup} warm-up ops first (optimised code in both cases); ${cfg.samples} rounds of one warm op, the sweep, one cold op`,
      'the gap is what an isolated core (or keeping the path warm) can win on the decision; tick-to-order shows it as engine->sent',
    ],
  };
}
