// The postMessage transport of the actor runtime: the BASELINE that `npm run bench --
// tick-to-order` measures the shared-memory rings against ("the same engine with postMessage
// between actors"). Selected per actor with `transport: 'port'` in its spec (ActorSpec); the
// supervisor (supervisor.ts) then creates one MessageChannel per ring NAME for the whole tree and
// hands the writer end to the ring's producer and the reader end to its consumer (transferred in
// workerData), so the behaviour modules (feed, engine, executor, journal, ...) run unchanged:
//  - ctx.outbound[i] is a PortWriter: the surface behaviours use from RingWriter (write(bytes,
//    start, end) -> boolean, nextSeq, maxFrame, name, reserve/u8/commit, waitForSpace, ...).
//    Each frame is copied into a FRESH buffer [u32 len][u32 seq][payload] whose ArrayBuffer is
//    transferred with postMessage (one allocation and one copy per frame, plus the channel's own
//    queueing and the receiver's event-loop dispatch: what a postMessage design pays);
//  - ctx.inbound[i] is a PortReader (name only: frames wait in the port's own queue);
//  - the run loop is event-driven (runPortActor): each 'message' is delivered at once as
//    onFrame(ctx, i, u8, 8, len, seq); the frames a port delivered in one burst (the messages
//    Node dispatches before the next setImmediate) form a batch: then, once per burst, come
//    onBatchEnd(ctx, i, lastSeq), the released position RELEASED_BASE+i and FRAMES_IN / BATCHES
//    (as in ring mode, where a batch is what one iteration drained), poll() and HEARTBEAT; the
//    same runs on an idle timer every `parkTimeoutMs`, which also notices a STOP request. The
//    actor's wait strategy is not used (idle = the event loop waiting).
//
// Invariants:
// - Per channel, frames arrive in the order written, each exactly once, with consecutive
//   sequence numbers from 0 (MessagePort preserves order; nothing is dropped or coalesced).
// - write() never refuses (the channel queue is unbounded: no backpressure, fullCount stays 0).
// - NO RESTARTS: a MessagePort belongs to the worker it was transferred to and dies with it, and
//   frames queued in a dead worker's port are lost. The supervisor therefore refuses to restart
//   an actor (or a nested supervisor holding one) that runs with transport 'port': a crash
//   escalates (reason 'port_transport'), and warm spares are rejected at construction. Port mode
//   is a benchmark baseline, not a production mode.
// - An exception escaping the behaviour fences the worker exactly as in ring mode (actor-main.ts).
import type { MessagePort } from 'node:worker_threads';
import type { ShmMap } from '../shm/layout.js';
import type { RingReader, RingWriter } from '../shm/ring.js';
import { makeActorContext, type ActorBehaviour, type ActorBoot, type ActorContext, type ActorMessage } from './actor.js';
import { ACTOR_STATE, CTL, type ActorControl } from './control.js';
import type { PinReport } from './pinning.js';

export type Transport = 'ring' | 'port';

/** Bytes before the payload in every posted buffer: u32 payload length, u32 sequence number (LE). */
export const PORT_FRAME_HEADER = 8;
/** maxFrame of a port whose ring has no region in the layout. */
export const PORT_DEFAULT_MAX_FRAME = (1 << 20) - 8;

/** The ports of one actor, in the order of its spec's inbound / outbound ring names. */
export interface ActorPorts {
  readonly inbound: readonly MessagePort[];
  readonly outbound: readonly MessagePort[];
  /** maxFrame per outbound port (the ring's, when the ring exists in the layout). */
  readonly maxFrames: readonly number[];
}

function u32At(u8: Uint8Array, off: number): number {
  return (u8[off]! | (u8[off + 1]! << 8) | (u8[off + 2]! << 16) | (u8[off + 3]! << 24)) >>> 0;
}

function putU32(u8: Uint8Array, off: number, v: number): void {
  u8[off] = v & 0xff;
  u8[off + 1] = (v >>> 8) & 0xff;
  u8[off + 2] = (v >>> 16) & 0xff;
  u8[off + 3] = (v >>> 24) & 0xff;
}

/** The writer end of one ring name in port mode (see the header). Usable on any thread. */
export class PortWriter {
  readonly name: string;
  readonly maxFrame: number;
  /** Same as maxFrame (no ring behind it); kept for RingWriter's surface. */
  readonly capacity: number;
  private readonly port: MessagePort;
  private seq = 0;
  private staging: Uint8Array | null = null;
  private pendingLen = -1;

  constructor(port: MessagePort, name: string, maxFrame = PORT_DEFAULT_MAX_FRAME) {
    this.port = port;
    this.name = name;
    this.maxFrame = maxFrame;
    this.capacity = maxFrame;
  }

  /** Sequence number of the next frame (frames posted so far, mod 2^32). */
  get nextSeq(): number {
    return this.seq;
  }

  /** Never full: postMessage queues without bound. */
  get fullCount(): number {
    return 0;
  }

  /** Posts a copy of src[start, end) as the next frame. Always true. (`_wake`: RingWriter's
   * surface; a posted message always wakes the reader's event loop.) */
  write(src: Uint8Array, start: number, end: number, _wake = true): boolean {
    const len = end - start;
    this.check(len);
    const out = new Uint8Array(PORT_FRAME_HEADER + len);
    putU32(out, 0, len);
    putU32(out, 4, this.seq);
    out.set(src.subarray(start, end), PORT_FRAME_HEADER);
    this.port.postMessage(out, [out.buffer]);
    this.seq = (this.seq + 1) >>> 0;
    return true;
  }

  /** Staging buffer for reserve()/commit() (RingWriter's zero-copy surface, emulated). */
  get u8(): Uint8Array {
    if (this.staging === null) this.staging = new Uint8Array(this.maxFrame);
    return this.staging;
  }

  /** Reserves `len` bytes at offset 0 of `u8`; the frame is posted at commit(). */
  reserve(len: number): number {
    this.check(len);
    this.pendingLen = len;
    return 0;
  }

  commit(_wake = true): void {
    if (this.pendingLen < 0) return;
    const len = this.pendingLen;
    this.pendingLen = -1;
    this.write(this.u8, 0, len);
  }

  /** No batching over a port: stage() posts at once, publish() has nothing left to do. */
  stage(): void {
    this.commit();
  }

  publish(_wake = true): void {}

  /** Nothing to ring: every post already wakes the reader. */
  wake(): void {}

  get staged(): boolean {
    return false;
  }

  abort(): void {
    this.pendingLen = -1;
  }

  hasSpace(len: number): boolean {
    return len >= 0 && len <= this.maxFrame;
  }

  waitForSpace(len: number): boolean {
    return this.hasSpace(len);
  }

  waitForSpaceAsync(len: number): Promise<boolean> {
    return Promise.resolve(this.hasSpace(len));
  }

  usedBytes(): number {
    return 0;
  }

  close(): void {
    this.port.close();
  }

  private check(len: number): void {
    if (!(len >= 0 && len <= this.maxFrame) || (len | 0) !== len) {
      throw new RangeError(`port '${this.name}': frame of ${len} bytes (max ${this.maxFrame})`);
    }
  }
}

/** The reader end of one ring name in port mode: frames wait in the port's own queue. */
export class PortReader {
  readonly name: string;
  readonly port: MessagePort;
  /** Frames delivered to the behaviour. */
  delivered = 0;

  constructor(port: MessagePort, name: string) {
    this.port = port;
    this.name = name;
  }

  /** Nothing is buffered here (RingReader surface). */
  available(): boolean {
    return false;
  }
}

/** What runPortActor needs from the worker runtime (actor-main.ts). */
export interface PortRuntimeHooks {
  send(msg: ActorMessage): void;
  /** Fences the worker (never returns). */
  fence(err: unknown): never;
  /** Runs onStop, reports 'stopped' and ends the worker (exit 0). */
  finish(ctx: ActorContext, stats: { frames: number; iterations: number }): Promise<void>;
}

/**
 * Runs a behaviour over MessagePorts (see the header). Called by actor-main.ts after the fence
 * was armed; resolves once the actor is running (the event loop then drives it).
 */
export async function runPortActor(boot: ActorBoot, map: ShmMap, ctl: ActorControl, pin: PinReport, behaviour: ActorBehaviour, hooks: PortRuntimeHooks): Promise<void> {
  const ports = boot.ports;
  if (ports === undefined || ports.inbound.length !== boot.inbound.length || ports.outbound.length !== boot.outbound.length) {
    throw new Error(`actor ${boot.name}: transport 'port' needs one MessagePort per inbound and outbound ring`);
  }
  const i32 = ctl.i32;
  const base = ctl.base;
  const inbound = boot.inbound.map((n, i) => new PortReader(ports.inbound[i]!, n));
  const outbound = boot.outbound.map((n, i) => new PortWriter(ports.outbound[i]!, n, ports.maxFrames[i] ?? PORT_DEFAULT_MAX_FRAME));
  Atomics.store(i32, base + CTL.GENERATION, boot.generation);
  Atomics.add(i32, base + CTL.STARTS, 1);
  Atomics.store(i32, base + CTL.STATE, ACTOR_STATE.RUNNING);

  let selfStop = false;
  const stopIdx = base + CTL.STOP;
  const stopRequested = (): boolean => selfStop || Atomics.load(i32, stopIdx) !== 0;
  const relBase = base + CTL.RELEASED_BASE;
  const ctx = makeActorContext(
    boot,
    map,
    pin,
    {
      // The behaviours only use the members PortReader / PortWriter implement (see the header).
      inbound: inbound as unknown as readonly RingReader[],
      outbound: outbound as unknown as readonly RingWriter[],
      releasedNext: (i) => Atomics.load(i32, relBase + i) >>> 0,
      waitForSpace: (i, len) => outbound[i]!.waitForSpace(len),
      waitForSpaceAsync: (i, len) => outbound[i]!.waitForSpaceAsync(len),
    },
    { stopRequested, stop: () => void (selfStop = true), report: (data) => hooks.send({ t: 'report', generation: boot.generation, data }) },
  );

  try {
    if (behaviour.onStart) await behaviour.onStart(ctx);
  } catch (err) {
    hooks.fence(err);
  }
  hooks.send({ t: 'ready', generation: boot.generation, spare: false, pin });

  const { onFrame, onBatchEnd, poll } = behaviour;
  const stats = { frames: 0, iterations: 0 };
  // per inbound port: frames delivered since its last batch end, and the last one's seq
  const batchN = new Int32Array(inbound.length);
  const batchLast = new Float64Array(inbound.length);
  let ended = false;
  let tailPending = false;

  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(idle);
    for (const r of inbound) {
      r.port.removeAllListeners('message');
      r.port.close();
    }
    void hooks.finish(ctx, stats);
  };
  // Once per burst of messages (setImmediate) and per idle period: the batch end of every port
  // that delivered frames (onBatchEnd, then the released position, as in ring mode), poll(), the
  // heartbeat; then a stop request ends the actor.
  const tail = (): void => {
    tailPending = false;
    if (ended) return;
    let work = 0;
    try {
      for (let i = 0; i < inbound.length; i++) {
        const n = batchN[i]!;
        if (n === 0) continue;
        const last = batchLast[i]!;
        batchN[i] = 0;
        if (onBatchEnd !== undefined) onBatchEnd(ctx, i, last);
        Atomics.store(i32, relBase + i, (last + 1) | 0);
        Atomics.add(i32, base + CTL.FRAMES_IN, n);
        Atomics.add(i32, base + CTL.BATCHES, 1);
      }
      if (poll !== undefined) work = poll(ctx);
    } catch (err) {
      hooks.fence(err);
    }
    Atomics.add(i32, base + CTL.HEARTBEAT, 1);
    stats.iterations++;
    if (stopRequested()) end();
    else if (work > 0) schedule();
  };
  const schedule = (): void => {
    if (tailPending) return;
    tailPending = true;
    setImmediate(tail);
  };
  const idle = setInterval(() => {
    if (!tailPending) tail();
  }, Math.max(1, boot.parkTimeoutMs));

  inbound.forEach((r, i) => {
    r.port.on('message', (u8: Uint8Array) => {
      if (ended) return;
      const len = u32At(u8, 0);
      const seq = u32At(u8, 4);
      try {
        if (onFrame !== undefined) onFrame(ctx, i, u8, PORT_FRAME_HEADER, len, seq);
      } catch (err) {
        hooks.fence(err);
      }
      batchN[i] = batchN[i]! + 1;
      batchLast[i] = seq;
      r.delivered++;
      stats.frames++;
      schedule();
    });
  });
  // the first iteration (a producer's poll() starts producing here)
  schedule();
}
