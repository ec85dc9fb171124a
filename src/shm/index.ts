// Public API of the shared-memory layer: layout of one SharedArrayBuffer into named regions,
// SPSC frame rings, seqlock boards, counters, doorbells and wait strategies. No domain knowledge.
export { ShmError, SHM_ERROR_CODES, type ShmErrorCode } from './errors.js';
export {
  CACHE_LINE,
  DOORBELL_BYTES,
  FRAME_HEADER_BYTES,
  RING_HEADER_BYTES,
  align64,
  boardRegionBytes,
  countersRegionBytes,
  ringMaxFrame,
  ringRegionBytes,
} from './formats.js';
export {
  LAYOUT_MAGIC,
  LAYOUT_VERSION,
  ShmLayout,
  ShmMap,
  boardSpec,
  countersSpec,
  doorbellSpec,
  ringSpec,
  type RegionInfo,
  type RegionKind,
  type RegionSpec,
} from './layout.js';
export { RingReader, RingWriter, ringStats, type RingStats } from './ring.js';
export { BoardReader, BoardWriter } from './board.js';
export { Counters } from './counters.js';
export {
  Doorbell,
  HAS_ATOMICS_PAUSE,
  WAIT_STRATEGIES,
  Waiter,
  cpuPause,
  type WaitStrategyName,
  type WaiterOptions,
} from './wait.js';
