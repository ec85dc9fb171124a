// The demo topology's shared definitions: the depth of the synthetic BookTop messages the demo
// feed publishes (FlatBuffers, src/wire), and the demo stats block: a counters region written
// only by the consumer:
//   word 0 frames, 1 crossed (one venue's bid above the other's ask), 2 last venue seq,
//   3 max latency µs, 4..4+LAT_BINS-1 latency histogram (bin k: [2^(k-1), 2^k) µs, bin 0: < 1 µs),
//   26 NEXT: ring sequence number of the next frame to process (frames below it were already
//   processed: a restarted engine skips them when the ring redelivers its unreleased batch),
//   27 DUPS: such skipped redeliveries, f64 at word 28 (byte 112): sum of latencies µs,
//   30 OTHER: frames that were not a BookTop.

/** Levels per side of a demo BookTop. */
export const DEMO_LEVELS = 5;

export const STATS_WORDS = 32;
export const STAT = { FRAMES: 0, CROSSED: 1, LAST_SEQ: 2, MAX_LAT_US: 3, HIST: 4, NEXT: 26, DUPS: 27, SUM_F64_WORD: 28, OTHER: 30 } as const;
export const LAT_BINS = 22;

/** Histogram bin of a latency in µs. */
export function latencyBin(us: number): number {
  if (!(us >= 1)) return 0;
  const b = 32 - Math.clz32(Math.floor(us));
  return b < LAT_BINS ? b : LAT_BINS - 1;
}

/** Upper bound (µs) of histogram bin k. */
export function binUpperUs(k: number): number {
  return k === 0 ? 1 : 2 ** k;
}

/** Approximate quantile (upper bound of the bin holding it), µs; 0 when empty. */
export function histogramQuantile(hist: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  if (total === 0) return 0;
  const target = Math.ceil(q * total);
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= target) return binUpperUs(i);
  }
  return binUpperUs(hist.length - 1);
}
