// Suite `codec`: FlatBuffers encode + read of a book-top message (envelope with 8 stage times,
// 10 levels per side) with the project's reusable WireEncoder and in-place FrameView
// (src/wire/codec.ts), against JSON.stringify + JSON.parse of the same content as a plain object
// (the shape decodeMessage() returns). One "op" = encode, then read back every field (sums go
// into a sink so nothing is optimised away). Each op changes the sequence number and the best
// prices, so no result can be cached.
//
// Method: warm-up ops first, then batches of BENCH_CODEC_BATCH ops timed with nowUs(); a sample
// is batch time / batch size (µs per op), percentiles are over batches; ops/s = ops / total time.
// Both cases run in the main thread, alternating rounds (JSON, FB, JSON, FB) so drift in the
// machine's speed hits both; each case's figures pool its rounds.
//
// Invariants: the FlatBuffers path allocates nothing per op (WireEncoder resets its builder,
// FrameView reuses its accessors); the JSON path allocates what JSON must (that is the point).
import { nowUs } from '../src/actors/clock.js';
import { isDeepStrictEqual } from 'node:util';
import { FrameView, Stage, WireEncoder, decodeMessage, newBookTopInput, newEnvelopeHead, type BookTopValue, type EnvelopeHead } from '../src/wire/codec.js';
import {
  Recorder,
  checkAtLeast,
  envInt,
  latencyFields,
  timesHigher,
  timesLower,
  type CaseResult,
  type RuntimeInfo,
  type SuiteReport,
} from './harness.js';

const LEVELS = 10;

interface JsonMessage {
  sourceActor: number;
  seq: number;
  times: EnvelopeHead['times'];
  body: { kind: 'BookTop'; value: BookTopValue };
}

/** Fills a plain book-top message with realistic figures (ticks and lots as integers). */
function makeJsonMessage(): JsonMessage {
  const bids = [];
  const asks = [];
  for (let i = 0; i < LEVELS; i++) {
    bids.push({ priceTicks: 6_400_000 - i, qtyLots: 1_000 + 37 * i });
    asks.push({ priceTicks: 6_400_001 + i, qtyLots: 900 + 41 * i });
  }
  const t0 = 1_763_700_000_000_000;
  return {
    sourceActor: 3,
    seq: 0,
    times: {
      venueEventUs: t0,
      receivedUs: 123_456_789.25,
      bookAppliedUs: 123_456_791.5,
      ringCommittedUs: 123_456_792.75,
      decisionUs: 0,
      orderSentUs: 0,
      ackUs: 0,
      fillUs: 0,
    },
    body: {
      kind: 'BookTop',
      value: {
        instrumentId: 42,
        venueId: 2,
        flags: 1,
        firstSeq: 9_000_000_001,
        lastSeq: 9_000_000_017,
        venueTimeUs: t0,
        bids,
        asks,
      },
    },
  };
}

let sink = 0;

function jsonOp(msg: JsonMessage, i: number): void {
  msg.seq = i;
  msg.body.value.bids[0]!.priceTicks = 6_400_000 + (i & 7);
  msg.body.value.asks[0]!.priceTicks = 6_400_001 + (i & 7);
  const text = JSON.stringify(msg);
  const m = JSON.parse(text) as JsonMessage;
  const t = m.times;
  let s = m.sourceActor + m.seq + t.venueEventUs + t.receivedUs + t.bookAppliedUs + t.ringCommittedUs + t.decisionUs + t.orderSentUs + t.ackUs + t.fillUs;
  const v = m.body.value;
  s += v.instrumentId + v.venueId + v.flags + v.firstSeq + v.lastSeq + v.venueTimeUs;
  for (let k = 0; k < v.bids.length; k++) s += v.bids[k]!.priceTicks + v.bids[k]!.qtyLots;
  for (let k = 0; k < v.asks.length; k++) s += v.asks[k]!.priceTicks + v.asks[k]!.qtyLots;
  sink += s;
}

interface FbState {
  enc: WireEncoder;
  view: FrameView;
  head: EnvelopeHead;
  input: ReturnType<typeof newBookTopInput>;
}

function makeFbState(src: JsonMessage): FbState {
  const enc = new WireEncoder();
  const head = newEnvelopeHead(src.sourceActor);
  Object.assign(head.times, src.times);
  const v = src.body.value;
  const input = newBookTopInput(LEVELS);
  input.instrumentId = v.instrumentId;
  input.venueId = v.venueId;
  input.flags = v.flags;
  input.firstSeq = v.firstSeq;
  input.lastSeq = v.lastSeq;
  input.venueTimeUs = v.venueTimeUs;
  input.bidCount = v.bids.length;
  input.askCount = v.asks.length;
  const bp = input.bidPriceTicks as Float64Array;
  const bq = input.bidQtyLots as Float64Array;
  const ap = input.askPriceTicks as Float64Array;
  const aq = input.askQtyLots as Float64Array;
  for (let k = 0; k < v.bids.length; k++) {
    bp[k] = v.bids[k]!.priceTicks;
    bq[k] = v.bids[k]!.qtyLots;
  }
  for (let k = 0; k < v.asks.length; k++) {
    ap[k] = v.asks[k]!.priceTicks;
    aq[k] = v.asks[k]!.qtyLots;
  }
  enc.bookTop(head, input);
  return { enc, view: new FrameView(enc.bytes), head, input };
}

function fbOp(st: FbState, i: number): void {
  st.head.seq = i;
  (st.input.bidPriceTicks as Float64Array)[0] = 6_400_000 + (i & 7);
  (st.input.askPriceTicks as Float64Array)[0] = 6_400_001 + (i & 7);
  const enc = st.enc.bookTop(st.head, st.input);
  // The encoder's buffer only changes when the builder grows (never at this size); rebuild the
  // view if it ever does, so the read is always of the frame just encoded.
  if (enc.bytes !== st.view.u8) st.view = new FrameView(enc.bytes);
  const view = st.view.at(enc.start);
  let s = view.sourceActor() + view.seq();
  for (let k = 0; k < 8; k++) s += view.stage(k as Stage);
  const top = view.bookTop();
  s += top.instrumentId() + top.venueId() + top.flags() + top.firstSeq() + top.lastSeq() + top.venueTimeUs();
  const nb = view.bidCount();
  for (let k = 0; k < nb; k++) s += view.bidPriceTicks(k) + view.bidQtyLots(k);
  const na = view.askCount();
  for (let k = 0; k < na; k++) s += view.askPriceTicks(k) + view.askQtyLots(k);
  sink += s;
}

/** Runs `batches` timed batches of `batch` ops, recording µs per op per batch. */
function measure(rec: Recorder, batches: number, batch: number, op: (i: number) => void, i0: number): { ops: number; us: number } {
  let i = i0;
  const started = nowUs();
  for (let b = 0; b < batches; b++) {
    const t0 = nowUs();
    for (let k = 0; k < batch; k++) op(i++);
    rec.record((nowUs() - t0) / batch);
  }
  return { ops: batches * batch, us: nowUs() - started };
}

export async function runCodecSuite(runtime: RuntimeInfo): Promise<SuiteReport> {
  const cfg = {
    levelsPerSide: LEVELS,
    opsPerRound: envInt('BENCH_CODEC_OPS', 200_000),
    rounds: envInt('BENCH_CODEC_ROUNDS', 2),
    batch: envInt('BENCH_CODEC_BATCH', 100),
    warmupOps: envInt('BENCH_CODEC_WARMUP', 50_000),
  };
  const batches = Math.max(1, Math.floor(cfg.opsPerRound / cfg.batch));
  const msg = makeJsonMessage();
  const fb = makeFbState(msg);
  const jsonOpBound = (i: number): void => jsonOp(msg, i);
  const fbOpBound = (i: number): void => fbOp(fb, i);

  // Same content check: what FlatBuffers reads back equals the JSON object, field by field.
  const sameContent = isDeepStrictEqual(decodeMessage(fb.enc.toUint8Array()), msg);
  if (!sameContent) throw new Error('codec suite: the FlatBuffers frame does not decode to the JSON message');
  const jsonBytes = Buffer.byteLength(JSON.stringify(msg));
  const fbBytes = fb.enc.length;

  for (let i = 0; i < cfg.warmupOps; i++) {
    jsonOp(msg, i);
    fbOp(fb, i);
  }
  const recJson = new Recorder(batches * cfg.rounds);
  const recFb = new Recorder(batches * cfg.rounds);
  let jsonTotal = { ops: 0, us: 0 };
  let fbTotal = { ops: 0, us: 0 };
  for (let r = 0; r < cfg.rounds; r++) {
    const j = measure(recJson, batches, cfg.batch, jsonOpBound, r * cfg.opsPerRound);
    const f = measure(recFb, batches, cfg.batch, fbOpBound, r * cfg.opsPerRound);
    jsonTotal = { ops: jsonTotal.ops + j.ops, us: jsonTotal.us + j.us };
    fbTotal = { ops: fbTotal.ops + f.ops, us: fbTotal.us + f.us };
    await new Promise((res) => setImmediate(res));
  }
  const sJson = recJson.summary();
  const sFb = recFb.summary();
  const jsonRate = (jsonTotal.ops * 1e6) / jsonTotal.us;
  const fbRate = (fbTotal.ops * 1e6) / fbTotal.us;
  const cases: CaseResult[] = [
    { name: 'book top JSON.stringify + JSON.parse + read', note: `baseline, ${jsonBytes} B`, ...latencyFields(sJson), msgs_per_sec: jsonRate, extra: { bytes: jsonBytes, ops: jsonTotal.ops } },
    { name: 'book top FlatBuffers encode + read', note: `${fbBytes} B`, ...latencyFields(sFb), msgs_per_sec: fbRate, extra: { bytes: fbBytes, ops: fbTotal.ops } },
  ];
  const ratios = {
    'FlatBuffers ops/s x JSON': timesHigher(jsonRate, fbRate),
    'FlatBuffers p50 x faster': timesLower(sJson.p50, sFb.p50),
    'FlatBuffers p99 x faster': timesLower(sJson.p99, sFb.p99),
  };
  return {
    suite: 'codec',
    description: `book top (${LEVELS} levels per side + envelope) encode + read, FlatBuffers vs JSON, per op (samples = batches of ${cfg.batch} ops)`,
    runtime,
    config: { ...cfg, jsonBytes, fbBytes },
    baseline: 'JSON.stringify + JSON.parse of the same content as a plain object',
    cases,
    ratios,
    targets: [checkAtLeast('FlatBuffers encode + read >= 5x faster than JSON (ops/s)', 5, ratios['FlatBuffers ops/s x JSON'])],
    notes: [
      `percentiles are over batches of ${cfg.batch} ops (us per op); ${cfg.rounds} alternating rounds of ${cfg.opsPerRound} ops per case after ${cfg.warmupOps} warm-up ops each`,
      'the FlatBuffers frame decodes (decodeMessage) to exactly the JSON message object: same content',
      `checksum sink ${sink > 0 ? 'non-zero' : 'zero'} (keeps the reads live)`,
    ],
  };
}
