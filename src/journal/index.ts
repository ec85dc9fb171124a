// Public surface of the audit journal: on-disk format, writer (durability policy in writer.ts
// and docs/JOURNAL.md), reader, restart recovery, record conventions and builders, export and
// the `xmc audit` command.
export * from './format.js';
export { JournalWriter, listSegments, type JournalWriterOptions, type WriterRecovery } from './writer.js';
export { auditDetailJson, decodeAudit, decodeFrame, iterateStream, listStreams, readJournal, type JournalRead, type ReadFilter, type TornTail } from './reader.js';
export { rebuildState, recoverState, type PositionLine, type RecoveredCombo, type RecoveredOrder, type RecoveredState, type RecoveredStatus } from './recovery.js';
export {
  AUDIT_KIND_NAMES,
  AuditBuilder,
  isOrderKind,
  kindName,
  metaFromFrame,
  REF,
  REF_COUNT,
  SUPERVISOR_EVENT,
  type DecisionBook,
  type DecisionCheck,
  type DecisionDetail,
  type RiskEventLike,
  type SupervisorEventLike,
} from './records.js';
export { IntentLog, type IntentLogOptions } from './intents.js';
export { CSV_COLUMNS, escapeHtml, LATENCY_COLUMNS, STAGE_COLUMNS, toCsv, toHtml, toJson, toRows, type AuditRow, type HtmlReportMeta } from './export.js';
export { AuditCommandError, parseFormat, parseTimeArg, runAuditCommand, type AuditCommandOptions, type AuditCommandResult, type AuditFormat, type AuditIo } from './cli.js';
