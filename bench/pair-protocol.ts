// The contract between a benchmark's main thread and its producer/consumer worker pair
// (bench/ring.ts, bench/alloc.ts and bench/pair-worker.ts): the workerData shape, the control
// words in a small SharedArrayBuffer, and the message format the producer writes.
//
// Control block (Int32Array over `control`, one value per 64-byte line so the words the two
// workers hammer never share a cache line):
//   CTL_GO        main stores 1 + notifies once both workers said 'ready'; workers wait on it
//   CTL_RECEIVED  consumer's count of received messages (flow control of the postMessage
//                 throughput producer: it keeps at most `window` messages in flight)
//   CTL_PING      transport 'word': the producer's sequence number (+1) for the consumer
//   CTL_PONG      transport 'word': the consumer's echo of it
// Float64 figures (Float64Array over `control`, from byte 256):
//   F_FIRST_US, F_LAST_US   consumer clock at the first and last measured receipt
//
// Mode 'rtt' (clock check): the consumer echoes every message back on a second ring and the
// producer records (its clock when the echo arrives - its stamp) / 2: a one-way estimate that
// uses a single thread's clock, to compare with the cross-thread one-way figures.
//
// Transport 'word' (rtt mode only; the floor of this machine): no ring and no message, one shared
// Int32 per direction on its own cache line. The producer stamps, stores seq + 1 in CTL_PING
// (Atomics.store) and spins until CTL_PONG holds it; the consumer spins on CTL_PING and stores
// what it read into CTL_PONG. Round trip / 2 is what one cross-core hand-off of one cache line
// costs here, with the same pacing and clock reads as the ring's rtt case: no transport between
// two threads can do better.
//
// A case that runs past its deadline is ended by the main thread with worker.terminate().
//
// Message format (first 16 bytes of every message, the rest is filler of the case's size):
//   +0  f64  producer clock (nowUs, cross-thread comparable) at send
//   +8  u32  sequence number, from 0; the first `warmup` messages are not measured
//   +12 u32  reserved (0)
import type { MessagePort } from 'node:worker_threads';

export const CTL_GO = 0;
export const CTL_RECEIVED = 16;
export const CTL_PING = 32; // Int32 index (byte 128)
export const CTL_PONG = 48; // Int32 index (byte 192)
export const F_FIRST_US = 32; // Float64Array index (byte 256)
export const F_LAST_US = 33;
export const CONTROL_BYTES = 512;

export const MSG_STAMP = 0;
export const MSG_SEQ = 8;
export const MSG_HEADER_BYTES = 16;

/** How the consumer waits for the next message. 'port' = MessagePort 'message' events. */
export const CONSUMER_WAITS = ['spin', 'spin-park', 'park', 'async-park'] as const;
export type ConsumerWait = (typeof CONSUMER_WAITS)[number];

export type Transport = 'port' | 'ring' | 'word';
export type PairMode = 'latency' | 'throughput' | 'alloc' | 'rtt';

export interface PairWorkerData {
  role: 'producer' | 'consumer';
  transport: Transport;
  /** Ring transport only: the consumer's wait strategy. */
  wait: ConsumerWait | null;
  mode: PairMode;
  /** Message size in bytes (>= MSG_HEADER_BYTES). */
  size: number;
  /** Unmeasured messages sent first (JIT warm-up), then `count` measured ones. */
  warmup: number;
  count: number;
  /** Latency mode: the producer sends one message every `paceUs` microseconds. */
  paceUs: number;
  /** Port throughput: most messages in flight before the producer waits for the consumer. */
  window: number;
  /** CPU to pin this worker to, or null to leave it unpinned. */
  cpu: number | null;
  control: SharedArrayBuffer;
  /** Latency mode: the consumer's Recorder buffer (capacity `count`); rtt mode: the
   * producer's (it records round trip / 2 on its own clock). */
  recorder: SharedArrayBuffer | null;
  /** Ring transport: the layout's buffer and the ring's region name (rtt mode: the echo goes
   * back on ring `${ringName}-back`). */
  shm: SharedArrayBuffer | null;
  ringName: string;
  /** Port transport: this side's end of the channel (transferred). */
  port: MessagePort | null;
}

/** What a worker posts to its parent. */
export type PairWorkerMessage =
  | { type: 'ready'; role: 'producer' | 'consumer'; pin: unknown }
  | { type: 'done'; role: 'producer' | 'consumer'; received: number; stats: Record<string, unknown> }
  | { type: 'error'; role: 'producer' | 'consumer'; message: string };
