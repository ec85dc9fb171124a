// Errors of the shared-memory layer. Every failure carries a stable `code` string that callers
// (the actor runtime, the supervisor, tests) match on; messages are for humans and may change.
// None of these errors is retryable: they mean a wrong layout, a wrong argument or a corrupt
// region, and retrying the same call gives the same answer. They never leave a ring or a board
// half-updated: every check runs before the first shared write.

export const SHM_ERROR_CODES = [
  'SHM_BAD_SPEC', // a RegionSpec is invalid (size, kind, missing parameter)
  'SHM_BAD_NAME', // region name empty, too long (> 31) or not printable ASCII
  'SHM_DUPLICATE_REGION', // two specs with the same name
  'SHM_BAD_DOORBELL', // a ring names a doorbell region that does not exist or is not a doorbell
  'SHM_TOO_LARGE', // the layout does not fit in 2^31 bytes
  'SHM_TOO_SMALL', // the buffer is smaller than a header, or than what its header claims
  'SHM_BAD_MAGIC', // the buffer does not start with 'XMC1'
  'SHM_BAD_VERSION', // the layout version differs from LAYOUT_VERSION
  'SHM_BAD_TABLE', // region table out of bounds, misaligned, overlapping or unknown kind
  'SHM_NO_REGION', // no region with that name
  'SHM_WRONG_KIND', // the region exists but has another kind
  'SHM_BAD_REGION', // the region's own header disagrees with the table (corrupt or wrong region)
  'SHM_FRAME_TOO_LARGE', // reserve/write of a frame larger than the ring's maxFrame
  'SHM_NOT_RESERVED', // commit() without a matching reserve()
  'SHM_BAD_SLOT', // board slot index out of range, or value larger than the slot
  'SHM_DST_TOO_SMALL', // board read destination smaller than the stored value
  'SHM_RING_CORRUPT', // ring recovery found no consistent (index, sequence) record
] as const;

export type ShmErrorCode = (typeof SHM_ERROR_CODES)[number];

export class ShmError extends Error {
  readonly code: ShmErrorCode;
  /** Retrying the same call cannot succeed: these are configuration or programming errors. */
  readonly retryable = false;
  constructor(code: ShmErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ShmError';
    this.code = code;
  }
}
