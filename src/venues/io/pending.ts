// Request/answer bookkeeping over one WsLink, shared by the venue order-entry sockets
// (src/venues/binance/io/ws-api-client.ts, src/venues/okx/io/private-client.ts): a request is
// written with its id, waits for the answer carrying that id, and is settled exactly once, by the
// answer, by its timeout, or by the connection going away. What a request and an answer are, and
// when a socket may take requests (open, logged in, ...), stay with the venue client.
//
// Invariants:
// - Every `send` promise resolves exactly once and never rejects: with the answer, with the
//   venue's timeout info (outcome unknown), with a not-sent info (outcome known: not executed)
//   when the link refused the frame, or with the info `failAll` builds.
// - An answer whose request is no longer pending (timed out, failed, unknown id) is only counted
//   (`lateAnswers`); it never settles anything.
// - Counters: `requests` per frame handed to the link, `answers` per matched answer, `timeouts`
//   per request settled by its timer.
import type { VenueErrorInfo } from '../types.js';
import { notSentInfo } from './orders.js';
import type { WsLink } from './ws-link.js';

export interface PendingCounters {
  requests: number;
  answers: number;
  timeouts: number;
  lateAnswers: number;
}

interface Pending<A> {
  /** What was in flight, for the disconnect message (e.g. 'place', 'a request'). */
  readonly label: string;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly done: (r: A | VenueErrorInfo) => void;
}

export class PendingAnswers<A> {
  private readonly pending = new Map<string, Pending<A>>();

  constructor(
    private readonly link: WsLink,
    private readonly timeoutMs: number,
    private readonly counters: PendingCounters,
    /** The venue's "no answer in time" info (outcome unknown). */
    private readonly timeoutInfo: (afterMs: number) => VenueErrorInfo,
  ) {}

  /** Requests waiting for their answer. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Writes `text` (request id `id`) at once and waits for its answer. The caller has checked that
   * the socket may take requests; `notSent` is the message when the link refuses the frame.
   */
  send(id: string, text: string, label: string, notSent: string): Promise<A | VenueErrorInfo> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) {
          this.counters.timeouts++;
          resolve(this.timeoutInfo(this.timeoutMs));
        }
      }, this.timeoutMs);
      this.pending.set(id, { label, timer, done: resolve });
      this.counters.requests++;
      if (!this.link.sendNow(text)) {
        this.pending.delete(id);
        clearTimeout(timer);
        resolve(notSentInfo(notSent));
      }
    });
  }

  /** Settles the request `id` with its answer; false (counted late) when none is pending. */
  answer(id: string, answer: A): boolean {
    const p = this.pending.get(id);
    if (p === undefined) {
      this.counters.lateAnswers++;
      return false;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    this.counters.answers++;
    p.done(answer);
    return true;
  }

  /** Settles every pending request with `info(label)` (connection closed, client closed). */
  failAll(info: (label: string) => VenueErrorInfo): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.done(info(p.label));
    }
  }
}
