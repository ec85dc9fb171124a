// The simulator's control endpoint, served by every simulated venue under `/_sim/` on its own
// port (loopback only, and only with the run's token in `X-Sim-Token`):
//   GET    /_sim/faults                  rules with their counters, firing stats, the last firings
//   POST   /_sim/faults                  add a rule (JSON FaultRule; venue defaults to this venue)
//   DELETE /_sim/faults[?id=N]           remove one rule / all rules
//   POST   /_sim/actions                 {"action":"disconnect"|"stall"|"shutdown_notice", ...}
//   GET    /_sim/book?symbol=S[&depth=N] the matching engine's book (ticks, lots, decimal strings)
//   POST   /_sim/step[?n=N]              advance the market generator N steps (manual mode)
// Every answer is JSON; errors are {"error": "..."} with 400 / 401 / 404.
import { timingSafeEqual } from 'node:crypto';
import { SimConfigError } from '../check.js';
import type { FaultController } from '../faults.js';
import { header, writeJson, type HttpRequest } from './http.js';
import { priceStr, qtyStr, STYLE_OKX } from './format.js';
import type { VenueCore } from './venue.js';

export interface SimControl {
  readonly token: string;
  readonly faults: FaultController;
  /** Advances the market generator `n` steps and publishes (returns the generator step count). */
  step(n: number): number;
}

function tokenOk(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

function query(raw: string): URLSearchParams {
  return new URLSearchParams(raw);
}

/** Handles `/_sim/...`; returns false when the path is not a control path. */
export function handleControl(r: HttpRequest, control: SimControl, core: VenueCore): boolean {
  if (!r.path.startsWith('/_sim/')) return false;
  if (!tokenOk(header(r.headers, 'x-sim-token'), control.token)) {
    writeJson(r.res, 401, { error: 'missing or wrong X-Sim-Token' });
    return true;
  }
  try {
    const q = query(r.rawQuery);
    const body = (): Record<string, unknown> => {
      if (r.body === '') return {};
      const v: unknown = JSON.parse(r.body);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SimConfigError('body', 'a JSON object', v);
      return v as Record<string, unknown>;
    };
    const route = `${r.method} ${r.path}`;
    switch (route) {
      case 'GET /_sim/faults':
        writeJson(r.res, 200, { rules: control.faults.rules(), stats: control.faults.stats(), log: control.faults.log() });
        return true;
      case 'POST /_sim/faults': {
        const b = body();
        const id = control.faults.add({ venue: core.name, ...b } as never);
        writeJson(r.res, 200, { id });
        return true;
      }
      case 'DELETE /_sim/faults': {
        const id = q.get('id');
        if (id === null) {
          control.faults.clear();
          writeJson(r.res, 200, { removed: 'all' });
        } else writeJson(r.res, 200, { removed: control.faults.remove(Number(id)) });
        return true;
      }
      case 'POST /_sim/actions': {
        const b = body();
        const venue = typeof b['venue'] === 'string' ? b['venue'] : core.name;
        const target = b['target'] === 'market' || b['target'] === 'private' ? b['target'] : 'all';
        let n: number;
        switch (b['action']) {
          case 'disconnect':
            n = control.faults.disconnect({ venue, target, code: typeof b['code'] === 'number' ? b['code'] : null });
            break;
          case 'stall':
            n = control.faults.stall({ venue, target, durationMs: Number(b['durationMs'] ?? 0) });
            break;
          case 'shutdown_notice':
            n = control.faults.shutdownNotice({ venue, closeAfterMs: typeof b['closeAfterMs'] === 'number' ? b['closeAfterMs'] : null });
            break;
          default:
            writeJson(r.res, 400, { error: 'action must be disconnect, stall or shutdown_notice' });
            return true;
        }
        writeJson(r.res, 200, { connections: n });
        return true;
      }
      case 'GET /_sim/book': {
        const sym = q.get('symbol') ?? '';
        const inst = core.instrument(sym);
        if (inst === undefined) {
          writeJson(r.res, 404, { error: `unknown symbol ${sym}` });
          return true;
        }
        const depth = q.has('depth') ? Number(q.get('depth')) : Infinity;
        const s = inst.engine.snapshot(Number.isFinite(depth) && depth > 0 ? depth : Infinity);
        writeJson(r.res, 200, {
          venue: core.name, symbol: sym, updateId: s.updateId,
          bids: s.bids, asks: s.asks,
          bidsText: s.bids.map(([p, l]) => [priceStr(inst.ins, p, STYLE_OKX), qtyStr(inst.ins, l, STYLE_OKX)]),
          asksText: s.asks.map(([p, l]) => [priceStr(inst.ins, p, STYLE_OKX), qtyStr(inst.ins, l, STYLE_OKX)]),
        });
        return true;
      }
      case 'POST /_sim/step': {
        const n = q.has('n') ? Number(q.get('n')) : 1;
        if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) {
          writeJson(r.res, 400, { error: 'n must be an integer in [1, 100000]' });
          return true;
        }
        writeJson(r.res, 200, { steps: control.step(n) });
        return true;
      }
      default:
        writeJson(r.res, 404, { error: `unknown control route ${route}` });
        return true;
    }
  } catch (e) {
    writeJson(r.res, 400, { error: e instanceof Error ? e.message : String(e) });
    return true;
  }
}
