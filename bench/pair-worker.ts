// Worker thread of a producer/consumer benchmark pair (bench/ring.ts, bench/alloc.ts). The same
// script plays either role over either transport:
//   transport 'ring'  our SPSC ring in a SharedArrayBuffer; the consumer waits with the case's
//                     strategy (spin / spin-park / park / async-park, src/shm/wait.ts); the
//                     producer copies each message into the ring with RingWriter.write (the one
//                     copy a FlatBuffers builder's bytes take on the real path).
//   transport 'port'  MessagePort.postMessage of a Uint8Array (structured clone), the baseline;
//                     the consumer receives 'message' events on its event loop.
//   transport 'word'  no transport: one shared Int32 per direction (rtt mode only), the cost of
//                     one cache line crossing between the two cores: the floor of this machine.
// Modes:
//   latency     paced producer (one message every paceUs); the consumer records, per message,
//               its clock at receipt minus the producer's stamp (both nowUs() from
//               src/actors/clock.ts, the same CLOCK_MONOTONIC scale in every thread).
//   throughput  saturating producer (ring: as fast as the ring accepts; port: at most `window`
//               messages in flight, else the unbounded port queue would measure memory); the
//               consumer reads its clock when the measured part starts and ends, never per
//               message.
//   alloc       like throughput; the report is heap growth and GC counts over the measured part.
//   rtt         clock check: the consumer echoes each message on a second ring; the producer
//               records (echo receipt - stamp) / 2, on its own clock only.
// Every mode reports the thread's heap use (per V8 space) and GC counts (by kind) over the
// measured window, and its clock calibration error bound.
//
// Warm-up and the measured window: the hot loops are methods that run N messages and contain
// no phase logic. A thread runs the warm-up in a few calls (so V8 optimises the loop as a
// function, not only on-stack), then opens the window (heap snapshot, clock), then makes ONE call
// for the measured messages, then closes the window. A branch that only fires at the phase
// boundary would deoptimise the loop right at the start of the window, and the interpreter's
// boxed doubles would show up as allocation that the steady state does not have. Latency samples
// are recorded during the warm-up too (same code path) and discarded with Recorder.reset().
//
// Invariants: the measured loops allocate nothing per message on the ring path (views, predicates
// and the source buffer are made once); the worker pins itself and attaches its ring ends before
// saying 'ready', so no frame is written before both ends are attached, and does nothing timed
// before CTL_GO; the consumer checks every sequence number (seqErrors).
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { calibrationErrorUs, nowUs } from '../src/actors/clock.js';
import { pinCurrentThread } from '../src/actors/pinning.js';
import { ShmMap } from '../src/shm/layout.js';
import { RingReader, RingWriter } from '../src/shm/ring.js';
import { Waiter, cpuPause } from '../src/shm/wait.js';
import { Recorder } from './harness.js';
import {
  CTL_GO,
  CTL_PING,
  CTL_PONG,
  CTL_RECEIVED,
  F_FIRST_US,
  F_LAST_US,
  MSG_SEQ,
  MSG_STAMP,
  type PairWorkerData,
  type PairWorkerMessage,
} from './pair-protocol.js';

const wd = workerData as PairWorkerData;
const port = parentPort!;
const ctl = new Int32Array(wd.control);
const ctlF = new Float64Array(wd.control);
const total = wd.warmup + wd.count;
const WARMUP_CALLS = 4;

// ------------------------------------------------------------------ heap and GC accounting

const gcCounts = { minor: 0, major: 0, incremental: 0, weakcb: 0, other: 0 };
let windowStart = Infinity;
let windowEnd = Infinity;
let heapBefore = 0;
let heapAfter = 0;
let spacesBefore: Record<string, number> = {};
let spacesAfter: Record<string, number> = {};

const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.startTime < windowStart || e.startTime > windowEnd) continue;
    const kind = (e as unknown as { detail?: { kind?: number } | null }).detail?.kind ?? 0;
    if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gcCounts.minor++;
    else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gcCounts.major++;
    else if (kind === perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL) gcCounts.incremental++;
    else if (kind === perfConstants.NODE_PERFORMANCE_GC_WEAKCB) gcCounts.weakcb++;
    else gcCounts.other++;
  }
});
gcObserver.observe({ entryTypes: ['gc'] });

/** used_size per heap space (new_space growth = young garbage; code/old = JIT, feedback). */
function spaces(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sp of getHeapSpaceStatistics()) if (sp.space_used_size > 0) out[sp.space_name] = sp.space_used_size;
  return out;
}

function beginWindow(): void {
  spacesBefore = spaces();
  heapBefore = getHeapStatistics().used_heap_size;
  windowStart = performance.now();
}

function endWindow(): void {
  windowEnd = performance.now();
  heapAfter = getHeapStatistics().used_heap_size;
  spacesAfter = spaces();
}

function spaceGrowth(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(spacesBefore), ...Object.keys(spacesAfter)])) {
    const d = (spacesAfter[k] ?? 0) - (spacesBefore[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** Lets pending GC entries reach the observer, then reports. */
async function finish(received: number, extra: Record<string, unknown>): Promise<void> {
  await new Promise((r) => setTimeout(r, 20));
  gcObserver.disconnect();
  const msg: PairWorkerMessage = {
    type: 'done',
    role: wd.role,
    received,
    stats: {
      heapBefore,
      heapAfter,
      heapGrowth: heapAfter - heapBefore,
      spaceGrowth: spaceGrowth(),
      gc: { ...gcCounts },
      clockErrorUs: calibrationErrorUs(),
      ...extra,
    },
  };
  port.postMessage(msg);
}

function waitForGo(): void {
  while (Atomics.load(ctl, CTL_GO) === 0) Atomics.wait(ctl, CTL_GO, 0, 1000);
}

/** Runs `n` messages through `run` in WARMUP_CALLS calls (at least one message each). */
function warmUp(run: (n: number) => void, n: number): void {
  const chunk = Math.max(1, Math.ceil(n / WARMUP_CALLS));
  for (let done = 0; done < n; done += chunk) run(Math.min(chunk, n - done));
}

async function warmUpAsync(run: (n: number) => Promise<void>, n: number): Promise<void> {
  const chunk = Math.max(1, Math.ceil(n / WARMUP_CALLS));
  for (let done = 0; done < n; done += chunk) await run(Math.min(chunk, n - done));
}

/** The latency recorder (consumer in latency mode, producer in rtt mode), or null. */
function recorderFor(role: 'producer' | 'consumer'): Recorder | null {
  if (wd.recorder === null) return null;
  const mine = wd.mode === 'rtt' ? role === 'producer' : wd.mode === 'latency' && role === 'consumer';
  return mine ? new Recorder(Math.max(wd.count, wd.warmup), wd.recorder) : null;
}

/** Message source: a Uint8Array of the case's size with its header views. */
class Source {
  readonly u8: Uint8Array;
  readonly f64: Float64Array;
  readonly u32: Uint32Array;
  constructor(size: number) {
    this.u8 = new Uint8Array(size);
    for (let i = 16; i < size; i++) this.u8[i] = i & 0xff;
    this.f64 = new Float64Array(this.u8.buffer);
    this.u32 = new Uint32Array(this.u8.buffer);
  }
}

// ------------------------------------------------------------------ ring transport

class RingProducer {
  private readonly writer: RingWriter;
  private readonly src = new Source(wd.size);
  private readonly space: Waiter;
  private readonly back: RingReader | null;
  private readonly rec: Recorder | null;
  private readonly paced = wd.mode === 'latency' || wd.mode === 'rtt';
  private seq = 0;
  private next = 0;

  constructor(map: ShmMap) {
    this.writer = RingWriter.attach(map, wd.ringName);
    // Backpressure: a spinning consumer gets a spinning producer; the others spin then park.
    this.space = new Waiter(wd.wait === 'spin' ? 'spin' : 'spin-park', this.writer.spaceDoorbell, { parkTimeoutMs: 100 });
    this.back = wd.mode === 'rtt' ? RingReader.attach(map, `${wd.ringName}-back`) : null;
    this.rec = recorderFor('producer');
  }

  /** Sends `n` messages. */
  run(n: number): void {
    const writer = this.writer;
    const src = this.src.u8;
    const srcF = this.src.f64;
    const srcU = this.src.u32;
    const size = wd.size;
    const space = this.space;
    const back = this.back;
    const rec = this.rec;
    const paced = this.paced;
    const pace = wd.paceUs;
    let seq = this.seq;
    let next = this.next;
    for (let i = 0; i < n; i++) {
      if (paced) {
        while (nowUs() < next) cpuPause();
      }
      srcU[MSG_SEQ >> 2] = seq;
      // Only the timed modes need the stamp; the saturating ones read no clock per message.
      const t = paced ? nowUs() : 0;
      srcF[MSG_STAMP >> 3] = t;
      while (!writer.write(src, 0, size)) writer.waitForSpace(size, space);
      if (back !== null) {
        while (back.peek() < 0) cpuPause();
        const t2 = nowUs();
        back.release();
        rec!.record((t2 - t) / 2);
      }
      if (paced) next = t + pace;
      seq++;
    }
    this.seq = seq;
    this.next = next;
  }

  stats(): Record<string, unknown> {
    return { fullCount: this.writer.fullCount, spaceParks: this.writer.spaceDoorbell.parks };
  }
}

function ringProducer(ready: () => void): void {
  const p = new RingProducer(ShmMap.attach(wd.shm!));
  const rec = recorderFor('producer');
  ready();
  waitForGo();
  warmUp((n) => p.run(n), wd.warmup);
  rec?.reset();
  beginWindow();
  p.run(wd.count);
  endWindow();
  void finish(total, p.stats());
}

class RingConsumer {
  readonly reader: RingReader;
  received = 0;
  seqErrors = 0;
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;
  private readonly base: number;
  private readonly rec: Recorder | null;
  private readonly waiter: Waiter;
  private readonly hasWork: () => boolean;
  /** Release every frame at once (latency) or a quarter ring at a time (saturating modes). */
  private readonly releaseBytes: number;

  constructor(map: ShmMap) {
    const reader = RingReader.attach(map, wd.ringName);
    this.reader = reader;
    this.f64 = new Float64Array(map.sab);
    this.u32 = new Uint32Array(map.sab);
    this.base = reader.u8.byteOffset;
    this.rec = recorderFor('consumer');
    this.waiter = new Waiter(wd.wait!, reader.doorbell, { parkTimeoutMs: 100 });
    this.hasWork = () => reader.available();
    this.releaseBytes = this.rec !== null ? 1 : reader.capacity >> 2;
  }

  /** Handles the frame just peeked; `t` is the receipt time (latency mode) or NaN. */
  private onFrame(t: number): void {
    const abs = this.base + this.reader.frameOffset;
    if (this.u32[(abs + MSG_SEQ) >> 2] !== this.received) this.seqErrors++;
    this.received++;
    if (this.rec !== null) this.rec.record(t - this.f64[(abs + MSG_STAMP) >> 3]!);
    if (this.reader.unreleasedBytes >= this.releaseBytes) this.reader.release();
  }

  /** Receives `n` messages, waiting with the case's strategy (synchronously). */
  run(n: number): void {
    const reader = this.reader;
    const waiter = this.waiter;
    const hasWork = this.hasWork;
    const timed = this.rec !== null;
    for (let i = 0; i < n; ) {
      if (reader.peek() < 0) {
        reader.release();
        waiter.waitFor(hasWork);
        continue;
      }
      this.onFrame(timed ? nowUs() : Number.NaN);
      i++;
    }
    reader.release();
  }

  /** Receives `n` messages, parking with Atomics.waitAsync (the event loop keeps running). */
  async runAsync(n: number): Promise<void> {
    const reader = this.reader;
    const waiter = this.waiter;
    const hasWork = this.hasWork;
    const timed = this.rec !== null;
    for (let i = 0; i < n; ) {
      if (reader.peek() < 0) {
        reader.release();
        await waiter.waitForAsync(hasWork);
        continue;
      }
      this.onFrame(timed ? nowUs() : Number.NaN);
      i++;
    }
    reader.release();
  }

  stats(): Record<string, unknown> {
    return { parks: this.reader.doorbell.parks, seqErrors: this.seqErrors };
  }
}

function ringConsumerSync(ready: () => void): void {
  const c = new RingConsumer(ShmMap.attach(wd.shm!));
  const rec = recorderFor('consumer');
  ready();
  waitForGo();
  warmUp((n) => c.run(n), wd.warmup);
  rec?.reset();
  beginWindow();
  ctlF[F_FIRST_US] = nowUs();
  c.run(wd.count);
  ctlF[F_LAST_US] = nowUs();
  endWindow();
  void finish(c.received, c.stats());
}

async function ringConsumerAsync(ready: () => void): Promise<void> {
  const c = new RingConsumer(ShmMap.attach(wd.shm!));
  const rec = recorderFor('consumer');
  ready();
  // A pending Atomics.waitAsync does not keep a worker's event loop alive (Node ends the worker
  // with exit code 0 while it waits). A real actor has sockets and timers that do; here a long
  // timer stands in for them.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await warmUpAsync((n) => c.runAsync(n), wd.warmup);
  rec?.reset();
  beginWindow();
  ctlF[F_FIRST_US] = nowUs();
  await c.runAsync(wd.count);
  ctlF[F_LAST_US] = nowUs();
  endWindow();
  clearInterval(keepAlive);
  void finish(c.received, c.stats());
}

/** rtt mode: spin on the ring and echo every frame back on `<ring>-back`. */
class RingEcho {
  private readonly reader: RingReader;
  private readonly writer: RingWriter;
  received = 0;

  constructor(map: ShmMap) {
    this.reader = RingReader.attach(map, wd.ringName);
    this.writer = RingWriter.attach(map, `${wd.ringName}-back`);
  }

  run(n: number): void {
    const reader = this.reader;
    const writer = this.writer;
    const u8 = reader.u8;
    for (let i = 0; i < n; ) {
      const len = reader.peek();
      if (len < 0) {
        cpuPause();
        continue;
      }
      const off = reader.frameOffset;
      while (!writer.write(u8, off, off + len)) cpuPause();
      reader.release();
      i++;
    }
    this.received += n;
  }
}

function ringEchoConsumer(ready: () => void): void {
  const e = new RingEcho(ShmMap.attach(wd.shm!));
  ready();
  waitForGo();
  warmUp((n) => e.run(n), wd.warmup);
  beginWindow();
  e.run(wd.count);
  endWindow();
  void finish(e.received, {});
}

// ------------------------------------------------------------------ shared word (the floor)

/** Transport 'word', producer: stamp, ping, spin for the pong, record round trip / 2. */
function wordProducer(ready: () => void): void {
  const rec = recorderFor('producer')!;
  let seq = 0;
  let next = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      while (nowUs() < next) cpuPause();
      const t = nowUs();
      const v = (seq + 1) | 0;
      Atomics.store(ctl, CTL_PING, v);
      while (Atomics.load(ctl, CTL_PONG) !== v) cpuPause();
      const t2 = nowUs();
      rec.record((t2 - t) / 2);
      next = t + wd.paceUs;
      seq++;
    }
  };
  ready();
  waitForGo();
  warmUp(run, wd.warmup);
  rec.reset();
  beginWindow();
  run(wd.count);
  endWindow();
  void finish(total, {});
}

/** Transport 'word', consumer: spin on the ping, echo it. */
function wordEcho(ready: () => void): void {
  let seen = 0;
  let received = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      let v = Atomics.load(ctl, CTL_PING);
      while (v === seen) {
        cpuPause();
        v = Atomics.load(ctl, CTL_PING);
      }
      Atomics.store(ctl, CTL_PONG, v);
      seen = v;
    }
    received += n;
  };
  ready();
  waitForGo();
  warmUp(run, wd.warmup);
  beginWindow();
  run(wd.count);
  endWindow();
  void finish(received, {});
}

// ------------------------------------------------------------------ MessagePort transport

class PortProducer {
  private readonly src = new Source(wd.size);
  private readonly paced = wd.mode === 'latency';
  private seq = 0;
  private next = 0;

  run(n: number): void {
    const p = wd.port!;
    const src = this.src.u8;
    const srcF = this.src.f64;
    const srcU = this.src.u32;
    const paced = this.paced;
    const pace = wd.paceUs;
    const window = wd.window;
    let seq = this.seq;
    let next = this.next;
    for (let i = 0; i < n; i++) {
      if (paced) {
        while (nowUs() < next) cpuPause();
      } else {
        while (seq - Atomics.load(ctl, CTL_RECEIVED) >= window) cpuPause();
      }
      srcU[MSG_SEQ >> 2] = seq;
      const t = paced ? nowUs() : 0;
      srcF[MSG_STAMP >> 3] = t;
      p.postMessage(src);
      if (paced) next = t + pace;
      seq++;
    }
    this.seq = seq;
    this.next = next;
  }
}

function portProducer(): void {
  const p = new PortProducer();
  waitForGo();
  warmUp((n) => p.run(n), wd.warmup);
  beginWindow();
  p.run(wd.count);
  endWindow();
  void finish(total, {});
}

function portConsumer(): void {
  const p = wd.port!;
  const rec = recorderFor('consumer');
  // The header is copied into an aligned scratch buffer (the received array may sit anywhere).
  const scratch = new Uint8Array(16);
  const scratchF = new Float64Array(scratch.buffer);
  const scratchU = new Uint32Array(scratch.buffer);
  const timed = rec !== null;
  let received = 0;
  let seqErrors = 0;
  if (wd.warmup === 0) {
    beginWindow();
    ctlF[F_FIRST_US] = nowUs();
  }
  p.on('message', (m: Uint8Array) => {
    const t = timed ? nowUs() : Number.NaN;
    for (let i = 0; i < 16; i++) scratch[i] = m[i]!;
    if (scratchU[MSG_SEQ >> 2] !== received) seqErrors++;
    if (rec !== null) rec.record(t - scratchF[MSG_STAMP >> 3]!);
    received++;
    Atomics.store(ctl, CTL_RECEIVED, received);
    // Event-driven: the phase boundaries are checks in the handler (this path allocates per
    // message anyway: every received message is a new object).
    if (received === wd.warmup) {
      rec?.reset();
      beginWindow();
      ctlF[F_FIRST_US] = nowUs();
    } else if (received === total) {
      ctlF[F_LAST_US] = timed ? t : nowUs();
      endWindow();
      p.close();
      void finish(received, { seqErrors });
    }
  });
}

// ------------------------------------------------------------------ bootstrap

function main(): void {
  const pin = pinCurrentThread(wd.cpu);
  const ready: PairWorkerMessage = { type: 'ready', role: wd.role, pin };
  if (wd.transport === 'port') {
    if (wd.role === 'producer') {
      port.postMessage(ready);
      portProducer();
    } else {
      portConsumer();
      port.postMessage(ready);
    }
    return;
  }
  // Ring roles say 'ready' only once attached: nothing is written before both ends are.
  const sayReady = (): void => port.postMessage(ready);
  if (wd.transport === 'word') {
    if (wd.role === 'producer') wordProducer(sayReady);
    else wordEcho(sayReady);
    return;
  }
  if (wd.role === 'producer') ringProducer(sayReady);
  else if (wd.mode === 'rtt') ringEchoConsumer(sayReady);
  else if (wd.wait === 'async-park') void ringConsumerAsync(sayReady);
  else ringConsumerSync(sayReady);
}

try {
  main();
} catch (err) {
  const msg: PairWorkerMessage = { type: 'error', role: wd.role, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  port.postMessage(msg);
}
