// Supervisor events -> structured log lines (pino), off the hot path: the supervisor emits
// events on the main thread; actors never log. Levels: normal lifecycle at info, exits, hangs,
// escalations and unavailable pinning / real-time class at warn, the root giving up at error, reports at debug.
import type { Logger } from 'pino';
import type { SupervisorEvent, SupervisorListener } from './supervisor.js';
import { describeEvent } from './topology.js';

export function eventLevel(e: SupervisorEvent): 'debug' | 'info' | 'warn' | 'error' {
  switch (e.type) {
    case 'gave_up':
      return 'error';
    case 'exited':
      return e.reason === 'normal' ? 'info' : 'warn';
    case 'hung':
    case 'escalated':
    case 'pin_unavailable':
    case 'realtime_unavailable':
      return 'warn';
    case 'report':
      return 'debug';
    default:
      return 'info';
  }
}

/** A listener that logs every supervisor event with its fields and a one-line description. */
export function logSupervisorEvents(logger: Logger): SupervisorListener {
  return (e) => {
    logger[eventLevel(e)]({ event: e.type, ...e }, describeEvent(e));
  };
}
