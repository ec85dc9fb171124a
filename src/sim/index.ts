// The venue simulator. Its pure core: seeded RNG, ledger (accounts, balances, positions), the
// per-instrument matching engine and the seeded market generator, which touch no sockets, files,
// timers or Math.random. Its I/O shell: `startSim` (start.ts) runs protocol servers that speak
// each venue's real wire format on loopback (servers/), driven by that core, with seeded fault
// injection (faults.ts); `runSimCommand` (cli.ts) is `xmc sim`.
export * from './rng.js';
export { SimConfigError } from './check.js';
export * from './ledger.js';
export * from './matching.js';
export * from './market.js';
export * from './start.js';
export * from './clock.js';
export * from './faults.js';
export type * from './config.js';
export * from './cli.js';
