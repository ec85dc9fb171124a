// Order-intent log: what an executor calls BEFORE it hands an order to the socket (durability
// policy 1 in writer.ts). It encodes the order as an AuditRecord(OrderSent) frame, the same
// frame the executor also puts on its journal ring, and appends it to the executor's own intent
// stream with appendDurable(): when recordIntent() returns, the record is owned by the kernel
// (and on disk with intentSync 'fdatasync'), so a kill -9 after the send cannot lose it.
//
// rehearse() runs the same work for an order that is not sent, into a scratch file, to keep this
// path warm between orders (src/actors/executor-rehearsal.ts).
//
// Invariants: one IntentLog per executor (one writer per stream); stream name
// `intent-<executor>`; record seq = the order ref; no allocation per order in steady state
// beyond what the writer documents (the encoder, builder and meta are reused).
import { newEnvelopeHead, WireEncoder, type EnvelopeHead, type NewOrderValue, type StageTimesValue } from '../wire/index.js';
import { newRecordMeta, RecordFlag } from './format.js';
import { AuditBuilder } from './records.js';
import { JournalWriter, type JournalWriterOptions } from './writer.js';

export interface IntentLogOptions extends Omit<JournalWriterOptions, 'stream'> {
  /** Executor name: the stream is `intent-<executor>`. */
  readonly executor: string;
  /** Actor id written as the envelope's source. */
  readonly sourceActor?: number;
}

export class IntentLog {
  readonly writer: JournalWriter;
  private readonly enc = new WireEncoder(1024);
  private readonly builder = new AuditBuilder();
  private readonly head: EnvelopeHead;
  private readonly meta = newRecordMeta();
  private seq = 0;

  constructor(opts: IntentLogOptions) {
    this.writer = JournalWriter.open({ ...opts, stream: `intent-${opts.executor}` });
    this.head = newEnvelopeHead(opts.sourceActor ?? 0);
  }

  /**
   * Journals the intent to send `o`; returns the encoded AuditRecord frame (valid until the next
   * recordIntent or rehearse call) so the caller can also put it on its journal ring. Call
   * before sending.
   */
  recordIntent(o: NewOrderValue, times: StageTimesValue): { bytes: Uint8Array; start: number; end: number } {
    this.head.seq = this.seq++;
    this.encode(o, times);
    this.writer.appendDurable(this.meta, this.enc.bytes, this.enc.start, this.enc.end);
    return this.enc;
  }

  /**
   * Runs recordIntent's work for `o` without journaling it (executor-rehearsal.ts): the same
   * encoders and record framing, written to the stream's scratch file (JournalWriter.rehearse).
   * The intent sequence and the stream are untouched.
   */
  rehearse(o: NewOrderValue, times: StageTimesValue): void {
    this.head.seq = this.seq;
    this.encode(o, times);
    this.meta.flags = RecordFlag.INTENT;
    this.writer.rehearse(this.meta, this.enc.bytes, this.enc.start, this.enc.end);
  }

  /** The OrderSent AuditRecord of `o` into `enc`, its record meta into `meta`. */
  private encode(o: NewOrderValue, times: StageTimesValue): void {
    const input = this.builder.order(o, times);
    this.enc.auditRecord(this.head, input);
    const m = this.meta;
    m.kind = input.kind;
    m.flags = 0;
    m.code = input.code;
    m.source = 0;
    m.epoch = 0;
    m.comboId = o.comboId;
    m.venue = o.venueId;
    m.instrument = o.instrumentId;
    m.leg = o.leg;
    m.seq = o.orderRef;
    m.wallUs = 0;
    m.orderRef = o.orderRef;
    m.clientOrderId = o.clientOrderId;
    m.times = times;
  }

  /**
   * Group fdatasync for intents under intentSync 'write' (call from the executor's poll): started
   * in libuv's thread pool (JournalWriter.tickAsync), so an order never waits behind a disk flush.
   */
  tick(): boolean {
    return this.writer.tickAsync();
  }

  close(): void {
    this.writer.close();
  }
}
