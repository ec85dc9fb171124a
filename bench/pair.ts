// Main-thread side of a producer/consumer benchmark pair: builds the shared control block, the
// ring layout or the MessageChannel, starts bench/pair-worker.js twice (consumer first), waits
// until both are pinned and ready, releases them together, and collects the figures.
//
// Invariants: every case runs in two fresh worker threads (no JIT state or heap carried from
// one case to the next); a case that does not finish before its deadline is terminated and
// reported as an error, never as a figure; the recorder is read only after the consumer said
// 'done' (its postMessage orders the shared writes before our read).
import { MessageChannel, Worker } from 'node:worker_threads';
import { compiledModule } from '../src/paths.js';
import { ShmLayout, ringSpec } from '../src/shm/layout.js';
import { Recorder, recorderBytes, type Summary } from './harness.js';
import {
  CONTROL_BYTES,
  CTL_GO,
  F_FIRST_US,
  F_LAST_US,
  type ConsumerWait,
  type PairMode,
  type PairWorkerData,
  type PairWorkerMessage,
  type Transport,
} from './pair-protocol.js';

export interface PairCase {
  transport: Transport;
  wait: ConsumerWait | null;
  mode: PairMode;
  size: number;
  warmup: number;
  count: number;
  paceUs: number;
  window: number;
  ringBytes: number;
  producerCpu: number | null;
  consumerCpu: number | null;
  timeoutMs: number;
}

export interface WorkerStats {
  heapBefore: number;
  heapAfter: number;
  heapGrowth: number;
  gc: { minor: number; major: number; incremental: number; weakcb: number; other: number };
  [k: string]: unknown;
}

export interface PairResult {
  latency: Summary | null;
  /** The measured latency samples in arrival order (a copy), for pooling runs; null otherwise. */
  samples: Float64Array | null;
  /** Measured messages per second at the consumer: `count` messages over the consumer's clock
   * from the start of the measured part to the last receipt. */
  msgsPerSec: number;
  elapsedUs: number;
  received: number;
  producer: WorkerStats;
  consumer: WorkerStats;
  pins: { producer: unknown; consumer: unknown };
}

const RING_NAME = 'bench';

export async function runPair(c: PairCase): Promise<PairResult> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const ctl = new Int32Array(control);
  const ctlF = new Float64Array(control);
  const timed = c.mode === 'latency' || c.mode === 'rtt';
  // Warm-up samples go through the same recorder (then reset), so it holds max(count, warmup).
  const capacity = Math.max(c.count, c.warmup);
  const recorder = timed ? new SharedArrayBuffer(recorderBytes(capacity)) : null;
  if (c.mode === 'rtt' && c.transport === 'port') throw new Error('rtt mode is for the ring and the shared word');
  if (c.transport === 'word' && c.mode !== 'rtt') throw new Error("transport 'word' runs in rtt mode only");
  const specs = [ringSpec(RING_NAME, c.ringBytes)];
  if (c.mode === 'rtt') specs.push(ringSpec(`${RING_NAME}-back`, c.ringBytes));
  const shm = c.transport === 'ring' ? new ShmLayout(specs).create() : null;
  const channel = c.transport === 'port' ? new MessageChannel() : null;
  const script = compiledModule('bench/pair-worker.ts');

  const base = {
    transport: c.transport,
    wait: c.wait,
    mode: c.mode,
    size: c.size,
    warmup: c.warmup,
    count: c.count,
    paceUs: c.paceUs,
    window: c.window,
    control,
    shm,
    ringName: RING_NAME,
  };
  const consumerData: PairWorkerData = {
    ...base,
    role: 'consumer',
    cpu: c.consumerCpu,
    port: channel?.port2 ?? null,
    recorder: c.mode === 'latency' ? recorder : null,
  };
  const producerData: PairWorkerData = {
    ...base,
    role: 'producer',
    cpu: c.producerCpu,
    port: channel?.port1 ?? null,
    recorder: c.mode === 'rtt' ? recorder : null,
  };

  const workers: Worker[] = [];
  const ready = new Map<string, unknown>();
  const done = new Map<string, { received: number; stats: WorkerStats }>();

  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`case did not finish within ${c.timeoutMs} ms`)), c.timeoutMs);
    const start = (data: PairWorkerData): void => {
      const w = new Worker(script, {
        workerData: data,
        transferList: data.port ? [data.port] : [],
        name: `bench-${data.role}`,
      });
      workers.push(w);
      w.on('message', (m: PairWorkerMessage) => {
        if (m.type === 'ready') {
          ready.set(m.role, m.pin);
          if (ready.size === 2) {
            Atomics.store(ctl, CTL_GO, 1);
            Atomics.notify(ctl, CTL_GO);
          }
        } else if (m.type === 'done') {
          done.set(m.role, { received: m.received, stats: m.stats as WorkerStats });
          if (done.size === 2) {
            clearTimeout(timer);
            resolve();
          }
        } else {
          clearTimeout(timer);
          reject(new Error(`${m.role}: ${m.message}`));
        }
      });
      w.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      w.on('exit', (code) => {
        if (!done.has(data.role)) {
          clearTimeout(timer);
          reject(new Error(`${data.role} exited with code ${code} before finishing`));
        }
      });
    };
    start(consumerData);
    start(producerData);
  });

  try {
    await finished;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }

  const first = ctlF[F_FIRST_US]!;
  const last = ctlF[F_LAST_US]!;
  const elapsedUs = last - first;
  const consumer = done.get('consumer')!;
  const producer = done.get('producer')!;
  const rec = recorder ? new Recorder(capacity, recorder) : null;
  return {
    latency: rec ? rec.summary() : null,
    samples: rec ? rec.values.slice(0, rec.count) : null,
    msgsPerSec: elapsedUs > 0 ? (c.count * 1e6) / elapsedUs : Number.NaN,
    elapsedUs,
    received: consumer.received,
    producer: producer.stats,
    consumer: consumer.stats,
    pins: { producer: ready.get('producer'), consumer: ready.get('consumer') },
  };
}
