// OKX v5 wire shapes produced by the simulator (PROTOCOLS.md §3.3-3.7; samples okx/01-07):
// book levels `[px, sz, "0", numOrders]`, the `orders` channel / order-query object, the
// place / cancel per-order result entry, and the instruments entry.
//
// Invariants:
// - Every number is a decimal string with trailing zeros trimmed, as OKX prints them ("8477",
//   "0.60038921"); sizes are base currency for SPOT and contracts for SWAP (the lot unit).
// - Fees follow OKX's sign: negative = charged (`fillFee`, `fee`).
// - States: new live, partially_filled partially_filled, filled filled, cancelled / expired
//   canceled, with `cancelSource` "1" (user), "13" (FOK), "14" (IOC / market remainder),
//   "31" (post-only), "20" (self-trade prevention).
import type { OrderReport, OrderView } from '../matching.js';
import { avgPriceStr, notionalStr, priceStr, qtyStr, STYLE_OKX, unitsToDecimal } from './format.js';
import type { SimInstrument } from './venue.js';

export function okxInstType(inst: SimInstrument): 'SPOT' | 'SWAP' | 'FUTURES' {
  return inst.spec.kind === 'spot' ? 'SPOT' : inst.spec.kind === 'perpetual' ? 'SWAP' : 'FUTURES';
}

export function okxLevels(inst: SimInstrument, levels: readonly (readonly [number, number])[]): string[][] {
  return levels.map(([p, q]) => [priceStr(inst.ins, p, STYLE_OKX), qtyStr(inst.ins, q, STYLE_OKX), '0', q > 0 ? '1' : '0']);
}

export function okxState(status: OrderView['status']): string {
  switch (status) {
    case 'new': return 'live';
    case 'partially_filled': return 'partially_filled';
    case 'filled': return 'filled';
    default: return 'canceled';
  }
}

export function okxCancelSource(reason: string): string {
  switch (reason) {
    case 'user': return '1';
    case 'fok_unfilled': return '13';
    case 'ioc_remainder':
    case 'market_protection':
    case 'no_liquidity': return '14';
    case 'post_only': return '31';
    case 'self_trade': return '20';
    case 'reduce_only': return '2';
    default: return '';
  }
}

/** What the server remembers of an order beyond the matching engine's view. */
export interface OkxOrderMeta {
  /** The clOrdId the client sent ('' when none: the engine's own id is not shown). */
  readonly clOrdId: string;
  readonly tdMode: string;
  readonly tag: string;
  readonly tgtCcy: string;
  readonly posSide: string;
  readonly stpMode: string;
  /** The last fill of the order, for the fill* fields of queries. */
  lastFill: OrderReport | null;
}

function neg(units: number, decimals: number): string {
  return unitsToDecimal(-units, decimals);
}

/**
 * The order object of the `orders` channel and of `GET /api/v5/trade/order`. `fill` is the report
 * that carries this update's fill (null for updates without one).
 */
export function okxOrderObject(
  inst: SimInstrument, v: OrderView, meta: OkxOrderMeta, fill: OrderReport | null, feeDecimals: (asset: string) => number,
): Record<string, unknown> {
  const ins = inst.ins;
  const isSwap = inst.spec.kind !== 'spot';
  const last = fill ?? meta.lastFill;
  const hasFill = fill !== null && fill.lastQtyLots > 0;
  const cv = isSwap ? inst.spec.contractValue : '1';
  const feeAsset = v.feeAsset;
  const feeDec = feeAsset === '' ? 8 : feeDecimals(feeAsset);
  const closed = v.status === 'cancelled' || v.status === 'expired';
  return {
    accFillSz: qtyStr(ins, v.cumQtyLots, STYLE_OKX),
    algoClOrdId: '',
    algoId: '',
    amendResult: '',
    amendSource: '',
    avgPx: v.cumQtyLots > 0 ? avgPriceStr(ins, v.cumNotional, v.cumQtyLots, STYLE_OKX, '', 4) : '',
    cancelSource: closed ? okxCancelSource(v.reason) : '',
    category: 'normal',
    ccy: '',
    clOrdId: meta.clOrdId,
    code: '0',
    cTime: String(v.createdMs),
    execType: hasFill ? (fill!.liquidity === 'maker' ? 'M' : 'T') : '',
    fee: v.fees === 0 ? '0' : neg(v.fees, feeDec),
    feeCcy: feeAsset,
    fillFee: hasFill ? (fill!.fee === 0 ? '0' : neg(fill!.fee, feeDecimals(fill!.feeAsset))) : '0',
    fillFeeCcy: hasFill ? fill!.feeAsset : '',
    fillNotionalUsd: hasFill ? notionalStr(ins, fill!.lastPriceTicks * fill!.lastQtyLots, STYLE_OKX, cv) : '',
    fillPx: last !== null && last.lastQtyLots > 0 ? priceStr(ins, last.lastPriceTicks, STYLE_OKX) : '',
    fillSz: hasFill ? qtyStr(ins, fill!.lastQtyLots, STYLE_OKX) : '0',
    fillPnl: '0',
    fillTime: last !== null && last.lastQtyLots > 0 ? String(last.timeMs) : '',
    fillPxVol: '',
    fillPxUsd: '',
    fillMarkVol: '',
    fillFwdPx: '',
    fillMarkPx: '',
    fillIdxPx: '',
    instId: inst.symbol,
    instType: okxInstType(inst),
    lever: isSwap ? String(inst.engine.leverage) : '0',
    msg: '',
    notionalUsd: v.type === 'market' ? '' : notionalStr(ins, v.priceTicks * v.qtyLots, STYLE_OKX, cv),
    ordId: String(v.orderId),
    ordType: v.type,
    pnl: '0',
    posSide: isSwap ? meta.posSide || 'net' : '',
    px: v.type === 'market' ? '' : priceStr(ins, v.priceTicks, STYLE_OKX),
    pxUsd: '',
    pxVol: '',
    pxType: '',
    quickMgnType: '',
    rebate: '0',
    rebateCcy: inst.spec.quote,
    reduceOnly: v.reduceOnly ? 'true' : 'false',
    reqId: '',
    side: v.side,
    attachAlgoClOrdId: '',
    slOrdPx: '',
    slTriggerPx: '',
    slTriggerPxType: '',
    source: '',
    state: okxState(v.status),
    stpId: '',
    stpMode: meta.stpMode,
    sz: qtyStr(ins, v.qtyLots, STYLE_OKX),
    tag: meta.tag,
    tdMode: meta.tdMode,
    tgtCcy: meta.tgtCcy,
    tpOrdPx: '',
    tpTriggerPx: '',
    tpTriggerPxType: '',
    attachAlgoOrds: [],
    tradeId: last !== null && last.lastQtyLots > 0 ? String(last.tradeId) : '',
    tradeQuoteCcy: isSwap ? '' : inst.spec.quote,
    lastPx: last !== null && last.lastQtyLots > 0 ? priceStr(ins, last.lastPriceTicks, STYLE_OKX) : '',
    uTime: String(v.updatedMs),
    isTpLimit: 'false',
    linkedAlgoOrd: { algoId: '' },
  };
}

/** One entry of `GET /api/v5/public/instruments`. */
export function okxInstrumentEntry(inst: SimInstrument): Record<string, unknown> {
  const s = inst.spec;
  const t = okxInstType(inst);
  const base = {
    alias: '', auctionEndTime: '', baseCcy: '', category: '1', contTdSwTime: '', ctMult: '', ctType: '', ctVal: '', ctValCcy: '',
    expTime: '', futureSettlement: false, instFamily: '', instId: s.symbol, instIdCode: inst.code, instType: t, lever: '',
    listTime: '1606468572000', lotSz: s.lotSize, maxIcebergSz: '', maxLmtAmt: '20000000', maxLmtSz: '99999999999999',
    maxMktAmt: '1000000', maxMktSz: '1000000', maxStopSz: '', maxTriggerSz: '', maxTwapSz: '', minSz: s.minQty, openType: '',
    optType: '', quoteCcy: '', ruleType: 'normal', settleCcy: '', state: 'live', stk: '', tickSz: s.tickSize, tradeQuoteCcyList: [], uly: '',
  };
  if (t === 'SPOT') return { ...base, baseCcy: s.base, quoteCcy: s.quote, tradeQuoteCcyList: [s.quote] };
  const fam = `${s.base}-${s.quote}`;
  return {
    ...base, ctMult: '1', ctType: s.contractType === 'inverse' ? 'inverse' : 'linear', ctVal: s.contractValue, ctValCcy: s.contractValueCcy || s.base,
    instFamily: fam, lever: String(inst.engine.leverage), settleCcy: s.quote, uly: fam,
  };
}
