// Public surface of the actor runtime, for the CLI, the benchmarks and the other actors' modules.
export type { ActorBehaviour, ActorContext, ActorFactory, ActorSpec } from './actor.js';
export { ACTOR_STATE, ActorControl, CTL, CTL_WORDS, actorRegions, bellRegionName, controlRegionName } from './control.js';
export { calibrationErrorUs, monoClock, nowMs, nowUs, type MonoClock } from './clock.js';
export { describePin, pinCurrentThread, type PinFailure, type PinReport } from './pinning.js';
export { IdlePoll, describeIdlePoll, type IdlePollThreadReport } from './idle-poll.js';
export {
  Supervisor,
  SupervisorStartError,
  type ActorChildSpec,
  type ChildInfo,
  type ChildSpec,
  type SupervisorChildSpec,
  type SupervisorEvent,
  type SupervisorListener,
  type SupervisorOptions,
  type SupervisorOutcome,
  type SupervisorSpec,
} from './supervisor.js';
export { decide, initialPolicyState, seededRng, type Decision, type SupervisorPolicySpec } from './supervisor-policy.js';
export { logSupervisorEvents } from './supervisor-log.js';
export {
  createSharedMemory,
  describeEvent,
  planRegions,
  startDemoTopology,
  type DemoStats,
  type DemoTopology,
  type DemoTopologyOptions,
  type RingPlan,
} from './topology.js';
