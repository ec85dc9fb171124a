// The execution machine's report kinds and reason codes are the wire's numbers (so the engine
// actor maps a decoded OrderReport without a table, and journal records mean the same thing in
// both vocabularies); and the order-reference layout round-trips.
import { describe, expect, it } from 'vitest';
import { MAX_COMBO_ID, REF_COMBO_FACTOR, REF_LEG_FACTOR, Reason, ReportKind, isHardReject, orderRefOf } from '../../src/core/execution.js';
import { ReasonCode, ReportKind as WireReportKind } from '../../src/wire/generated/xmc_generated.js';

function camelToUpperSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

describe('execution vocabulary', () => {
  it('ReportKind equals the wire ReportKind, member by member', () => {
    const wire = Object.entries(WireReportKind).filter(([k, v]) => typeof v === 'number' && k !== 'Unset');
    expect(wire.length).toBe(Object.keys(ReportKind).length);
    for (const [name, value] of wire) expect((ReportKind as Record<string, number>)[camelToUpperSnake(name)]).toBe(value);
  });

  it('Reason equals the wire ReasonCode, member by member', () => {
    const wire = Object.entries(ReasonCode).filter(([, v]) => typeof v === 'number');
    expect(wire.length).toBe(Object.keys(Reason).length);
    for (const [name, value] of wire) expect((Reason as Record<string, number>)[camelToUpperSnake(name)]).toBe(value);
  });

  it('hard rejects are the ones a new attempt cannot fix', () => {
    expect(isHardReject(Reason.INSUFFICIENT_BALANCE)).toBe(true);
    expect(isHardReject(Reason.MARKET_CLOSED)).toBe(true);
    expect(isHardReject(Reason.RATE_LIMITED)).toBe(false);
    expect(isHardReject(Reason.PRICE_OUT_OF_VENUE_BAND)).toBe(false);
    expect(isHardReject(Reason.EXPIRED)).toBe(false);
  });

  it('order refs are exact and decode back to (combo, leg, attempt) up to the largest combo id', () => {
    const ref = orderRefOf(MAX_COMBO_ID, 1, 65_535);
    expect(Number.isSafeInteger(ref)).toBe(true);
    expect(Math.floor(ref / REF_COMBO_FACTOR)).toBe(MAX_COMBO_ID);
    expect(Math.floor((ref % REF_COMBO_FACTOR) / REF_LEG_FACTOR)).toBe(1);
    expect(ref % REF_LEG_FACTOR).toBe(65_535);
  });
});
