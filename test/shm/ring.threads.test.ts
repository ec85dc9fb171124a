// Two real worker threads stream 1,000,000 frames (random lengths, sequence numbers, checksums)
// through a small ring that wraps and fills often, with parking wait strategies on both sides:
// no loss, no duplicate, no reorder; a full ring applies backpressure (counted, nothing
// overwritten: every frame's checksum is verified by the consumer).
import { describe, expect, it } from 'vitest';
import { ShmLayout, ShmMap, ringSpec, ringStats } from '../../src/shm/index.js';
import type { WaitStrategyName } from '../../src/shm/index.js';
import { startWorker } from './helpers.js';
import type { StreamOptions, StreamResult } from './workers/ring-stream.js';

const WORKER = 'test/shm/workers/ring-stream.ts';

async function stream(count: number, capacity: number, consumerStrategy: WaitStrategyName, producerStrategy: WaitStrategyName) {
  const sab = new ShmLayout([ringSpec('r', capacity)]).create();
  const map = ShmMap.attach(sab);
  const base = { sab, ring: 'r', seed: 0x1234abcd, count, maxLen: capacity / 2 - 8 };
  const consumer = startWorker<StreamResult>(WORKER, {
    ...base, role: 'consumer', strategy: consumerStrategy, forceFullEvery: 100_000, releaseBatch: 8,
  } satisfies StreamOptions);
  const producer = startWorker<StreamResult>(WORKER, { ...base, role: 'producer', strategy: producerStrategy } satisfies StreamOptions);
  try {
    const [p, c] = await Promise.all([producer.next(), consumer.next()]);
    return { p, c, stats: ringStats(map, 'r') };
  } finally {
    await Promise.all([producer.kill(), consumer.kill()]);
  }
}

describe('ring across two worker threads', () => {
  it('streams 1,000,000 frames through a 4 KiB ring (consumer spin-park, producer park)', async () => {
    const count = 1_000_000;
    const { p, c, stats } = await stream(count, 4096, 'spin-park', 'park');
    expect(c).toMatchObject({ kind: 'done', role: 'consumer', firstSeq: 0, nextSeq: count, verified: count });
    expect(p).toMatchObject({ kind: 'done', role: 'producer', firstSeq: 0, nextSeq: count });
    if (p.kind !== 'done') throw new Error('unreachable');
    // Backpressure happened (the consumer forces it every 100,000 frames) and was counted.
    expect(p.fullCount).toBeGreaterThanOrEqual(10);
    expect(stats.fullCount).toBe(p.fullCount);
    expect(stats.committedFrames).toBe(count);
    expect(stats.usedBytes).toBe(0);
    // The ring wrapped many times (the producer index is bytes ever committed, mod 2^32).
    expect(stats.producerIndex / 4096).toBeGreaterThan(10_000);
  });

  it('streams 300,000 frames through a 1 KiB ring (consumer park, producer spin-park)', async () => {
    const count = 300_000;
    const { p, c, stats } = await stream(count, 1024, 'park', 'spin-park');
    expect(c).toMatchObject({ kind: 'done', nextSeq: count, verified: count });
    expect(p).toMatchObject({ kind: 'done', nextSeq: count });
    if (p.kind !== 'done') throw new Error('unreachable');
    expect(p.fullCount).toBeGreaterThanOrEqual(3);
    expect(stats.committedFrames).toBe(count);
  });
});
