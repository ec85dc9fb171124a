// The executor actor in a real worker thread under a Supervisor, against the simulator (Binance
// spot) over real sockets. This thread plays the engine: it writes NewOrder / Cancel / Query frames
// into the executor's inbound ring and decodes the OrderReport / LinkState frames of its outbound
// ring. Shown:
// - orders trade on the sim and come back as ack + fill reports (origin Stream, stage times set);
//   a cancel is answered with origin Cancel; a rejected order comes back Reject with its reason;
// - an order placed but whose answer is withheld (timeout_placed) comes back OutcomeUnknown
//   (Timeout), and a Query frame then finds it filled (origin Query); the sim saw one placement;
// - failover: the primary (WS API) answers 5xx twice, the channel switches to the backup (REST),
//   reports the switch (LinkState role Backup + a supervisor report with the measured ms), and
//   the next order trades through the backup;
// - balances: with `assets` configured it reports the venue's whole account (REST) as Balance
//   frames once ready and on the engine's RefreshBalances command, and the private stream's
//   account updates after a fill, every value equal to the simulator's ledger;
// - restarts: an executor that exits after taking an order frame (before sending it, and after
//   sending it but before reporting) is restarted and reports that order OutcomeUnknown; it never
//   sends it again: the sim saw at most one placement per client id;
// - rehearsals (executor-rehearsal.ts) run between orders and reach only the intent stream's
//   scratch file: no placement, report or intent record of the rehearsal's client id.
// Workers run compiled JS: `npm run build` first. Seeded; async-park; no timing assertions.
import { afterEach, describe, expect, it } from 'vitest';
import { countersSpec, ShmMap } from '../../src/shm/layout.js';
import { RingReader, RingWriter } from '../../src/shm/ring.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { Supervisor } from '../../src/actors/supervisor.js';
import { ExecutorState, EXEC_STATE, executorStateWords } from '../../src/actors/executor-state.js';
import type { ExecutorParams } from '../../src/actors/executor.js';
import { startSim, type SimHandle, type SimVenueHandle } from '../../src/sim/start.js';
import { binanceClientOrderId } from '../../src/venues/binance/client-id.js';
import { InstrumentTable } from '../../src/core/instrument.js';
import {
  CancelScope,
  LinkRole,
  LinkStatus,
  OrderType,
  ReasonCode,
  ReportKind,
  ReportOrigin,
  Side,
  WireEncoder,
  decodeMessage,
  newEnvelopeHead,
  ControlOp,
  type BalanceValue,
  type LinkStateValue,
  type OrderReportValue,
  type WireMessage,
} from '../../src/wire/index.js';
import { attachLog, until, type EventLog } from './helpers.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJournal } from '../../src/journal/reader.js';
import { REHEARSAL_CLIENT_ID } from '../../src/actors/executor-rehearsal.js';

const EXECUTOR = compiledModule('src/actors/executor.ts');
const VENUE_ID = 1;
const INSTRUMENT_ID = 100;

/** Placement attempts the simulated matching engine saw per client order id. */
class Placements {
  private readonly seen = new Map<string, Set<number>>();
  constructor(venue: SimVenueHandle) {
    venue.core.onOp((_inst, op, source) => {
      if (source !== 'user') return;
      for (const r of op.reports) {
        if (r.kind !== 'ack' && r.kind !== 'rejected') continue;
        let s = this.seen.get(r.clientOrderId);
        if (s === undefined) this.seen.set(r.clientOrderId, (s = new Set()));
        s.add(r.orderId >= 0 ? r.orderId : -r.seq);
      }
    });
  }
  count(cid: string): number {
    return this.seen.get(cid)?.size ?? 0;
  }
  /** Every client order id the venue saw placed. */
  ids(): string[] {
    return [...this.seen.keys()];
  }
  max(): number {
    let m = 0;
    for (const s of this.seen.values()) m = Math.max(m, s.size);
    return m;
  }
}

/** The engine's side of the executor's two rings. */
class Engine {
  readonly reports: { r: OrderReportValue; msg: WireMessage }[] = [];
  readonly links: LinkStateValue[] = [];
  readonly balances: BalanceValue[] = [];
  private readonly enc = new WireEncoder();
  private readonly head = newEnvelopeHead(1);
  private readonly out: RingWriter;
  private readonly inp: RingReader;
  private ref = 1;
  constructor(map: ShmMap) {
    this.out = RingWriter.attach(map, 'exec.in');
    this.inp = RingReader.attach(map, 'exec.out');
  }
  private send(): void {
    expect(this.out.write(this.enc.bytes, this.enc.start, this.enc.end)).toBe(true);
  }
  order(cid: string, side: Side, type: OrderType, priceTicks: number, qtyLots: number): number {
    const orderRef = this.ref++;
    this.head.seq++;
    this.head.times.ringCommittedUs = 900 + orderRef; // the triggering top's ring commit
    this.head.times.decisionUs = 1000 + orderRef;
    this.enc.newOrder(this.head, { clientOrderId: cid, orderRef, instrumentId: INSTRUMENT_ID, venueId: VENUE_ID, side, orderType: type, priceTicks, qtyLots, comboId: 7, leg: 1, reduceOnly: false });
    this.send();
    return orderRef;
  }
  query(cid: string, orderRef: number): void {
    this.head.seq++;
    this.enc.query(this.head, { clientOrderId: cid, orderRef, instrumentId: INSTRUMENT_ID, venueId: VENUE_ID, venueOrderId: '', comboId: 7, leg: 1 });
    this.send();
  }
  cancel(cid: string, orderRef: number): void {
    this.head.seq++;
    this.enc.cancel(this.head, { scope: CancelScope.One, clientOrderId: cid, orderRef, instrumentId: INSTRUMENT_ID, venueId: VENUE_ID, venueOrderId: '', comboId: 7, leg: 1 });
    this.send();
  }
  refreshBalances(): void {
    this.head.seq++;
    this.enc.controlCommand(this.head, { op: ControlOp.RefreshBalances, commandId: 1, targetActor: 0, arg: '' });
    this.send();
  }
  drain(): void {
    let len: number;
    while ((len = this.inp.peek()) >= 0) {
      const msg = decodeMessage(this.inp.u8.slice(this.inp.frameOffset, this.inp.frameOffset + len));
      if (msg.body.kind === 'OrderReport') this.reports.push({ r: msg.body.value, msg });
      else if (msg.body.kind === 'LinkState') this.links.push(msg.body.value);
      else if (msg.body.kind === 'Balance') this.balances.push(msg.body.value);
      this.inp.release();
    }
  }
  of(cid: string): OrderReportValue[] {
    this.drain();
    return this.reports.filter((x) => x.r.clientOrderId === cid).map((x) => x.r);
  }
  async waitFor(cid: string, pred: (r: OrderReportValue) => boolean, what: string): Promise<OrderReportValue> {
    await until(() => this.of(cid).some(pred), `${what} (${cid}); got ${JSON.stringify(this.of(cid))} links ${JSON.stringify(this.links)}`, 60_000);
    return this.of(cid).find(pred)!;
  }
}

interface Rig {
  sim: SimHandle;
  venue: SimVenueHandle;
  sup: Supervisor;
  log: EventLog;
  engine: Engine;
  placements: Placements;
  state: ExecutorState;
  bid: number;
  ask: number;
  lots: number;
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) {
    if (!r.sup.ended) await r.sup.stop();
    await r.sim.stop();
  }
  rigs = [];
});

async function rig(seed: number, extra: Partial<ExecutorParams> = {}, channel: Partial<ExecutorParams['channel']> = {}): Promise<Rig> {
  const sim = await startSim({ seed, tickMs: 0, warmupSteps: 3, venues: [{ protocol: 'binance-spot' }] });
  const venue = sim.venue('binance-spot');
  const placements = new Placements(venue);
  const sab = createSharedMemory(
    ['exec', 'engine'],
    [
      { name: 'exec.in', capacity: 1 << 16, consumer: 'exec' },
      { name: 'exec.out', capacity: 1 << 16, consumer: 'engine' },
    ],
    [countersSpec('exec.state', executorStateWords(8))],
  );
  const map = ShmMap.attach(sab);
  const spec = venue.instruments[0]!.spec;
  const params: ExecutorParams = {
    venueId: VENUE_ID,
    linkId: 31,
    state: 'exec.state',
    instruments: [{ spec, instrumentId: INSTRUMENT_ID }],
    channel: {
      venue: 'binance-spot',
      creds: { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret },
      primary: { transport: 'ws', url: venue.urls.wsApi!, restUrl: venue.urls.rest },
      backup: { transport: 'rest', url: venue.urls.rest },
      requestTimeoutMs: 700,
      recvWindowMs: 1000,
      reconnect: { baseMs: 20, maxMs: 200 },
      ...channel,
    },
    ...extra,
  };
  const sup = new Supervisor(
    { name: 'exec', strategy: 'one_for_one', intensity: 10, periodMs: 60_000, backoff: { baseMs: 0 }, children: [{ id: 'exec', module: EXECUTOR, inbound: ['exec.in'], outbound: ['exec.out'], wait: 'async-park', parkTimeoutMs: 20, params }] },
    { sab, seed: 5 },
  );
  const log = attachLog(sup);
  await sup.start();
  const engine = new Engine(map);
  await until(() => {
    engine.drain();
    return engine.links.some((l) => l.status === LinkStatus.Synced && l.reason.startsWith('ready'));
  }, 'executor ready', 30_000);
  const table = new InstrumentTable([spec]);
  const ins = table.get(0);
  const e = venue.engines.get(spec.symbol)!;
  const bid = e.bestBid();
  const ask = e.bestAsk();
  const lots = Math.max(ins.minQtyLots, ins.minNotionalUnits > 0 ? Math.ceil((ins.minNotionalUnits * 1.2) / Math.max(1, bid - 200)) : 1, 1);
  const r: Rig = { sim, venue, sup, log, engine, placements, state: ExecutorState.attach(map, 'exec.state'), bid, ask, lots };
  rigs.push(r);
  return r;
}

const cid = (tag: string, n: number): string => binanceClientOrderId(tag, 9, n, 0);

describe('executor actor', () => {
  it('trades orders from its ring: ack + fill, cancel, reject, and an unknown outcome settled by query', async () => {
    const { engine, venue, placements, bid, ask, lots } = await rig(71);

    // a resting order: ack (origin Stream) with the engine's identity and stage times
    const restCid = cid('ra', 0);
    const restRef = engine.order(restCid, Side.Buy, OrderType.Limit, Math.max(1, bid - 200), lots);
    const ack = await engine.waitFor(restCid, (r) => r.kind === ReportKind.Ack, 'ack of the resting order');
    expect(ack.origin).toBe(ReportOrigin.Stream);
    expect(ack.orderRef).toBe(restRef);
    expect(ack.instrumentId).toBe(INSTRUMENT_ID);
    expect(ack.venueId).toBe(VENUE_ID);
    expect(ack.comboId).toBe(7);
    expect(ack.leg).toBe(1);
    expect(ack.side).toBe(Side.Buy);
    expect(ack.leavesQtyLots).toBe(lots);
    expect(ack.venueOrderId).not.toBe('');
    const ackMsg = engine.reports.find((x) => x.r === ack)!.msg;
    expect(ackMsg.times.decisionUs).toBe(1000 + restRef);
    expect(ackMsg.times.ringCommittedUs).toBe(900 + restRef); // the order's path, not the report's commit
    expect(ackMsg.times.orderSentUs).toBeGreaterThan(0);
    expect(ackMsg.times.ackUs).toBeGreaterThanOrEqual(ackMsg.times.orderSentUs);

    // a marketable IOC: ack and fill reports
    const iocCid = cid('fi', 1);
    engine.order(iocCid, Side.Buy, OrderType.Ioc, ask + 20, lots);
    const fill = await engine.waitFor(iocCid, (r) => r.kind === ReportKind.Fill, 'fill of the IOC');
    await engine.waitFor(iocCid, (r) => r.kind === ReportKind.Ack, 'ack of the IOC');
    expect(fill.cumQtyLots).toBe(lots);
    expect(fill.leavesQtyLots).toBe(0);
    const fillMsg = engine.reports.find((x) => x.r === fill)!.msg;
    expect(fillMsg.times.fillUs).toBeGreaterThanOrEqual(fillMsg.times.orderSentUs);
    expect(engine.of(iocCid).some((r) => r.lastQtyLots === lots && r.lastPriceTicks > 0 && r.lastPriceTicks <= ask + 20)).toBe(true);

    // cancel the resting order: answered with origin Cancel
    engine.cancel(restCid, restRef);
    const cancelled = await engine.waitFor(restCid, (r) => r.kind === ReportKind.Cancelled && r.origin === ReportOrigin.Cancel, 'cancel answer');
    expect(cancelled.orderRef).toBe(restRef);
    // cancelling it again: refused, not open (UnknownOrder)
    engine.cancel(restCid, restRef);
    const refused = await engine.waitFor(restCid, (r) => r.kind === ReportKind.Reject && r.origin === ReportOrigin.Cancel, 'second cancel refused');
    expect(refused.reason).toBe(ReasonCode.UnknownOrder);

    // a rejected order: Reject with its reason code and the venue's code
    venue.core.faults.add({ kind: 'reject', venue: venue.name, target: 'orders', count: 1 });
    const rejCid = cid('rj', 2);
    engine.order(rejCid, Side.Buy, OrderType.Ioc, ask + 20, lots);
    const rej = await engine.waitFor(rejCid, (r) => r.kind === ReportKind.Reject, 'reject');
    expect(rej.reason).toBe(ReasonCode.InsufficientBalance);
    expect(rej.venueErrorCode).not.toBe(0);
    expect(rej.origin).toBe(ReportOrigin.Stream);
    expect(placements.count(rejCid)).toBeLessThanOrEqual(1);
    expect(venue.core.faults.fired('reject', venue.name)).toBe(1);

    // placed but the answer withheld: OutcomeUnknown, never re-sent; the Query finds it filled
    venue.core.faults.add({ kind: 'timeout_placed', venue: venue.name, target: 'ws-api', count: 1, mode: 'hang' });
    const uoCid = cid('uo', 3);
    const uoRef = engine.order(uoCid, Side.Buy, OrderType.Ioc, venue.engines.get(venue.instruments[0]!.spec.symbol)!.bestAsk() + 20, lots);
    const unknown = await engine.waitFor(uoCid, (r) => r.kind === ReportKind.OutcomeUnknown, 'outcome unknown');
    expect(unknown.reason).toBe(ReasonCode.Timeout);
    expect(unknown.orderRef).toBe(uoRef);
    engine.query(uoCid, uoRef);
    const answer = await engine.waitFor(uoCid, (r) => r.origin === ReportOrigin.Query, 'query answer');
    expect(answer.kind).toBe(ReportKind.Fill);
    expect(answer.cumQtyLots).toBe(lots);
    expect(answer.orderRef).toBe(uoRef);
    expect(venue.core.faults.fired('timeout_placed', venue.name)).toBe(1);
    expect(placements.count(uoCid)).toBe(1);

    // a query of a client id the venue never saw: Reject + UnknownOrder, origin Query
    engine.query(cid('nx', 4), 99);
    const nf = await engine.waitFor(cid('nx', 4), (r) => r.origin === ReportOrigin.Query, 'query of an unknown id');
    expect(nf.kind).toBe(ReportKind.Reject);
    expect(nf.reason).toBe(ReasonCode.UnknownOrder);
    expect(nf.orderRef).toBe(99);
    expect(placements.max()).toBe(1);
  });

  it('reports the venue balances: the whole account when ready and on RefreshBalances, stream updates after a fill; all equal to the ledger', async () => {
    // engine units (9 decimals) finer than the simulator's, so the conversion is exercised
    const { engine, venue, ask, lots } = await rig(73, {
      assets: [
        { code: 'BTC', assetId: 0, decimals: 9 },
        { code: 'USDT', assetId: 1, decimals: 9 },
      ],
      balanceRefreshMs: 0, // no periodic refresh: every snapshot below is one we caused
    });
    const account = venue.keys[0]!.account;
    const simDecimals = { BTC: venue.ledger.decimals('BTC'), USDT: venue.ledger.decimals('USDT') };
    expect(Math.max(simDecimals.BTC, simDecimals.USDT)).toBeLessThan(9);
    const ledger = (asset: 'BTC' | 'USDT'): { free: number; total: number } => {
      const b = venue.ledger.balanceView(account, asset);
      const k = 10 ** (9 - simDecimals[asset]);
      return { free: b.free * k, total: b.total * k };
    };
    const last = (assetId: number, snapshot: boolean): BalanceValue | undefined => {
      engine.drain();
      return engine.balances.filter((b) => b.assetId === assetId && b.snapshot === snapshot).at(-1);
    };
    const matches = (b: BalanceValue | undefined, asset: 'BTC' | 'USDT'): boolean => b !== undefined && b.freeUnits === ledger(asset).free && b.totalUnits === ledger(asset).total;
    // the whole account once ready
    await until(() => last(0, true) !== undefined && last(1, true) !== undefined, 'balance snapshot', 30_000);
    expect(last(0, true)).toMatchObject({ venueId: VENUE_ID, freeUnits: ledger('BTC').free, totalUnits: ledger('BTC').total });
    expect(last(1, true)).toMatchObject({ venueId: VENUE_ID, freeUnits: ledger('USDT').free, totalUnits: ledger('USDT').total });
    expect(ledger('USDT').free).toBeGreaterThan(0);
    const before = ledger('USDT').free;

    // a fill moves both assets; the private stream's account update reports the new figures
    const iocCid = cid('bl', 1);
    engine.order(iocCid, Side.Buy, OrderType.Ioc, ask + 20, lots);
    await engine.waitFor(iocCid, (r) => r.kind === ReportKind.Fill, 'fill of the IOC');
    expect(ledger('USDT').free).toBeLessThan(before);
    await until(() => matches(last(0, false), 'BTC') && matches(last(1, false), 'USDT'), `stream balances equal to the ledger after the fill; got ${JSON.stringify(engine.balances)}`, 30_000);

    // the engine asks: a new whole-account round, equal to the ledger
    const snapshots = engine.balances.filter((b) => b.snapshot).length;
    engine.refreshBalances();
    await until(() => (engine.drain(), engine.balances.filter((b) => b.snapshot).length >= snapshots + 2), 'balances after RefreshBalances', 30_000);
    expect(matches(last(0, true), 'BTC')).toBe(true);
    expect(matches(last(1, true), 'USDT')).toBe(true);
  });

  it('fails over to the backup endpoint when the primary errors, reports the switch, and trades through it', async () => {
    const { engine, venue, placements, log, ask, lots } = await rig(72, {}, { failover: { errorThreshold: 2 } });
    venue.core.faults.add({ kind: 'http_5xx', venue: venue.name, target: 'ws-api', count: 2, status: 503 });
    const a = cid('fa', 0);
    const b = cid('fb', 1);
    const aRef = engine.order(a, Side.Buy, OrderType.Ioc, ask + 20, lots);
    const ua = await engine.waitFor(a, (r) => r.kind === ReportKind.OutcomeUnknown, 'first 5xx');
    expect(ua.reason).toBe(ReasonCode.VenueServerError);
    engine.order(b, Side.Buy, OrderType.Ioc, ask + 20, lots);
    await engine.waitFor(b, (r) => r.kind === ReportKind.OutcomeUnknown, 'second 5xx');
    // the switch is reported on the ring and to the supervisor, with its measured time
    await until(() => {
      engine.drain();
      return engine.links.some((l) => l.role === LinkRole.Backup && l.reason.startsWith('failover'));
    }, 'failover LinkState', 30_000);
    const sw = engine.links.find((l) => l.reason.startsWith('failover'))!;
    expect(sw.status).toBe(LinkStatus.Synced);
    expect(sw.reason).toMatch(/primary:ws -> backup:rest \(errors: .*\); switch \d+\.\d{3} ms/);
    await until(() => log.of('report', 'exec').some((e) => (e.data as { failover?: unknown }).failover !== undefined), 'failover report', 30_000);
    const rep = (log.of('report', 'exec').find((e) => (e.data as { failover?: unknown }).failover !== undefined)!.data as { failover: { to: string; switchMs: number; impairedMs: number } }).failover;
    expect(rep.to).toBe('backup:rest');
    expect(rep.switchMs).toBeGreaterThanOrEqual(0);
    expect(rep.impairedMs).toBeGreaterThanOrEqual(rep.switchMs);
    // the next order goes through the backup and fills
    const c = cid('fc', 2);
    engine.order(c, Side.Buy, OrderType.Ioc, venue.engines.get(venue.instruments[0]!.spec.symbol)!.bestAsk() + 20, lots);
    const fill = await engine.waitFor(c, (r) => r.kind === ReportKind.Fill, 'fill through the backup');
    expect(fill.cumQtyLots).toBe(lots);
    expect(venue.core.faults.fired('http_5xx', venue.name)).toBe(2);
    // the two 5xx orders were not executed: the engine's queries say so (through the backup)
    engine.query(a, aRef);
    const qa = await engine.waitFor(a, (r) => r.origin === ReportOrigin.Query, 'query after failover');
    expect(qa.kind).toBe(ReportKind.Reject);
    expect(qa.reason).toBe(ReasonCode.UnknownOrder);
    expect(placements.count(a)).toBe(0);
    expect(placements.count(b)).toBe(0);
    expect(placements.count(c)).toBe(1);
  });

  it('rehearses its order path between orders: scratch file only, never the venue, the reports or the intent stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmc-exec-rehearse-'));
    try {
      const { engine, sup, placements, state, ask, lots } = await rig(77, { journalDir: dir, rehearseMs: 1 });
      const warm = join(dir, 'intent-exec-31.warm');
      // poll() runs once per park timeout (20 ms) when idle: every poll is due for a rehearsal
      await until(() => state.word(EXEC_STATE.REHEARSALS) >= 10, 'ten rehearsals before the order', 30_000);
      expect(existsSync(warm)).toBe(true);
      const real = cid('rh', 1);
      engine.order(real, Side.Buy, OrderType.Ioc, ask + 20, lots);
      await engine.waitFor(real, (r) => r.kind === ReportKind.Fill, 'fill of the real order');
      const after = state.word(EXEC_STATE.REHEARSALS);
      await until(() => state.word(EXEC_STATE.REHEARSALS) >= after + 10, 'rehearsals go on after the order', 30_000);
      engine.drain();
      expect(placements.ids()).toEqual([real]);
      expect(engine.reports.every((x) => x.r.clientOrderId === real)).toBe(true);
      await sup.stop();
      expect(existsSync(warm)).toBe(false);
      const intents = readJournal(dir).entries.filter((e) => e.clientOrderId !== '');
      expect(intents.map((e) => e.clientOrderId)).toEqual([real]);
      expect(intents.map((e) => e.clientOrderId)).not.toContain(REHEARSAL_CLIENT_ID);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a restarted executor reports the orders it had taken as outcome unknown and never re-sends them', async () => {
    const x1 = cid('kx', 0);
    const x2 = cid('ky', 1);
    const { engine, venue, placements, log, state, ask, lots } = await rig(73, {
      testCrash: [
        { clientOrderId: x1, at: 'before_send' },
        { clientOrderId: x2, at: 'after_answer' },
      ],
    });
    // 1) taken, then the worker dies before sending (inside onFrame: the frame is redelivered)
    const r1 = engine.order(x1, Side.Buy, OrderType.Ioc, ask + 20, lots);
    const u1 = await engine.waitFor(x1, (r) => r.kind === ReportKind.OutcomeUnknown, 'x1 reported unknown after restart');
    expect(u1.reason).toBe(ReasonCode.Disconnected);
    expect(u1.orderRef).toBe(r1);
    // the supervisor's event and the new incarnation's first report travel on different paths
    // (event loop vs ring): either may be seen first
    await until(() => log.of('restarted', 'exec').length >= 1, 'first restart event', 30_000);
    engine.query(x1, r1);
    const q1 = await engine.waitFor(x1, (r) => r.origin === ReportOrigin.Query, 'x1 query');
    expect(q1.kind).toBe(ReportKind.Reject);
    expect(q1.reason).toBe(ReasonCode.UnknownOrder);
    expect(placements.count(x1)).toBe(0);

    // 2) sent and answered, then the worker dies before reporting
    await until(() => {
      engine.drain();
      return engine.links.filter((l) => l.reason.startsWith('ready')).length >= 2;
    }, 'restarted executor ready', 30_000);
    const r2 = engine.order(x2, Side.Buy, OrderType.Ioc, venue.engines.get(venue.instruments[0]!.spec.symbol)!.bestAsk() + 20, lots);
    const u2 = await engine.waitFor(x2, (r) => r.kind === ReportKind.OutcomeUnknown && r.reason === ReasonCode.Disconnected, 'x2 reported unknown after restart');
    expect(u2.orderRef).toBe(r2);
    await until(() => log.of('restarted', 'exec').length >= 2, 'second restart event', 30_000);
    engine.query(x2, r2);
    const q2 = await engine.waitFor(x2, (r) => r.origin === ReportOrigin.Query, 'x2 query');
    expect(q2.kind).toBe(ReportKind.Fill);
    expect(q2.orderRef).toBe(r2);

    // at most one placement per client id, ever
    expect(placements.count(x2)).toBe(1);
    expect(placements.max()).toBe(1);
    expect(state.word(EXEC_STATE.CRASHES)).toBe(2);
    expect(state.word(EXEC_STATE.RECOVERED)).toBe(2);
    expect(state.word(EXEC_STATE.STARTS)).toBe(3);
    // x1's frame, had it been handed out again, was skipped as already taken (TAKEN slot / NEXT)
    expect(state.word(EXEC_STATE.TAKEN)).toBeGreaterThanOrEqual(4);
    // and the executor keeps trading afterwards
    const x3 = cid('kz', 2);
    engine.order(x3, Side.Buy, OrderType.Ioc, venue.engines.get(venue.instruments[0]!.spec.symbol)!.bestAsk() + 20, lots);
    await engine.waitFor(x3, (r) => r.kind === ReportKind.Fill, 'x3 fill');
    expect(placements.count(x3)).toBe(1);
  });
});
