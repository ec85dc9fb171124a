// The order channel's failover policy (pure): switches after N transport failures in a row or N
// slow acks in a row on the ACTIVE endpoint; venue answers reset the error streak; late results
// from the replaced endpoint are ignored; a single endpoint never switches.
import { describe, expect, it } from 'vitest';
import { FailoverPolicy, isTransportFailure } from '../../../src/venues/io/failover.js';
import type { VenueErrorInfo } from '../../../src/venues/types.js';

const err = (code: VenueErrorInfo['code'], outcome: 'known' | 'unknown'): VenueErrorInfo => ({ code, outcome, retryable: true, venueCode: 'x', message: '' });

describe('failover policy', () => {
  it('classifies transport failures', () => {
    expect(isTransportFailure(err('TIMEOUT', 'unknown'))).toBe(true);
    expect(isTransportFailure(err('VENUE_UNAVAILABLE', 'unknown'))).toBe(true);
    expect(isTransportFailure(err('VENUE_UNAVAILABLE', 'known'))).toBe(true); // not sent: socket down
    expect(isTransportFailure(err('RATE_LIMITED', 'known'))).toBe(false);
    expect(isTransportFailure(err('INSUFFICIENT_BALANCE', 'known'))).toBe(false);
    expect(isTransportFailure(err('ORDER_NOT_FOUND', 'known'))).toBe(false);
  });

  it('switches after errorThreshold failures in a row, measured from the first failure', () => {
    const p = new FailoverPolicy(2, { errorThreshold: 3 });
    expect(p.onTransportFailure(0, 10, 'a')).toBeNull();
    expect(p.onAnswer(0, 11, 1, false)).toBeNull(); // a venue answer resets the streak
    expect(p.onTransportFailure(0, 20, 'b')).toBeNull();
    expect(p.onTransportFailure(0, 21, 'c')).toBeNull();
    const d = p.onTransportFailure(0, 22, 'd')!;
    expect(d).toMatchObject({ from: 0, to: 1, reason: 'errors', streakStartMs: 20 });
    expect(p.active).toBe(1);
    // late failures of the old endpoint do not count
    expect(p.onTransportFailure(0, 23, 'late')).toBeNull();
    expect(p.onTransportFailure(0, 24, 'late')).toBeNull();
    expect(p.onTransportFailure(0, 25, 'late')).toBeNull();
    expect(p.active).toBe(1);
    expect(p.switches).toBe(1);
  });

  it('switches after slowThreshold slow acks in a row; a fast ack resets', () => {
    const p = new FailoverPolicy(2, { latencyMs: 100, slowThreshold: 2 });
    expect(p.onAnswer(0, 0, 150, true)).toBeNull();
    expect(p.onAnswer(0, 1, 50, true)).toBeNull();
    expect(p.onAnswer(0, 2, 150, true)).toBeNull();
    expect(p.onAnswer(0, 3, 900, false)).toBeNull(); // not a placement: not an ack latency
    const d = p.onAnswer(0, 4, 200, true)!;
    expect(d).toMatchObject({ from: 0, to: 1, reason: 'latency', streakStartMs: 2 });
    // and back again when the backup degrades too
    expect(p.onTransportFailure(1, 5, 'x')).toBeNull();
    expect(p.onTransportFailure(1, 6, 'y')).toMatchObject({ from: 1, to: 0, reason: 'errors' });
  });

  it('never switches with one endpoint', () => {
    const p = new FailoverPolicy(1, { errorThreshold: 1 });
    expect(p.onTransportFailure(0, 0, 'a')).toBeNull();
    expect(p.manual(1)).toBeNull();
    expect(p.active).toBe(0);
  });
});
