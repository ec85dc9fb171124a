// OKX v5 (spot and SWAP) protocol adapter: the pure mappers. The I/O clients (ws, undici) live
// outside this folder and call these; nothing here opens a socket, reads a clock or a file.
//
// - frame-parser: byte-level parser of public WS frames (books / books5 / bbo-tbt / l2-tbt),
//   the REST books snapshot, and recognition of events, op responses, other pushes, "pong".
// - book-sync: seqId/prevSeqId rules, heartbeats, maintenance resets, WS and REST bootstrap,
//   crossed-book and checksum checks; market-data: parser + one sync per subscription for a
//   feed link; replay: `xmc book-replay --venue okx`.
// - sign, requests, client-id: REST/WS signing, order/cancel/query/subscribe bodies, clOrdId.
// - orders, errors: private answers to VenueOrderReport / VenueErrorInfo.
// - rate-limit, instruments: documented budgets; instrument metadata to InstrumentSpec.
export * from './book-sync.js';
export * from './checksum.js';
export * from './client-id.js';
export * from './errors.js';
export * from './frame-parser.js';
export * from './instruments.js';
export * from './json-cursor.js';
export * from './market-data.js';
export * from './orders.js';
export * from './rate-limit.js';
export * from './replay.js';
export * from './requests.js';
export * from './sign.js';
