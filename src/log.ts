// Process-wide structured logger (pino). Off the hot path only: actors never log per message;
// they count, and the main thread logs what the supervisor and the control plane report.
// Secrets are redacted by path before anything is serialised, so a credential that reaches a log
// call by mistake is printed as "[redacted]".
import { pino, type Logger, type LoggerOptions } from 'pino';

/** Field paths whose values are never written to a log line. */
export const REDACTED_PATHS: readonly string[] = [
  'apiKey', 'secret', 'secretKey', 'passphrase', 'token', 'signature', 'password',
  '*.apiKey', '*.secret', '*.secretKey', '*.passphrase', '*.token', '*.signature', '*.password',
  'headers["X-MBX-APIKEY"]', 'headers["OK-ACCESS-KEY"]', 'headers["OK-ACCESS-SIGN"]',
  'headers["OK-ACCESS-PASSPHRASE"]', 'headers.authorization',
];

export interface LogOptions {
  level?: string;
  /** Destination stream; defaults to stderr so that stdout stays free for command output. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.XMC_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return pino(options, (opts.destination ?? process.stderr) as pino.DestinationStream);
}
