// Binance wire shapes produced by the simulator from the matching engine's orders and reports
// (PROTOCOLS.md §1.5, §1.6, §2.5, §2.6; samples binance_spot/03, 08 and binance_usdm/04-06):
// spot order answers (ACK / RESULT / FULL), spot query and cancel answers, spot
// `executionReport` and `outboundAccountPosition`; USD-M order answers, `ORDER_TRADE_UPDATE`,
// `TRADE_LITE` and `ACCOUNT_UPDATE`.
//
// Invariants:
// - Field names, field order and value types follow the documented samples (numbers where the
//   venue sends numbers, decimal strings for every price and quantity).
// - Spot prints prices and quantities with 8 decimals ("0.10264410"); USD-M at the instrument's
//   tick / lot precision ("64089.20", "0.040").
// - Statuses: new NEW, partially_filled PARTIALLY_FILLED, filled FILLED, cancelled CANCELED
//   (self-trade prevention: EXPIRED_IN_MATCH; post-only bounce: EXPIRED), expired EXPIRED.
import type { OrderReport, OrderView, SimOrderType } from '../matching.js';
import { avgPriceStr, notionalStr, priceStr, qtyStr, STYLE_BINANCE_SPOT, STYLE_BINANCE_USDM, unitsToDecimal, type NumberStyle } from './format.js';
import type { SimInstrument } from './venue.js';

export type FeeFormatter = (asset: string, units: number) => string;

export function binanceTypeTif(type: SimOrderType, futures: boolean): { type: string; tif: string } {
  switch (type) {
    case 'limit': return { type: 'LIMIT', tif: 'GTC' };
    case 'ioc': return { type: 'LIMIT', tif: 'IOC' };
    case 'fok': return { type: 'LIMIT', tif: 'FOK' };
    case 'market': return { type: 'MARKET', tif: 'GTC' };
    case 'post_only': return futures ? { type: 'LIMIT', tif: 'GTX' } : { type: 'LIMIT_MAKER', tif: 'GTC' };
  }
}

export function binanceStatus(status: OrderView['status'], reason: string): string {
  switch (status) {
    case 'new': return 'NEW';
    case 'partially_filled': return 'PARTIALLY_FILLED';
    case 'filled': return 'FILLED';
    case 'cancelled': return reason === 'self_trade' ? 'EXPIRED_IN_MATCH' : reason === 'post_only' ? 'EXPIRED' : 'CANCELED';
    case 'expired': return 'EXPIRED';
    case 'rejected': return 'REJECTED';
  }
}

function execType(rep: OrderReport): string {
  switch (rep.kind) {
    case 'ack': return 'NEW';
    case 'partial_fill':
    case 'fill': return 'TRADE';
    case 'cancelled': return rep.reason === 'self_trade' ? 'TRADE_PREVENTION' : rep.reason === 'post_only' ? 'EXPIRED' : 'CANCELED';
    case 'expired': return 'EXPIRED';
    case 'rejected': return 'REJECTED';
  }
}

function styleOf(futures: boolean): NumberStyle {
  return futures ? STYLE_BINANCE_USDM : STYLE_BINANCE_SPOT;
}

function px(inst: SimInstrument, ticks: number, futures: boolean): string {
  return priceStr(inst.ins, ticks, styleOf(futures));
}

function qty(inst: SimInstrument, lots: number, futures: boolean): string {
  return qtyStr(inst.ins, lots, styleOf(futures));
}

function quote(inst: SimInstrument, ticksTimesLots: number, futures: boolean): string {
  return notionalStr(inst.ins, ticksTimesLots, styleOf(futures));
}

const STP_NAMES: Record<string, string> = { cancel_maker: 'EXPIRE_MAKER', cancel_taker: 'EXPIRE_TAKER', cancel_both: 'EXPIRE_BOTH' };

export function stpName(mode: string): string {
  return STP_NAMES[mode] ?? 'EXPIRE_MAKER';
}

// ---- spot -----------------------------------------------------------------------------------------

export function spotAck(inst: SimInstrument, v: OrderView, transactTime: number): Record<string, unknown> {
  return { symbol: inst.symbol, orderId: v.orderId, orderListId: -1, clientOrderId: v.clientOrderId, transactTime };
}

export function spotResult(inst: SimInstrument, v: OrderView, transactTime: number, stp: string): Record<string, unknown> {
  const tt = binanceTypeTif(v.type, false);
  return {
    symbol: inst.symbol,
    orderId: v.orderId,
    orderListId: -1,
    clientOrderId: v.clientOrderId,
    transactTime,
    price: px(inst, v.type === 'market' ? 0 : v.priceTicks, false),
    origQty: qty(inst, v.qtyLots, false),
    executedQty: qty(inst, v.cumQtyLots, false),
    origQuoteOrderQty: '0.00000000',
    cummulativeQuoteQty: quote(inst, v.cumNotional, false),
    status: binanceStatus(v.status, v.reason),
    timeInForce: tt.tif,
    type: tt.type,
    side: v.side === 'buy' ? 'BUY' : 'SELL',
    workingTime: v.status === 'new' || v.status === 'partially_filled' || v.status === 'filled' ? transactTime : -1,
    selfTradePreventionMode: stpName(stp),
  };
}

/** FULL: RESULT plus the taker fills of this placement. */
export function spotFull(inst: SimInstrument, v: OrderView, transactTime: number, stp: string, fills: readonly OrderReport[], fee: FeeFormatter): Record<string, unknown> {
  return {
    ...spotResult(inst, v, transactTime, stp),
    fills: fills.map((f) => ({
      price: px(inst, f.lastPriceTicks, false),
      qty: qty(inst, f.lastQtyLots, false),
      commission: fee(f.feeAsset, f.fee),
      commissionAsset: f.feeAsset,
      tradeId: f.tradeId,
    })),
  };
}

export function spotQuery(inst: SimInstrument, v: OrderView, stp: string): Record<string, unknown> {
  const tt = binanceTypeTif(v.type, false);
  const open = v.status === 'new' || v.status === 'partially_filled';
  return {
    symbol: inst.symbol,
    orderId: v.orderId,
    orderListId: -1,
    clientOrderId: v.clientOrderId,
    price: px(inst, v.type === 'market' ? 0 : v.priceTicks, false),
    origQty: qty(inst, v.qtyLots, false),
    executedQty: qty(inst, v.cumQtyLots, false),
    cummulativeQuoteQty: quote(inst, v.cumNotional, false),
    status: binanceStatus(v.status, v.reason),
    timeInForce: tt.tif,
    type: tt.type,
    side: v.side === 'buy' ? 'BUY' : 'SELL',
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: v.createdMs,
    updateTime: v.updatedMs,
    isWorking: open && v.type !== 'market',
    workingTime: v.createdMs,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: stpName(stp),
  };
}

export function spotCancel(inst: SimInstrument, v: OrderView, cancelCid: string, transactTime: number, stp: string): Record<string, unknown> {
  const tt = binanceTypeTif(v.type, false);
  return {
    symbol: inst.symbol,
    origClientOrderId: v.clientOrderId,
    orderId: v.orderId,
    orderListId: -1,
    clientOrderId: cancelCid,
    transactTime,
    price: px(inst, v.type === 'market' ? 0 : v.priceTicks, false),
    origQty: qty(inst, v.qtyLots, false),
    executedQty: qty(inst, v.cumQtyLots, false),
    origQuoteOrderQty: '0.00000000',
    cummulativeQuoteQty: quote(inst, v.cumNotional, false),
    status: binanceStatus(v.status, v.reason),
    timeInForce: tt.tif,
    type: tt.type,
    side: v.side === 'buy' ? 'BUY' : 'SELL',
    selfTradePreventionMode: stpName(stp),
  };
}

/**
 * Spot `executionReport` for one engine report. `cancelCid` is the cancel request's own id (the
 * report's `c`), the cancelled order's id then goes in `C`.
 */
export function spotExecutionReport(inst: SimInstrument, rep: OrderReport, v: OrderView | null, E: number, fee: FeeFormatter, stp: string, cancelCid: string | null): Record<string, unknown> {
  const tt = binanceTypeTif(rep.type, false);
  const fill = rep.lastQtyLots > 0;
  const isCancel = rep.kind === 'cancelled' && rep.reason === 'user' && cancelCid !== null;
  const open = rep.status === 'new' || rep.status === 'partially_filled';
  const created = v?.createdMs ?? rep.timeMs;
  return {
    e: 'executionReport',
    E,
    s: inst.symbol,
    c: isCancel ? cancelCid : rep.clientOrderId,
    S: rep.side === 'buy' ? 'BUY' : 'SELL',
    o: tt.type,
    f: tt.tif,
    q: qty(inst, rep.qtyLots, false),
    p: px(inst, rep.type === 'market' ? 0 : rep.priceTicks, false),
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: isCancel ? rep.clientOrderId : '',
    x: execType(rep),
    X: binanceStatus(rep.status, rep.reason),
    r: 'NONE',
    i: rep.orderId,
    l: qty(inst, rep.lastQtyLots, false),
    z: qty(inst, rep.cumQtyLots, false),
    L: px(inst, fill ? rep.lastPriceTicks : 0, false),
    n: fill ? fee(rep.feeAsset, rep.fee) : '0',
    N: fill ? rep.feeAsset : null,
    T: rep.timeMs,
    t: fill ? rep.tradeId : -1,
    I: rep.seq,
    w: open && rep.type !== 'market' && rep.type !== 'ioc' && rep.type !== 'fok',
    m: rep.liquidity === 'maker',
    M: false,
    O: created,
    Z: quote(inst, rep.cumNotional, false),
    Y: fill ? quote(inst, rep.lastPriceTicks * rep.lastQtyLots, false) : '0.00000000',
    Q: '0.00000000',
    W: created,
    V: stpName(stp),
  };
}

// ---- USD-M ----------------------------------------------------------------------------------------

/** USD-M order object; `query` adds `time` (order creation), as the query endpoint does. */
export function usdmOrder(inst: SimInstrument, v: OrderView, stp: string, query = false): Record<string, unknown> {
  const tt = binanceTypeTif(v.type, true);
  const o: Record<string, unknown> = {
    orderId: v.orderId,
    symbol: inst.symbol,
    status: binanceStatus(v.status, v.reason),
    clientOrderId: v.clientOrderId,
    price: px(inst, v.type === 'market' ? 0 : v.priceTicks, true),
    avgPrice: avgPriceStr(inst.ins, v.cumNotional, v.cumQtyLots, STYLE_BINANCE_USDM, '0.00'),
    origQty: qty(inst, v.qtyLots, true),
    executedQty: qty(inst, v.cumQtyLots, true),
    cumQty: qty(inst, v.cumQtyLots, true),
    cumQuote: quote(inst, v.cumNotional, true),
    timeInForce: tt.tif,
    type: tt.type,
    reduceOnly: v.reduceOnly,
    closePosition: false,
    side: v.side === 'buy' ? 'BUY' : 'SELL',
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: tt.type,
    priceMatch: 'NONE',
    selfTradePreventionMode: stpName(stp),
    goodTillDate: 0,
  };
  if (query) o['time'] = v.createdMs;
  o['updateTime'] = v.updatedMs;
  return o;
}

export function usdmOrderTradeUpdate(inst: SimInstrument, rep: OrderReport, E: number, fee: FeeFormatter, stp: string, realized: string): Record<string, unknown> {
  const tt = binanceTypeTif(rep.type, true);
  const fill = rep.lastQtyLots > 0;
  return {
    e: 'ORDER_TRADE_UPDATE',
    E,
    T: rep.timeMs,
    o: {
      s: inst.symbol,
      c: rep.clientOrderId,
      S: rep.side === 'buy' ? 'BUY' : 'SELL',
      o: tt.type,
      f: tt.tif,
      q: qty(inst, rep.qtyLots, true),
      p: px(inst, rep.type === 'market' ? 0 : rep.priceTicks, true),
      ap: avgPriceStr(inst.ins, rep.cumNotional, rep.cumQtyLots, STYLE_BINANCE_USDM, '0'),
      sp: '0',
      x: execType(rep),
      X: binanceStatus(rep.status, rep.reason),
      i: rep.orderId,
      l: qty(inst, rep.lastQtyLots, true),
      z: qty(inst, rep.cumQtyLots, true),
      L: px(inst, fill ? rep.lastPriceTicks : 0, true),
      N: inst.spec.quote,
      n: fill ? fee(rep.feeAsset, rep.fee) : '0',
      T: rep.timeMs,
      t: fill ? rep.tradeId : 0,
      b: '0',
      a: '0',
      m: rep.liquidity === 'maker',
      R: rep.reduceOnly,
      wt: 'CONTRACT_PRICE',
      ot: tt.type,
      ps: 'BOTH',
      cp: false,
      rp: fill ? realized : '0',
      pP: false,
      si: 0,
      ss: 0,
      V: stpName(stp),
      pm: 'NONE',
      gtd: 0,
      er: rep.reason === 'post_only' ? '2' : rep.reason === 'self_trade' ? '1' : '0',
    },
  };
}

export function usdmTradeLite(inst: SimInstrument, rep: OrderReport, E: number): Record<string, unknown> {
  return {
    e: 'TRADE_LITE',
    E,
    T: rep.timeMs,
    s: inst.symbol,
    q: qty(inst, rep.qtyLots, true),
    p: px(inst, rep.type === 'market' ? 0 : rep.priceTicks, true),
    m: rep.liquidity === 'maker',
    c: rep.clientOrderId,
    S: rep.side === 'buy' ? 'BUY' : 'SELL',
    L: px(inst, rep.lastPriceTicks, true),
    l: qty(inst, rep.lastQtyLots, true),
    t: rep.tradeId,
    i: rep.orderId,
  };
}

/** An asset amount at the ledger's precision, printed with at least `pad` decimals. */
export function amountStr(units: number, decimals: number, pad: number): string {
  return unitsToDecimal(units, decimals, pad);
}
