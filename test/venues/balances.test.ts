// Unit tests of the balance mappers (Binance spot / USD-M, OKX) with the documented example
// shapes, the exact decimal sum, the coalesced refresh, and fuzz-ish inputs: random JSON values,
// every field of every documented example replaced by wrong-typed values, truncated texts. No
// mapper throws; whatever a mapper accepts has decimal strings in every balance.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDecimalStrings, isDecimalString, type BalanceMapping } from '../../src/venues/balances.js';
import { mapBinanceAccountPosition, mapBinanceSpotAccount, mapBinanceUsdmBalances, parseUsdmAccountUpdate } from '../../src/venues/binance/balances.js';
import { mapBinancePrivateMessage } from '../../src/venues/binance/private.js';
import { restBalances } from '../../src/venues/binance/requests.js';
import { BINANCE_SPOT } from '../../src/venues/binance-spot/endpoints.js';
import { BINANCE_USDM } from '../../src/venues/binance-usdm/endpoints.js';
import { mapOkxAccountPush, parseOkxBalance } from '../../src/venues/okx/balances.js';
import { okxBalanceRest, okxSubscribe } from '../../src/venues/okx/requests.js';
import { CoalescedRefresh } from '../../src/venues/io/coalesce.js';
import type { BalanceOutcome, VenueBalanceUpdate } from '../../src/venues/types.js';

// ---- documented examples (values verbatim from the venues' pages) ----------------------------

/** Binance spot "Account information (USER_DATA)" response example (GET /api/v3/account). */
const SPOT_ACCOUNT = {
  makerCommission: 15, takerCommission: 15, buyerCommission: 0, sellerCommission: 0,
  commissionRates: { maker: '0.00150000', taker: '0.00150000', buyer: '0.00000000', seller: '0.00000000' },
  canTrade: true, canWithdraw: true, canDeposit: true, brokered: false, requireSelfTradePrevention: false, preventSor: false,
  updateTime: 123456789, accountType: 'SPOT',
  balances: [
    { asset: 'BTC', free: '4723846.89208129', locked: '0.00000000' },
    { asset: 'LTC', free: '4763368.68006011', locked: '0.00000000' },
  ],
  permissions: ['SPOT'], uid: 354937868,
};

/** Binance spot user-data "Account Update" example, in the WS-API subscription envelope. */
const SPOT_POSITION = {
  subscriptionId: 0,
  event: { e: 'outboundAccountPosition', E: 1564034571105, u: 1564034571073, B: [{ a: 'ETH', f: '10000.000000', l: '0.000000' }] },
};

/** Binance spot "Balance Update" example (a delta; not mapped). */
const SPOT_BALANCE_UPDATE = { subscriptionId: 0, event: { e: 'balanceUpdate', E: 1573200697110, a: 'BTC', d: '100.00000000', T: 1573200697068 } };

/** Binance USD-M "Futures Account Balance V3 (USER_DATA)" response example (GET /fapi/v3/balance). */
const USDM_BALANCE = [
  {
    accountAlias: 'SgsR', asset: 'USDT', balance: '122607.35137903', crossWalletBalance: '23.72469206', crossUnPnl: '0.00000000',
    availableBalance: '23.72469206', maxWithdrawAmount: '23.72469206', marginAvailable: true, updateTime: 1617939110373,
  },
];

/** Binance USD-M "Event: Balance and Position Update" example. */
const USDM_ACCOUNT_UPDATE = {
  e: 'ACCOUNT_UPDATE', E: 1564745798939, T: 1564745798938,
  a: {
    m: 'ORDER',
    B: [
      { a: 'USDT', wb: '122624.12345678', cw: '100.12345678', bc: '50.12345678' },
      { a: 'BUSD', wb: '1.00000000', cw: '0.00000000', bc: '-49.12345678' },
    ],
    P: [{ s: 'BTCUSDT', pa: '0', ep: '0.00000', bep: '0', cr: '200', up: '0', mt: 'isolated', iw: '0.00000000', ps: 'BOTH' }],
  },
};

/** OKX "Get balance" response example (GET /api/v5/account/balance), fields of one currency. */
const OKX_DETAIL_USDT = {
  autoLendStatus: 'off', autoLendMtAmt: '0', availBal: '4834.317093622894', availEq: '4834.3170936228935', borrowFroz: '0',
  cashBal: '4850.435693622894', ccy: 'USDT', crossLiab: '0', colRes: '0', collateralEnabled: false, collateralRestrict: false,
  colBorrAutoConversion: '0', disEq: '4991.542013297616', eq: '4992.890093622894', eqUsd: '4991.542013297616', smtSyncEq: '0',
  spotCopyTradingEq: '0', fixedBal: '0', frozenBal: '158.573', frpType: '0', imr: '', interest: '0', isoEq: '0', isoLiab: '0',
  isoUpl: '0', liab: '0', maxLoan: '0', mgnRatio: '', mmr: '', notionalLever: '', ordFrozen: '0', rewardBal: '0', spotInUseAmt: '',
  clSpotInUseAmt: '', maxSpotInUse: '', spotIsoBal: '0', stgyEq: '150', twap: '0', uTime: '1705449605015', upl: '-7.545600000000006',
  uplLiab: '0', spotBal: '', openAvgPx: '', accAvgPx: '', spotUpl: '', spotUplRatio: '', totalPnl: '', totalPnlRatio: '',
};
const OKX_BALANCE = {
  code: '0',
  data: [{
    adjEq: '55415.624719833286', availEq: '55415.624719833286', borrowFroz: '0', delta: '0', deltaLever: '0', deltaNeutralStatus: '0',
    details: [OKX_DETAIL_USDT], imr: '0', isoEq: '0', mgnRatio: '', mmr: '0', notionalUsd: '0', notionalUsdForBorrow: '0',
    notionalUsdForFutures: '0', notionalUsdForOption: '0', notionalUsdForSwap: '0', ordFroz: '', totalEq: '55837.43556134779',
    uTime: '1705474164160', upl: '0',
  }],
  msg: '',
};

/** OKX "Account channel" push example (first page of a snapshot). */
const OKX_PUSH = {
  arg: { channel: 'account', uid: '44*********584' },
  eventType: 'snapshot', curPage: 1, lastPage: true,
  data: [{
    adjEq: '55444.12216906034', availEq: '55444.12216906034', borrowFroz: '0', delta: '0', deltaLever: '0', deltaNeutralStatus: '0',
    details: [{
      availBal: '4734.371190691436', availEq: '4734.371190691435', borrowFroz: '0', cashBal: '4750.426970691436', ccy: 'USDT',
      coinUsdPrice: '0.99927', crossLiab: '0', colRes: '0', collateralEnabled: false, collateralRestrict: false, colBorrAutoConversion: '0',
      disEq: '4889.379316336831', eq: '4892.951170691435', eqUsd: '4889.379316336831', smtSyncEq: '0', spotCopyTradingEq: '0', fixedBal: '0',
      frozenBal: '158.57998', frpType: '0', imr: '', interest: '0', isoEq: '0', isoLiab: '0', isoUpl: '0', liab: '0', maxLoan: '0',
      mgnRatio: '', mmr: '', notionalLever: '', ordFrozen: '0', rewardBal: '0', spotInUseAmt: '', clSpotInUseAmt: '', maxSpotInUseAmt: '',
      spotIsoBal: '0', stgyEq: '150', twap: '0', uTime: '1705564213903', upl: '-7.475800000000003', uplLiab: '0', spotBal: '',
      openAvgPx: '', accAvgPx: '', spotUpl: '', spotUplRatio: '', totalPnl: '', totalPnlRatio: '',
    }],
    imr: '0', isoEq: '0', mgnRatio: '', mmr: '0', notionalUsd: '0', notionalUsdForBorrow: '0', notionalUsdForFutures: '0',
    notionalUsdForOption: '0', notionalUsdForSwap: '0', ordFroz: '0', totalEq: '55868.06403501676', uTime: '1705564223311', upl: '0',
  }],
};

const ok = (m: BalanceMapping): VenueBalanceUpdate => {
  if (!m.ok) throw new Error(`mapping failed: ${m.detail}`);
  return m.update;
};
const okOut = (m: BalanceOutcome): VenueBalanceUpdate => {
  if (!m.ok) throw new Error(`outcome failed: ${JSON.stringify(m.error)}`);
  return m.update;
};

// ---- exact decimal sum --------------------------------------------------------------------------

describe('addDecimalStrings', () => {
  it('adds exactly, keeping the longer fraction', () => {
    expect(addDecimalStrings('0.00000000', '0.00000000')).toBe('0.00000000');
    expect(addDecimalStrings('1.50', '0.125')).toBe('1.625');
    expect(addDecimalStrings('10.00', '0')).toBe('10.00');
    expect(addDecimalStrings('0.9', '0.1')).toBe('1.0');
    expect(addDecimalStrings('99999999.99999999', '0.00000001')).toBe('100000000.00000000');
    expect(addDecimalStrings('0007', '3')).toBe('10');
    expect(addDecimalStrings('4723846.89208129', '0.00000000')).toBe('4723846.89208129');
  });

  it('refuses what is not a non-negative plain decimal', () => {
    for (const bad of ['', '-1', '+1', '1e5', '1.', '.5', 'NaN', ' 1', '1,5', '0x10']) {
      expect(addDecimalStrings(bad, '1')).toBeNull();
      expect(addDecimalStrings('1', bad)).toBeNull();
    }
    expect(addDecimalStrings(1 as unknown as string, '1')).toBeNull();
  });

  it('equals integer arithmetic on the scaled values (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), (a, b, da, db) => {
      const fmt = (v: bigint, d: number): string => {
        if (d === 0) return v.toString();
        const s = v.toString().padStart(d + 1, '0');
        return `${s.slice(0, s.length - d)}.${s.slice(s.length - d)}`;
      };
      const d = Math.max(da, db);
      const want = fmt(a * 10n ** BigInt(d - da) + b * 10n ** BigInt(d - db), d);
      expect(addDecimalStrings(fmt(a, da), fmt(b, db))).toBe(want);
    }));
  });
});

// ---- Binance ------------------------------------------------------------------------------------

describe('Binance balance mappers (documented examples)', () => {
  it('spot GET /api/v3/account -> snapshot, total = free + locked', () => {
    const u = ok(mapBinanceSpotAccount(SPOT_ACCOUNT));
    expect(u).toEqual({
      venue: 'binance-spot', snapshot: true, source: 'rest', venueTimeMs: 123456789,
      balances: [
        { asset: 'BTC', free: '4723846.89208129', total: '4723846.89208129' },
        { asset: 'LTC', free: '4763368.68006011', total: '4763368.68006011' },
      ],
    });
    const locked = ok(mapBinanceSpotAccount({ ...SPOT_ACCOUNT, balances: [{ asset: 'USDT', free: '100.5', locked: '20.25' }] }));
    expect(locked.balances).toEqual([{ asset: 'USDT', free: '100.5', total: '120.75' }]);
    // an empty account is a valid snapshot (everything zero)
    expect(ok(mapBinanceSpotAccount({ ...SPOT_ACCOUNT, balances: [] })).balances).toEqual([]);
  });

  it('spot outboundAccountPosition -> update of the listed assets, time u; balanceUpdate is not a balance', () => {
    const ev = mapBinancePrivateMessage('binance-spot', JSON.stringify(SPOT_POSITION), null);
    expect(ev.type).toBe('account');
    if (ev.type !== 'account') return;
    expect(ev.event).toBe('outboundAccountPosition');
    expect(ok(mapBinanceAccountPosition(ev.data))).toEqual({
      venue: 'binance-spot', snapshot: false, source: 'stream', venueTimeMs: 1564034571073,
      balances: [{ asset: 'ETH', free: '10000.000000', total: '10000.000000' }],
    });
    // without u: the event time
    const { u: _u, ...noU } = SPOT_POSITION.event;
    expect(ok(mapBinanceAccountPosition(noU)).venueTimeMs).toBe(1564034571105);
    // one bad entry is skipped, the good one kept
    const mixed = mapBinanceAccountPosition({ ...SPOT_POSITION.event, B: [{ a: 'BTC', f: 'x', l: '0' }, ...SPOT_POSITION.event.B, 7] });
    expect(mixed.ok && mixed.skipped).toBe(2);
    expect(ok(mixed).balances.map((b) => b.asset)).toEqual(['ETH']);
    const bu = mapBinancePrivateMessage('binance-spot', JSON.stringify(SPOT_BALANCE_UPDATE), null);
    expect(bu).toMatchObject({ type: 'account', event: 'balanceUpdate' });
    if (bu.type === 'account') expect(mapBinanceAccountPosition(bu.data).ok).toBe(false);
  });

  it('USD-M GET /fapi/v3/balance -> snapshot: free = availableBalance, total = balance', () => {
    expect(ok(mapBinanceUsdmBalances(USDM_BALANCE))).toEqual({
      venue: 'binance-usdm', snapshot: true, source: 'rest', venueTimeMs: 1617939110373,
      balances: [{ asset: 'USDT', free: '23.72469206', total: '122607.35137903' }],
    });
  });

  it('USD-M ACCOUNT_UPDATE is parsed (reason, assets) but carries no available balance', () => {
    expect(parseUsdmAccountUpdate(USDM_ACCOUNT_UPDATE)).toEqual({ ok: true, reason: 'ORDER', assets: ['USDT', 'BUSD'], eventTimeMs: 1564745798939 });
    const ev = mapBinancePrivateMessage('binance-usdm', JSON.stringify(USDM_ACCOUNT_UPDATE), null);
    expect(ev).toMatchObject({ type: 'account', event: 'ACCOUNT_UPDATE' });
    expect(parseUsdmAccountUpdate({ e: 'ACCOUNT_UPDATE', a: { m: 'FUNDING_FEE', B: 'x' } }).ok).toBe(false);
    expect(parseUsdmAccountUpdate({ e: 'ACCOUNT_UPDATE', a: { m: 'ORDER', P: [] } })).toMatchObject({ ok: true, assets: [] });
  });

  it('snapshots are all or nothing', () => {
    expect(mapBinanceSpotAccount({ balances: [{ asset: 'BTC', free: '1', locked: '0' }, { asset: 'ETH', free: 1, locked: '0' }] }).ok).toBe(false);
    expect(mapBinanceSpotAccount({ balances: [{ asset: 'BTC', free: '1', locked: '0' }, { asset: 'BTC', free: '2', locked: '0' }] }).ok).toBe(false);
    expect(mapBinanceSpotAccount({ balances: [{ asset: 'BTC', free: '-1', locked: '0' }] }).ok).toBe(false);
    expect(mapBinanceUsdmBalances([USDM_BALANCE[0], { asset: 'BTC', balance: '1' }]).ok).toBe(false);
    expect(mapBinanceUsdmBalances({ code: -1022, msg: 'Signature for this request is not valid.' }).ok).toBe(false);
  });

  it('request builders: signed GET with the documented paths and weights', () => {
    const creds = { apiKey: 'k', secret: 's' };
    const spot = restBalances(BINANCE_SPOT, creds, { nowMs: 1_700_000_000_000 });
    expect(spot).toMatchObject({ method: 'GET', path: '/api/v3/account', weight: 20, orders: 0, headers: { 'X-MBX-APIKEY': 'k' } });
    expect(spot.query).toMatch(/^omitZeroBalances=true&timestamp=1700000000000&signature=[0-9a-f]{64}$/);
    const usdm = restBalances(BINANCE_USDM, creds, { nowMs: 1_700_000_000_000, recvWindowMs: 3000 });
    expect(usdm).toMatchObject({ method: 'GET', path: '/fapi/v3/balance', weight: 5, orders: 0 });
    expect(usdm.query).toMatch(/^recvWindow=3000&timestamp=1700000000000&signature=[0-9a-f]{64}$/);
  });
});

// ---- OKX ----------------------------------------------------------------------------------------

describe('OKX balance mappers (documented examples)', () => {
  it('GET /api/v5/account/balance -> snapshot: free = availBal, total = cashBal', () => {
    expect(okOut(parseOkxBalance(JSON.stringify(OKX_BALANCE)))).toEqual({
      venue: 'okx', snapshot: true, source: 'rest', venueTimeMs: 1705474164160,
      balances: [{ asset: 'USDT', free: '4834.317093622894', total: '4850.435693622894' }],
    });
  });

  it("availBal '' falls back to availEq, then to cashBal", () => {
    const with1 = (d: Record<string, unknown>) => JSON.stringify({ ...OKX_BALANCE, data: [{ ...OKX_BALANCE.data[0], details: [{ ...OKX_DETAIL_USDT, ...d }] }] });
    expect(okOut(parseOkxBalance(with1({ availBal: '' }))).balances[0]).toEqual({ asset: 'USDT', free: '4834.3170936228935', total: '4850.435693622894' });
    expect(okOut(parseOkxBalance(with1({ availBal: '', availEq: '' }))).balances[0]).toEqual({ asset: 'USDT', free: '4850.435693622894', total: '4850.435693622894' });
    const { availBal: _a, availEq: _e, ...neither } = OKX_DETAIL_USDT;
    expect(okOut(parseOkxBalance(JSON.stringify({ ...OKX_BALANCE, data: [{ ...OKX_BALANCE.data[0], details: [neither] }] }))).balances[0]!.free).toBe('4850.435693622894');
    // a present but malformed availBal is an error, not a fallback
    expect(parseOkxBalance(with1({ availBal: 'abc' })).ok).toBe(false);
  });

  it('error answers map through the OKX error table', () => {
    const rl = parseOkxBalance(JSON.stringify({ code: '50011', msg: 'Too Many Requests', data: [] }), 429, 1500);
    expect(rl).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true, outcome: 'known', venueCode: '50011', retryAfterMs: 1500 } });
    expect(parseOkxBalance(JSON.stringify({ code: '50113', msg: 'Invalid Sign', data: [] }), 401)).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(parseOkxBalance(JSON.stringify({ code: '50001', msg: 'Service temporarily unavailable', data: [] }), 503)).toMatchObject({ ok: false, error: { code: 'VENUE_UNAVAILABLE' } });
    expect(parseOkxBalance('<html>bad gateway</html>', 502)).toMatchObject({ ok: false, error: { code: 'VENUE_UNAVAILABLE', venueCode: 'HTTP_502' } });
    expect(parseOkxBalance('{"code":"0","data":[]}')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ERROR', venueCode: 'BAD_RESPONSE' } });
  });

  it('account channel: snapshot pushes are snapshots, event updates and later pages are not', () => {
    const snap = ok(mapOkxAccountPush(JSON.stringify(OKX_PUSH), false));
    expect(snap).toEqual({
      venue: 'okx', snapshot: true, source: 'stream', venueTimeMs: 1705564223311,
      balances: [{ asset: 'USDT', free: '4734.371190691436', total: '4750.426970691436' }],
    });
    const { curPage: _c, lastPage: _l, ...update } = OKX_PUSH;
    expect(ok(mapOkxAccountPush(JSON.stringify({ ...update, eventType: 'event_update' }), true)).snapshot).toBe(false);
    expect(ok(mapOkxAccountPush(JSON.stringify({ ...OKX_PUSH, lastPage: false }), false)).snapshot).toBe(false);
    expect(ok(mapOkxAccountPush(JSON.stringify({ ...OKX_PUSH, curPage: 2 }), false)).snapshot).toBe(false);
    // the older form without eventType: the first push after subscribing is the full one
    const { eventType: _t, ...old } = update;
    expect(ok(mapOkxAccountPush(JSON.stringify(old), true)).snapshot).toBe(true);
    expect(ok(mapOkxAccountPush(JSON.stringify(old), false)).snapshot).toBe(false);
    // an empty snapshot is valid (no non-zero currency); an empty update is not
    const empty = { ...OKX_PUSH, data: [{ ...OKX_PUSH.data[0], details: [] }] };
    expect(ok(mapOkxAccountPush(JSON.stringify(empty), false)).balances).toEqual([]);
    expect(mapOkxAccountPush(JSON.stringify({ ...empty, eventType: 'event_update' }), false).ok).toBe(false);
    expect(mapOkxAccountPush(JSON.stringify({ ...OKX_PUSH, arg: { channel: 'orders' } }), false).ok).toBe(false);
  });

  it('request builders', () => {
    expect(okxBalanceRest()).toEqual({ ok: true, value: { method: 'GET', path: '/api/v5/account/balance', body: '' } });
    expect(okxBalanceRest(['BTC', 'ETH'])).toEqual({ ok: true, value: { method: 'GET', path: '/api/v5/account/balance?ccy=BTC,ETH', body: '' } });
    expect(okxBalanceRest(['B&C']).ok).toBe(false);
    expect(okxSubscribe('subscribe', [{ channel: 'account' }], 'p2')).toEqual({ ok: true, value: '{"id":"p2","op":"subscribe","args":[{"channel":"account"}]}' });
  });
});

// ---- fuzz-ish -----------------------------------------------------------------------------------

/** Whatever is accepted is well formed. */
function wellFormed(u: VenueBalanceUpdate): void {
  for (const b of u.balances) {
    expect(typeof b.asset).toBe('string');
    expect(b.asset.length).toBeGreaterThan(0);
    expect(isDecimalString(b.free)).toBe(true);
    expect(isDecimalString(b.total)).toBe(true);
  }
  expect(Number.isSafeInteger(u.venueTimeMs) && u.venueTimeMs >= 0).toBe(true);
}

function checkMapping(f: () => BalanceMapping): void {
  let m: BalanceMapping;
  expect(() => (m = f())).not.toThrow();
  if (m!.ok) wellFormed(m!.update);
  else expect(typeof m!.detail).toBe('string');
}

function checkOutcome(f: () => BalanceOutcome): void {
  let m: BalanceOutcome;
  expect(() => (m = f())).not.toThrow();
  if (m!.ok) wellFormed(m!.update);
  else expect(typeof m!.error.code).toBe('string');
}

/** Every path in a JSON value, and the value with that path replaced by `v`. */
function paths(x: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(x)) x.forEach((e, i) => out.push(...paths(e, [...prefix, i])));
  else if (x !== null && typeof x === 'object') for (const [k, e] of Object.entries(x)) out.push(...paths(e, [...prefix, k]));
  return out;
}
function replaced(x: unknown, path: (string | number)[], v: unknown): unknown {
  if (path.length === 0) return v;
  const [h, ...t] = path;
  if (Array.isArray(x)) return x.map((e, i) => (i === h ? replaced(e, t, v) : e));
  const o = { ...(x as Record<string, unknown>) };
  o[h as string] = replaced(o[h as string], t, v);
  return o;
}
const WEIRD: unknown[] = [null, undefined, 0, -1, 1.5, NaN, '', 'x', '-0.5', '1e9', true, [], {}, [1, 2], { a: 1 }, '9'.repeat(60)];

describe('balance mappers never throw', () => {
  const all = (x: unknown): void => {
    checkMapping(() => mapBinanceSpotAccount(x));
    checkMapping(() => mapBinanceUsdmBalances(x));
    checkMapping(() => mapBinanceAccountPosition(x));
    expect(() => parseUsdmAccountUpdate(x)).not.toThrow();
    const text = typeof x === 'string' ? x : JSON.stringify(x) ?? '';
    checkOutcome(() => parseOkxBalance(text));
    checkOutcome(() => parseOkxBalance(text, 500));
    checkMapping(() => mapOkxAccountPush(text, true));
    checkMapping(() => mapOkxAccountPush(text, false));
  };

  it('on random JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (x) => all(x)), { numRuns: 500 });
    fc.assert(fc.property(fc.anything(), (x) => {
      checkMapping(() => mapBinanceSpotAccount(x));
      checkMapping(() => mapBinanceUsdmBalances(x));
      checkMapping(() => mapBinanceAccountPosition(x));
      expect(() => parseUsdmAccountUpdate(x)).not.toThrow();
    }), { numRuns: 300 });
    for (const w of WEIRD) all(w);
  });

  it('on every documented example with any one field replaced by a wrong-typed value', () => {
    const cases: [unknown, (x: unknown) => void][] = [
      [SPOT_ACCOUNT, (x) => checkMapping(() => mapBinanceSpotAccount(x))],
      [SPOT_POSITION.event, (x) => checkMapping(() => mapBinanceAccountPosition(x))],
      [USDM_BALANCE, (x) => checkMapping(() => mapBinanceUsdmBalances(x))],
      [USDM_ACCOUNT_UPDATE, (x) => expect(() => parseUsdmAccountUpdate(x)).not.toThrow()],
      [OKX_BALANCE, (x) => checkOutcome(() => parseOkxBalance(JSON.stringify(x) ?? ''))],
      [OKX_PUSH, (x) => { checkMapping(() => mapOkxAccountPush(JSON.stringify(x) ?? '', true)); checkMapping(() => mapOkxAccountPush(JSON.stringify(x) ?? '', false)); }],
    ];
    let n = 0;
    for (const [doc, check] of cases) {
      for (const p of paths(doc)) {
        for (const w of WEIRD) {
          check(replaced(doc, p, w));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
    // and the private-message dispatcher on the Binance events
    for (const p of paths(SPOT_POSITION)) for (const w of WEIRD) {
      const ev = mapBinancePrivateMessage('binance-spot', JSON.stringify(replaced(SPOT_POSITION, p, w)) ?? '', null);
      if (ev.type === 'account') checkMapping(() => mapBinanceAccountPosition(ev.data));
    }
  });

  it('on every truncation of the documented texts', () => {
    for (const doc of [OKX_BALANCE, OKX_PUSH]) {
      const t = JSON.stringify(doc);
      for (let i = 0; i < t.length; i += 7) {
        checkOutcome(() => parseOkxBalance(t.slice(0, i)));
        checkMapping(() => mapOkxAccountPush(t.slice(0, i), true));
      }
    }
    const s = JSON.stringify(SPOT_POSITION);
    for (let i = 0; i < s.length; i += 3) expect(() => mapBinancePrivateMessage('binance-spot', s.slice(0, i), null)).not.toThrow();
  });
});

// ---- coalesced refresh ----------------------------------------------------------------------------

describe('CoalescedRefresh', () => {
  it('runs at most one task at a time and at most one more queued behind it', async () => {
    const gates: (() => void)[] = [];
    let running = 0;
    let maxRunning = 0;
    const r = new CoalescedRefresh(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((res) => gates.push(res));
      running--;
    });
    r.request();
    expect(r.counters.runs).toBe(1);
    for (let i = 0; i < 5; i++) r.request(); // all collapse into one queued run
    expect(r.counters.runs).toBe(1);
    expect(r.counters.coalesced).toBe(4);
    gates.shift()!();
    while (gates.length === 0) await new Promise((res) => setImmediate(res));
    expect(r.counters.runs).toBe(2);
    gates.shift()!();
    await r.idle();
    expect(r.counters.runs).toBe(2);
    expect(maxRunning).toBe(1);
    // idle again: the next request starts a run at once
    r.request();
    expect(r.counters.runs).toBe(3);
    gates.shift()!();
    await r.idle();
    expect(r.busy).toBe(false);
  });

  it('a failing task is counted and does not stop later runs; stop() ends it', async () => {
    let calls = 0;
    const r = new CoalescedRefresh(async () => {
      calls++;
      await Promise.resolve();
      throw new Error('boom');
    });
    r.request();
    r.request();
    await r.idle();
    expect(calls).toBe(2);
    expect(r.counters.failures).toBe(2);
    r.stop();
    r.request();
    await r.idle();
    expect(calls).toBe(2);
  });
});
