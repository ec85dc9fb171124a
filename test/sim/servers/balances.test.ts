// Balances in the simulated venues, over real sockets with independent signing (not our
// adapters): the REST balance answers and the private balance pushes in their documented shapes,
// equal to the ledger, and pushed exactly when the docs say:
// - Binance spot `GET /api/v3/account` honours `omitZeroBalances`; `outboundAccountPosition`
//   follows every balance change (the lock of a placement too);
// - Binance USD-M `GET /fapi/v3/balance` (and the older `/fapi/v2/balance`), weight 5;
//   ACCOUNT_UPDATE only after a fill ("Unfilled orders or cancelled orders will not make the
//   event ACCOUNT_UPDATE pushed");
// - OKX private `account` channel: login needed, ack, a full-account push (`eventType:
//   snapshot`) right after subscribing, then `event_update` pushes of the changed currencies
//   (placement lock, cancel release, fill), formatted like the REST `account/balance` answer;
//   the `ccy` filter.
import { describe, expect, test } from 'vitest';
import { DecimalScale } from '../../../src/core/decimal.js';
import type { SimHandle } from '../../../src/sim/start.js';
import { http, okxHeaders, okxLogin, signedQuery, cleanupAfterEach, startTestSim, T0 } from './helpers.js';

let sim: SimHandle | null = null; // stopped by cleanupAfterEach
const open = cleanupAfterEach();

/** A venue decimal string in integer units of 10^-decimals (NaN when not exact). */
function u(s: string, decimals: number): number {
  return new DecimalScale(`1e-${decimals}`).toUnits(s);
}

describe('binance sims: balances', () => {
  test('spot GET /api/v3/account: omitZeroBalances=true lists the non-zero balances, without it every asset; weight 20', async () => {
    const inst = {
      symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', tickSize: '0.01', lotSize: '0.0001', minQty: '0.0001', minNotional: '5',
      market: { ladder: { levels: 5, spreadTicks: 2, sizeLots: 1000 } },
    };
    ({ sim } = await startTestSim({
      market: { initialPrice: 3000, volBps: 1 },
      venues: [{ protocol: 'binance-spot', instruments: [inst], assets: { ETH: 8, USDT: 8 }, accounts: [{ apiKey: 'balKey0001', secret: 's3cret', balances: { USDT: '5000.5' } }] }],
    }));
    const v = sim.venue('binance-spot');
    const get = (q: string) => http('GET', `${v.urls.rest}/api/v3/account?${signedQuery('s3cret', q)}`, { headers: { 'X-MBX-APIKEY': 'balKey0001' } });
    const omit = await get(`omitZeroBalances=true&timestamp=${T0}`);
    expect(omit.status).toBe(200);
    expect(omit.json.balances).toEqual([{ asset: 'USDT', free: '5000.50000000', locked: '0.00000000' }]);
    expect(omit.headers['x-mbx-used-weight-1m']).toBe('20');
    const all = await get(`timestamp=${T0}`);
    expect(all.json.balances).toEqual([{ asset: 'ETH', free: '0.00000000', locked: '0.00000000' }, { asset: 'USDT', free: '5000.50000000', locked: '0.00000000' }]);
    expect(all.json).toMatchObject({ accountType: 'SPOT', updateTime: T0 });
  });

  test('usdm GET /fapi/v3/balance (and /fapi/v2/balance); ACCOUNT_UPDATE after a fill only, not after a resting order', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-usdm' }] }));
    const v = sim.venue('binance-usdm');
    const k = v.keys[0]!;
    const engine = v.engines.get('BTCUSDT')!;
    const rest = v.urls.rest;
    const hdr = { headers: { 'X-MBX-APIKEY': k.apiKey } };
    const v3 = await http('GET', `${rest}/fapi/v3/balance?${signedQuery(k.secret, `timestamp=${T0}`)}`, hdr);
    expect(v3.status).toBe(200);
    expect(v3.headers['x-mbx-used-weight-1m']).toBe('5');
    const usdt = v.ledger.balanceView('main', 'USDT');
    const d = v.ledger.decimals('USDT');
    const e3 = v3.json.find((b: any) => b.asset === 'USDT');
    expect(Object.keys(e3).sort()).toEqual(['accountAlias', 'asset', 'availableBalance', 'balance', 'crossUnPnl', 'crossWalletBalance', 'marginAvailable', 'maxWithdrawAmount', 'updateTime']);
    expect(e3).toMatchObject({ asset: 'USDT', marginAvailable: true, updateTime: T0 });
    expect([u(e3.balance, d), u(e3.crossWalletBalance, d), u(e3.availableBalance, d), u(e3.maxWithdrawAmount, d)]).toEqual([usdt.total, usdt.total, usdt.free, usdt.free]);
    const v2 = await http('GET', `${rest}/fapi/v2/balance?${signedQuery(k.secret, `timestamp=${T0}`)}`, hdr);
    expect(v2.json).toEqual(v3.json);

    const lk = await http('POST', `${rest}/fapi/v1/listenKey`, hdr);
    const priv = await open(`${v.urls.wsPrivate}/ws?listenKey=${lk.json.listenKey}`);
    const low = engine.instrument.tick.fromUnits(engine.bestBid() - 200);
    const r1 = await http('POST', `${rest}/fapi/v1/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.002&price=${low}&newClientOrderId=rest1&timestamp=${T0}`)}`, hdr);
    expect(r1.json).toMatchObject({ status: 'NEW' });
    await priv.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.c === 'rest1' && m.o.x === 'NEW');
    // the lock shows in the REST balance ...
    const locked = await http('GET', `${rest}/fapi/v3/balance?${signedQuery(k.secret, `timestamp=${T0}`)}`, hdr);
    expect(u(locked.json.find((b: any) => b.asset === 'USDT').availableBalance, d)).toBe(v.ledger.balanceView('main', 'USDT').free);
    expect(v.ledger.balanceView('main', 'USDT').free).toBeLessThan(usdt.free);
    // ... but a fill is needed for ACCOUNT_UPDATE
    const px = engine.instrument.tick.fromUnits(engine.bestAsk() + 50);
    const r2 = await http('POST', `${rest}/fapi/v1/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.002&price=${px}&newClientOrderId=fill2&timestamp=${T0}`)}`, hdr);
    expect(r2.json).toMatchObject({ status: 'FILLED' });
    const acct = await priv.next((m) => m.e === 'ACCOUNT_UPDATE');
    // one socket, in order: every earlier frame has arrived, and this is the only ACCOUNT_UPDATE
    const frames = priv.messages;
    expect(frames.filter((m) => m.e === 'ACCOUNT_UPDATE')).toHaveLength(1);
    const fillAt = frames.findIndex((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.c === 'fill2' && m.o.x === 'TRADE');
    expect(fillAt).toBeGreaterThanOrEqual(0);
    expect(frames.indexOf(frames.find((m) => m.e === 'ACCOUNT_UPDATE'))).toBeGreaterThan(fillAt);
    const after = v.ledger.balanceView('main', 'USDT');
    expect(acct.a).toMatchObject({ m: 'ORDER', B: [{ a: 'USDT', bc: '0' }] });
    expect([u(acct.a.B[0].wb, d), u(acct.a.B[0].cw, d)]).toEqual([after.total, after.total]);
    expect(after.total).not.toBe(usdt.total); // the fee
  });
});

describe('okx sim: account channel', () => {
  test('login needed; ack; a full-account push after subscribing; event_update pushes of the changed currencies equal to the REST answer; ccy filter', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'okx' }] }));
    const v = sim.venue('okx');
    const k = v.keys[0]!;
    const spot = v.engines.get('BTC-USDT')!;
    const restBalance = async (): Promise<Record<string, any>> => {
      const r = await http('GET', `${v.urls.rest}/api/v5/account/balance`, { headers: okxHeaders(k, clock.now(), 'GET', '/api/v5/account/balance', '') });
      expect(r.json.code).toBe('0');
      return Object.fromEntries(r.json.data[0].details.map((d: any) => [d.ccy, d]));
    };
    const c = await open(v.urls.wsPrivate!);
    expect((await c.call({ id: 'a0', op: 'subscribe', args: [{ channel: 'account' }] })).code).toBe('60011');
    c.send(okxLogin(k, clock.now()));
    await c.next((m) => m.event === 'login');
    const ack = await c.call({ id: 'a1', op: 'subscribe', args: [{ channel: 'account' }] });
    expect(ack).toEqual({ id: 'a1', event: 'subscribe', arg: { channel: 'account' }, connId: expect.any(String) });
    const snap = await c.next((m) => m.arg?.channel === 'account');
    expect(snap).toMatchObject({ arg: { channel: 'account', uid: expect.any(String) }, eventType: 'snapshot', curPage: 1, lastPage: true });
    expect(snap.data).toHaveLength(1);
    expect(snap.data[0].uTime).toBe(String(clock.now()));
    const rest0 = await restBalance();
    expect(Object.keys(rest0).sort()).toEqual(['BTC', 'USDT']);
    // same currencies and strings as the REST answer (uTime aside)
    const strip = (d: any) => ({ ...d, uTime: '' });
    expect(Object.fromEntries(snap.data[0].details.map((d: any) => [d.ccy, strip(d)]))).toEqual(Object.fromEntries(Object.entries(rest0).map(([c2, d]) => [c2, strip(d)])));
    expect(rest0['USDT']).toMatchObject({ ccy: 'USDT', cashBal: expect.stringMatching(/^\d+(\.\d+)?$/), availBal: expect.stringMatching(/^\d+(\.\d+)?$/), frozenBal: '0' });

    // a second connection subscribed to BTC only
    const b = await open(v.urls.wsPrivate!);
    b.send(okxLogin(k, clock.now()));
    await b.next((m) => m.event === 'login');
    expect(await b.call({ id: 'b1', op: 'subscribe', args: [{ channel: 'account', ccy: 'BTC' }] })).toMatchObject({ event: 'subscribe', arg: { channel: 'account', ccy: 'BTC' } });
    const bsnap = await b.next((m) => m.arg?.channel === 'account');
    expect(bsnap.arg).toMatchObject({ channel: 'account', ccy: 'BTC' });
    expect(bsnap.data[0].details.map((d: any) => d.ccy)).toEqual(['BTC']);

    // a resting buy locks USDT: an event_update of USDT only
    const low = spot.instrument.tick.fromUnitsTrimmed(spot.bestBid() - 500);
    const r = await c.call({ id: 'o1', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: 'rest1', side: 'buy', ordType: 'limit', px: low, sz: '0.002' }] });
    expect(r.data[0].sCode).toBe('0');
    const lock = await c.next((m) => m.arg?.channel === 'account' && m.eventType === 'event_update');
    expect(lock.curPage).toBeUndefined();
    expect(lock.data[0].details.map((d: any) => d.ccy)).toEqual(['USDT']);
    const rest1 = await restBalance();
    expect(strip(lock.data[0].details[0])).toEqual(strip(rest1['USDT']));
    expect(rest1['USDT'].frozenBal).not.toBe('0');
    expect(Number(rest1['USDT'].availBal)).toBeLessThan(Number(rest0['USDT'].availBal));
    // cancel releases it
    await c.call({ id: 'x1', op: 'cancel-order', args: [{ instId: 'BTC-USDT', clOrdId: 'rest1' }] });
    const release = await c.next((m) => m.arg?.channel === 'account' && m.eventType === 'event_update');
    expect(strip(release.data[0].details[0])).toEqual(strip(rest0['USDT']));
    // a fill moves both currencies; the BTC-only subscriber sees BTC only
    const px = spot.instrument.tick.fromUnitsTrimmed(spot.bestAsk() + 10);
    await c.call({ id: 'o2', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: 'fill2', side: 'buy', ordType: 'ioc', px, sz: '0.001' }] });
    const moved = await c.next((m) => m.arg?.channel === 'account' && m.eventType === 'event_update' && m.data[0].details.length === 2);
    const rest2 = await restBalance();
    for (const d of moved.data[0].details) expect(strip(d)).toEqual(strip(rest2[d.ccy]));
    expect(rest2['BTC'].cashBal).not.toBe(rest0['BTC'].cashBal);
    const bmoved = await b.next((m) => m.arg?.channel === 'account' && m.eventType === 'event_update');
    expect(bmoved.data[0].details.map((d: any) => d.ccy)).toEqual(['BTC']);
    expect(strip(bmoved.data[0].details[0])).toEqual(strip(rest2['BTC']));
    // the BTC-only subscriber got nothing for the USDT-only lock and release
    expect(b.messages.filter((m) => m?.arg?.channel === 'account' && m.event === undefined)).toHaveLength(2);
    // unsubscribe: acked, no more pushes (the pushes of an operation precede its answer)
    expect(await c.call({ id: 'u1', op: 'unsubscribe', args: [{ channel: 'account' }] })).toMatchObject({ event: 'unsubscribe', arg: { channel: 'account' } });
    const pushes = (): number => c.messages.filter((m) => m?.arg?.channel === 'account' && m.event === undefined).length;
    const before = pushes();
    const px3 = spot.instrument.tick.fromUnitsTrimmed(spot.bestAsk() + 10);
    expect((await c.call({ id: 'o3', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: 'fill3', side: 'buy', ordType: 'ioc', px: px3, sz: '0.001' }] })).code).toBe('0');
    expect(pushes()).toBe(before);
  });
});
