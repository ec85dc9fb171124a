// ClientIdFactory adapters over the venues' deterministic client-order-id formats, so the
// execution machine names every order (comboId, leg, attempt) the same way across restarts.
//
// Invariant: for a fixed prefix the mapping (comboId, leg, attempt) -> id is injective (see the
// venue modules), so distinct attempts never share an id; the machine never reuses an attempt.
import { binanceClientOrderId } from '../venues/binance/client-id.js';
import { okxClOrdId } from '../venues/okx/client-id.js';
import type { ClientIdFactory } from './exec-types.js';

export function binanceClientIds(prefix: string): ClientIdFactory {
  return { clientOrderId: (c, l, a) => binanceClientOrderId(prefix, c, l, a) };
}

export function okxClientIds(prefix: string): ClientIdFactory {
  return { clientOrderId: (c, l, a) => okxClOrdId(prefix, c, l, a) };
}

/** Venue-neutral readable ids for the simulator and tests: `<prefix>-<combo>-<leg>-<attempt>`. */
export function plainClientIds(prefix: string): ClientIdFactory {
  return { clientOrderId: (c, l, a) => `${prefix}-${c}-${l}-${a}` };
}
