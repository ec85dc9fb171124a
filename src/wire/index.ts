// Public face of src/wire: the codec (codec.ts) plus the generated enums and accessor classes
// (generated/xmc_generated.ts, from xmc.fbs). Import wire types from here, not from generated/.
export * from './codec.js';
export {
  AuditKind,
  AuditRecord,
  Balance,
  Body,
  BookFlags,
  BookTop,
  Cancel,
  CancelScope,
  ControlCommand,
  ControlOp,
  Envelope,
  Heartbeat,
  Level,
  LinkChannel,
  LinkRole,
  LinkState,
  LinkStatus,
  NewOrder,
  OrderReport,
  OrderType,
  Query,
  ReasonCode,
  ReportKind,
  ReportOrigin,
  Side,
  StageTimes,
  Trade,
} from './generated/xmc_generated.js';
export { FLATC_ARGS, FLATC_VERSION } from './generated/flatc-version.js';
