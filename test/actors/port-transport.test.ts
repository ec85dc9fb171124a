// The postMessage transport (src/actors/port-transport.ts) under the real supervisor and worker
// runtime: the unchanged test behaviours (seq-producer, seq-consumer) exchange frames over a
// MessageChannel instead of a ring, and the consumer sees every frame exactly once, in order,
// with its exact payload; the main thread can feed an actor through Supervisor.portWriter; a
// crash of a port actor is never restarted (the tree gives up with why 'port_transport', also
// through a nested supervisor), and a warm spare with transport 'port' is refused. Actors park;
// nothing asserts on time.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { countersSpec, ShmMap } from '../../src/shm/layout.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { CTL } from '../../src/actors/control.js';
import { Supervisor, type ActorChildSpec, type SupervisorSpec } from '../../src/actors/supervisor.js';
import { PORT_FRAME_HEADER, PortWriter } from '../../src/actors/port-transport.js';
import { attachLog, until } from './helpers.js';
import { W } from './fixtures/seq-consumer.js';
import { checkFrame, fillFrame, frameLen } from './fixtures/frames.js';

const PRODUCER = compiledModule('test/actors/fixtures/seq-producer.ts');
const CONSUMER = compiledModule('test/actors/fixtures/seq-consumer.ts');
const P_CRASH = 8;

function rig(total: number) {
  // the ring region exists (its capacity gives the port's maxFrame) but carries nothing in port mode
  const sab = createSharedMemory(['prod', 'cons'], [{ name: 'data', capacity: 1 << 12, consumer: 'cons' }], [countersSpec('test.state', W.SEEN + total)]);
  const st = new Int32Array(sab);
  const base = ShmMap.attach(sab).region('test.state', 'counters').offset >> 2;
  const word = (w: number): number => Atomics.load(st, base + w);
  const seen = (): number => {
    let c = 0;
    for (let i = 0; i < total; i++) c += Atomics.load(st, base + W.SEEN + i);
    return c;
  };
  return { sab, word, seen };
}

const producer = (total: number): ActorChildSpec => ({
  id: 'prod',
  module: PRODUCER,
  outbound: ['data'],
  transport: 'port',
  wait: 'park',
  parkTimeoutMs: 20,
  params: { total, state: 'test.state', crashWord: P_CRASH, crashAt: [], crashMode: 'throw', burst: 64 },
});

const consumer = (crashAt: number[] = []): ActorChildSpec => ({
  id: 'cons',
  module: CONSUMER,
  inbound: ['data'],
  transport: 'port',
  wait: 'park',
  parkTimeoutMs: 20,
  params: { state: 'test.state', crashAt, crashMode: 'throw' },
});

function tree(sab: SharedArrayBuffer, children: SupervisorSpec['children']): Supervisor {
  return new Supervisor({ name: 'root', strategy: 'one_for_one', intensity: 100, periodMs: 60_000, backoff: { baseMs: 0 }, children }, { sab, seed: 5 });
}

describe('PortWriter (in one thread)', () => {
  it('posts each frame as [len][seq][payload], in order, with consecutive sequence numbers', async () => {
    const ch = new MessageChannel();
    const w = new PortWriter(ch.port1, 'x', 256);
    const got: Uint8Array[] = [];
    const done = new Promise<void>((resolve) => {
      ch.port2.on('message', (u8: Uint8Array) => {
        got.push(u8);
        if (got.length === 40) resolve();
      });
    });
    const src = new Uint8Array(300);
    for (let s = 0; s < 40; s++) {
      expect(w.nextSeq).toBe(s);
      if (s % 2 === 0) {
        fillFrame(src, 7, s);
        expect(w.write(src, 7, 7 + frameLen(s))).toBe(true);
      } else {
        const off = w.reserve(frameLen(s));
        fillFrame(w.u8, off, s);
        w.commit();
      }
    }
    await done;
    ch.port1.close();
    got.forEach((u8, s) => {
      const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
      expect(dv.getUint32(0, true)).toBe(frameLen(s));
      expect(dv.getUint32(4, true)).toBe(s);
      expect(checkFrame(u8, PORT_FRAME_HEADER, frameLen(s), s)).toBe(true);
    });
    expect(() => w.write(src, 0, 257)).toThrow(/max 256/);
    expect(w.fullCount).toBe(0);
  });
});

describe('transport port under the supervisor', () => {
  it('delivers every frame once, in order, intact, through the unchanged behaviours', async () => {
    const total = 5000;
    const r = rig(total);
    const sup = tree(r.sab, [consumer(), producer(total)]);
    const log = attachLog(sup);
    await sup.start();
    await until(() => r.word(W.NEXT) === total, 'every frame consumed');
    expect(r.seen()).toBe(total);
    expect(r.word(W.GAPS)).toBe(0);
    expect(r.word(W.BAD)).toBe(0);
    expect(r.word(W.DUPS)).toBe(0);
    expect(r.word(W.VIOL)).toBe(0);
    // the runtime's bookkeeping, as in ring mode (recorded at the end of each burst)
    await until(() => sup.control('cons').load(CTL.RELEASED_BASE) >>> 0 === total, 'released position = total');
    expect(sup.control('cons').load(CTL.FRAMES_IN) >>> 0).toBe(total);
    expect(sup.control('cons').load(CTL.BATCHES) >>> 0).toBeGreaterThan(0);
    const hb = sup.control('cons').heartbeat;
    await until(() => sup.control('cons').heartbeat > hb, 'heartbeat moves while idle');
    await sup.stop();
    expect(await sup.done).toEqual({ kind: 'stopped' });
    expect(log.of('stopped', 'cons').map((e) => e.code)).toEqual([0]);
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('lets the main thread feed an actor through portWriter()', async () => {
    const total = 300;
    const r = rig(total);
    const sup = tree(r.sab, [consumer()]);
    const w = sup.portWriter('data');
    expect(() => sup.portWriter('data')).toThrow(/already handed out/);
    await sup.start();
    const buf = new Uint8Array(256);
    for (let s = 0; s < total; s++) {
      fillFrame(buf, 0, s);
      w.write(buf, 0, frameLen(s));
    }
    await until(() => r.word(W.NEXT) === total, 'every frame consumed');
    expect(r.seen()).toBe(total);
    expect(r.word(W.GAPS) + r.word(W.BAD) + r.word(W.DUPS)).toBe(0);
    await sup.stop();
  });

  it('refuses to restart a crashed port actor: the root gives up (why port_transport)', async () => {
    const total = 2000;
    const r = rig(total);
    const sup = tree(r.sab, [consumer([700]), producer(total)]);
    const log = attachLog(sup);
    await sup.start();
    const outcome = await sup.done;
    expect(outcome).toEqual({ kind: 'gave_up', why: 'port_transport', child: 'cons' });
    expect(r.word(W.CRASH)).toBe(1);
    expect(r.word(W.NEXT)).toBe(700); // frames before the crash were consumed, in order
    expect(r.word(W.GAPS)).toBe(0);
    expect(log.of('exited', 'cons').length).toBe(1);
    expect(log.of('restarted').length).toBe(0);
    expect(log.of('gave_up').map((e) => e.why)).toEqual(['port_transport']);
    await until(() => log.aliveGenerations().length === 0, 'every worker ended');
  });

  it('escalates through a nested supervisor', async () => {
    const total = 1000;
    const r = rig(total);
    const sup = tree(r.sab, [{ kind: 'supervisor', id: 'inner', supervisor: { name: 'inner', intensity: 100, periodMs: 60_000, backoff: { baseMs: 0 }, children: [consumer([10])] } }, producer(total)]);
    const log = attachLog(sup);
    await sup.start();
    expect(await sup.done).toEqual({ kind: 'gave_up', why: 'port_transport', child: 'inner' });
    expect(log.of('escalated').map((e) => [e.supervisor, e.why, e.child])).toEqual([['root/inner', 'port_transport', 'cons']]);
    expect(log.of('restarted').length).toBe(0);
    await until(() => log.aliveGenerations().length === 0, 'every worker ended');
  });

  it('rejects a warm spare with transport port', () => {
    const r = rig(10);
    expect(() => tree(r.sab, [{ ...consumer(), warmSpare: true }])).toThrow(/cannot have a warm spare/);
  });
});
