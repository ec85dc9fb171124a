#!/usr/bin/env node
// The composition root and the `xmc` command line. Every subcommand is wired here from the
// modules that do the work; this is the only file that calls process.exit.
//
// Exit codes: 0 success, 1 runtime failure (e.g. the supervisor gave up), 2 bad arguments.
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from './log.js';
import { describeEvent, startDemoTopology, type DemoStats, type DemoTopology } from './actors/topology.js';
import type { PinReport } from './actors/pinning.js';
import type { SupervisorOutcome } from './actors/supervisor.js';
import type { WaitStrategyName } from './shm/wait.js';
import { readFileSync } from 'node:fs';
import { compareBookReplay, runBookReplay, splitJsonl } from './venues/replay.js';
import { VENUE_IDS, type VenueId } from './venues/types.js';
import { runSimCommand } from './sim/cli.js';
import { AuditCommandError, runAuditCommand } from './journal/cli.js';
import { renderReport, renderSnapshot, startDemo, type DemoReport } from './control/demo.js';

const WAIT_STRATEGIES: readonly WaitStrategyName[] = ['spin', 'spin-park', 'park', 'async-park'];

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${value}"`);
    return n;
  };
}

function cpuList(value: string): [number | null, number | null] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 2) throw new InvalidArgumentError(`--cpus takes two cpus "FEED,ENGINE", got "${value}"`);
  const cpus = parts.map((p) => (p === '-' || p === '' ? null : cpuNumber('--cpus', p, ' (or "-" for unpinned)')));
  return [cpus[0] ?? null, cpus[1] ?? null];
}

/** One cpu number of `option`'s value; `hint` follows the error. */
function cpuNumber(option: string, p: string, hint = ''): number {
  const n = Number(p);
  if (p === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${option}: "${p}" is not a cpu number${hint}`);
  return n;
}

/** A comma-separated list of cpu numbers for `option` (`count`: exactly that many). */
function cpuNumbers(option: string, value: string, count?: number): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (count !== undefined && parts.length !== count) throw new InvalidArgumentError(`${option} takes ${count} cpus, got "${value}"`);
  return parts.map((p) => cpuNumber(option, p));
}

function describePin(actor: string, pin: PinReport | null): string {
  if (!pin) return `  ${actor}: no pin report yet`;
  return `  ${actor}: ${JSON.stringify(pin)}`;
}

function statsLine(s: DemoStats, prev: DemoStats | null, dtSec: number): string {
  const rate = prev ? Math.round((s.consumed - prev.consumed) / dtSec) : 0;
  return (
    `published ${s.published}  consumed ${s.consumed}  (${rate}/s)  crossed ${s.crossed}  ` +
    `latency µs p50≤${s.latencyUs.p50} p99≤${s.latencyUs.p99} max ${s.latencyUs.max}  ` +
    `ring full events ${s.ring.fullCount}`
  );
}

interface RunOptions {
  duration?: number;
  rate: number;
  wait: WaitStrategyName;
  warmSpare: boolean;
  crashEvery?: number;
  cpus?: [number | null, number | null];
  pin: boolean;
  json: boolean;
  seed: number;
  idlePoll: boolean;
}

async function runTopology(opts: RunOptions): Promise<number> {
  const log = createLogger();
  const out = (line: string): void => {
    if (!opts.json) process.stdout.write(line + '\n');
  };
  out('xmc run: a synthetic feed actor publishes tops of book of two venues into a shared-memory ring;');
  out('an engine actor reads them and counts the moments the two books cross. Both are supervised.');
  const topo: DemoTopology = await startDemoTopology({
    ratePerSec: opts.rate,
    wait: opts.wait,
    warmSpare: opts.warmSpare,
    idlePoll: opts.idlePoll,
    seed: opts.seed,
    ...(opts.pin ? (opts.cpus ? { cpus: opts.cpus } : {}) : { cpus: [null, null] as const }),
    onEvent: (e) => {
      log.info({ event: e.type }, describeEvent(e));
    },
  });
  out('pinning (effective affinity per actor):');
  for (const [actor, pin] of Object.entries(topo.pins())) out(describePin(actor, pin));
  if (topo.idlePoll !== null) out(topo.idlePoll);

  const started = Date.now();
  let prev: DemoStats | null = null;
  let prevAt = started;
  let crashes = 0;
  let nextCrashAt = opts.crashEvery ? started + opts.crashEvery * 1000 : Infinity;
  let stopping = false;
  let outcome: SupervisorOutcome | null = null;

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    outcome = await topo.stop();
  };
  const timer = setInterval(() => {
    const now = Date.now();
    const s = topo.stats();
    out(statsLine(s, prev, (now - prevAt) / 1000));
    prev = s;
    prevAt = now;
    if (opts.duration !== undefined && now - started >= opts.duration * 1000) {
      void stop();
      return;
    }
    if (now >= nextCrashAt) {
      const victim = crashes % 2 === 0 ? 'feed' : 'engine';
      crashes++;
      out(`crashing the ${victim} actor on purpose (crash #${crashes})`);
      void topo.kill(victim);
      nextCrashAt = now + (opts.crashEvery ?? 0) * 1000;
    }
  }, 1000);
  timer.unref();
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  void topo.supervisor.done.then(() => {
    clearInterval(timer);
  });

  const done = await topo.supervisor.done;
  if (outcome === null) outcome = done;
  const final = topo.stats();
  const report = {
    seconds: (Date.now() - started) / 1000,
    outcome,
    crashesInjected: crashes,
    stats: final,
    pins: topo.pins(),
    idlePoll: topo.idlePoll,
  };
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    out('final report:');
    out(`  ran ${report.seconds.toFixed(1)} s; supervisor outcome: ${JSON.stringify(outcome)}`);
    out(`  ${statsLine(final, null, 1)}`);
    out(`  lost frames: ${final.published - final.consumed} (published - consumed; must be 0 after a clean stop)`);
    for (const a of final.actors) out(`  actor ${a.id}: ${JSON.stringify(a)}`);
  }
  return (outcome as SupervisorOutcome).kind === 'stopped' ? 0 : 1;
}

interface DemoCliOptions {
  duration?: number;
  journal?: string;
  json: boolean;
  seed: number;
  pin: boolean;
  backup: boolean;
  realtime: boolean;
  idlePoll: boolean;
  /** feeds, engine, journal */
  cpus?: number[];
  executorCpus?: number[];
}

/** `xmc demo`: simulator + engine + live summary until Ctrl-C or --duration, then the final report. */
async function runDemo(opts: DemoCliOptions): Promise<number> {
  const log = createLogger();
  const tty = process.stdout.isTTY === true && !opts.json;
  if (!opts.json) process.stdout.write('xmc demo: starting the simulated venues, the feed/executor/engine/journal actors under one supervisor...\n');
  const demo = await startDemo({
    seed: opts.seed,
    pin: opts.pin,
    realtime: opts.realtime,
    idlePoll: opts.idlePoll,
    backupLinks: opts.backup,
    cpus: {
      ...(opts.cpus !== undefined ? { feeds: opts.cpus[0]!, engine: opts.cpus[1]!, journal: opts.cpus[2]! } : {}),
      ...(opts.executorCpus !== undefined ? { executors: opts.executorCpus } : {}),
    },
    ...(opts.journal !== undefined ? { journalDir: opts.journal } : {}),
    onEvent: (e) => {
      if (e.type !== 'report') log.debug({ event: e.type }, describeEvent(e));
    },
  });
  // said at once: a cpu that could not be kept is the user's to know before the run, not after
  if (demo.idlePoll !== null && !opts.json) process.stdout.write(`xmc demo: ${demo.idlePoll}\n`);
  const started = Date.now();
  let stopping: Promise<DemoReport> | null = null;
  let stopped!: (r: Promise<DemoReport>) => void;
  const finished = new Promise<DemoReport>((res) => (stopped = res));
  const stop = (): void => {
    if (stopping !== null) return;
    if (!opts.json) process.stdout.write('xmc demo: stopping (waiting for combos in flight, then the actors and the simulator)...\n');
    stopping = demo.stop();
    stopped(stopping);
  };
  const timer = setInterval(() => {
    if (stopping !== null) return;
    if (!opts.json) {
      const text = renderSnapshot(demo.snapshot());
      process.stdout.write(tty ? `\x1b[H\x1b[2J${text}\n(Ctrl-C to stop)\n` : `${text}\n`);
    }
    if (opts.duration !== undefined && Date.now() - started >= opts.duration * 1000) stop();
  }, 1000);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // the root supervisor giving up ends the demo too
  void demo.supervisor.done.then(stop);
  const report = await finished;
  clearInterval(timer);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(renderReport(report) + '\n');
  return report.outcome.kind === 'stopped' ? 0 : 1;
}

interface BookReplayOptions {
  venue: VenueId;
  snapshot: string;
  events: string;
  expect?: string;
}

/** Bad input a user can fix (a file that cannot be read, a malformed file): exit code 2. */
class UsageError extends Error {
  readonly code = 'XMC_USAGE';
}

function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
}

/** Exit code 0: synced (and equal to --expect); 1: sync broke or differs from --expect; 2: bad input. */
function bookReplay(opts: BookReplayOptions): number {
  const snapshot = readInput(opts.snapshot, '--snapshot');
  const events = splitJsonl(readInput(opts.events, '--events'));
  let expected: unknown;
  if (opts.expect !== undefined) {
    try {
      expected = JSON.parse(readInput(opts.expect, '--expect'));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--expect ${opts.expect} is not JSON: ${(err as Error).message}`);
    }
  }
  const result = runBookReplay(opts.venue, snapshot, events);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (result.status === 'break') {
    process.stderr.write(`xmc book-replay: sync broke at event ${result.index} (0-based line of ${opts.events}): ${result.reason}: ${result.detail}\n`);
    return 1;
  }
  if (expected !== undefined) {
    const diff = compareBookReplay(opts.venue, result, expected);
    if (diff !== null) {
      process.stderr.write(`xmc book-replay: the book differs from ${opts.expect}: ${diff}\n`);
      return 1;
    }
    process.stderr.write(`xmc book-replay: the book equals ${opts.expect}\n`);
  }
  return 0;
}

export function buildCli(): Command {
  const program = new Command();
  program
    .name('xmc')
    .description('cross-market-connect: low-latency cross-market arbitrage on worker-thread actors over shared memory')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description(
      'Start the actor topology: a synthetic two-venue feed actor and an engine actor connected by a shared-memory ring, ' +
        'both pinned and supervised. Prints effective CPU affinity, a stats line per second (frames, rate, cross-thread ' +
        'latency, ring backpressure), supervisor events on stderr, and a final report. Ctrl-C stops it gracefully.',
    )
    .addOption(new Option('--duration <seconds>', 'stop after this many seconds (default: run until Ctrl-C)').argParser(positiveNumber('--duration')))
    .addOption(new Option('--rate <per-second>', 'tops of book the feed publishes per second').default(20_000).argParser(positiveNumber('--rate')))
    .addOption(new Option('--wait <strategy>', 'wait strategy of the engine actor').choices(WAIT_STRATEGIES).default('park'))
    .option('--warm-spare', 'keep a booted idle spare worker per actor so a restart is nearly instant', false)
    .addOption(new Option('--crash-every <seconds>', 'crash the feed and the engine in turn every N seconds to show supervised restarts').argParser(positiveNumber('--crash-every')))
    .addOption(new Option('--cpus <feed,engine>', 'cpus to pin the feed and engine actors to ("-" = unpinned); default 0,1 on 2+ cpus').argParser(cpuList))
    .option('--no-pin', 'run every actor unpinned')
    .option('--idle-poll', 'keep the actors\' cpus from going idle (one SCHED_IDLE spinning thread each), so the parked engine wakes faster', false)
    .option('--json', 'print only the final report, as JSON', false)
    .addOption(new Option('--seed <n>', 'seed of the supervisor backoff jitter').default(1).argParser(Number))
    .action(async (opts: RunOptions) => {
      process.exitCode = await runTopology(opts);
    });

  program
    .command('demo')
    .description(
      'The main command: start the simulated venues (Binance-spot-like, OKX-like with spot and perpetual, Binance ' +
        'USD-M-like), the engine with the embedded configuration (cross-exchange spot pair and OKX basis pair), one ' +
        'feed actor per market-data link (primary and backup, A/B arbitrated), one executor per venue order channel, ' +
        'and the audit journal, all supervised and pinned; it finds and trades the simulator\'s arbitrage windows and ' +
        'shows both books per pair, edges against thresholds, trades, positions, exposure, PnL and latency every second ' +
        'until Ctrl-C or --duration, then prints a final report and how to audit the journal.',
    )
    .addOption(new Option('--duration <seconds>', 'stop after this many seconds (default: run until Ctrl-C)').argParser(positiveNumber('--duration')))
    .option('--journal <dir>', 'journal directory (default: a new temporary directory)')
    .option('--json', 'print only the final report, as JSON', false)
    .addOption(new Option('--seed <n>', 'seed of the simulated market and of the supervisor jitter').default(42).argParser((v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--seed must be a non-negative integer, got "${v}"`);
      return n;
    }))
    .option('--no-pin', 'run every actor unpinned')
    .option('--no-backup', 'run only the primary market-data link of each venue')
    .addOption(new Option('--cpus <feeds,engine,journal>', 'cpus of the feed actors, the engine and the journal (default 0,1,0)').argParser((v: string) => cpuNumbers('--cpus', v, 3)))
    .addOption(
      new Option(
        '--executor-cpus <list>',
        'cpus of the executors, one per venue in turn (default: the engine\'s cpu, then the feeds\' cpu, alternately, ' +
          'so two venues\' legs leave at once); a single cpu puts them all there',
      ).argParser((v: string) => cpuNumbers('--executor-cpus', v)),
    )
    .option(
      '--realtime',
      'run feeds and engine under SCHED_FIFO 10 and executors under SCHED_FIFO 20 (a woken actor preempts the ' +
        'ordinary threads of its cpu; needs root or CAP_SYS_NICE, otherwise it says so once and runs as usual)',
      false,
    )
    .option(
      '--idle-poll',
      'keep the actors\' cpus from going idle with one SCHED_IDLE spinning thread each, so a parked actor wakes ' +
        'faster (the in-process counterpart of booting with idle=poll; those cpus then show 100% busy)',
      false,
    )
    .action(async (opts: DemoCliOptions) => {
      process.exitCode = await runDemo(opts);
    });

  program
    .command('sim')
    .description(
      'Start the venue simulator on 127.0.0.1: a Binance-spot-like venue (BTCUSDT), an OKX-like venue (BTC-USDT, ' +
        'BTC-USDT-SWAP) and a Binance USD-M-like venue (BTCUSDT perpetual), each speaking the venue\'s real wire ' +
        'protocol (REST, market and private WebSockets, signatures, rate limits), driven by one seeded market with ' +
        'lead-lag, dislocations and basis, and fault injection (config or the /_sim/ control endpoint). Prints the ' +
        'endpoints and the per-run API keys; runs until Ctrl-C or --duration.',
    )
    .option('--config <file.json>', 'simulator config (venues, instruments, accounts, market, faults); default: the built-in three venues')
    .addOption(new Option('--seed <seed>', 'seed of the market and the faults (same seed, same run)'))
    .addOption(new Option('--port <n>', 'base port: venue i listens on n+i (default: ephemeral ports)').argParser(Number))
    .addOption(new Option('--duration <seconds>', 'stop after this many seconds').argParser(positiveNumber('--duration')))
    .option('--json', 'print the endpoints and keys as one JSON object', false)
    .action(async (opts: { config?: string; seed?: string; port?: number; duration?: number; json: boolean }) => {
      process.exitCode = await runSimCommand({
        ...(opts.config !== undefined ? { config: opts.config } : {}),
        ...(opts.seed !== undefined ? { seed: /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
        json: opts.json,
      });
    });

  program
    .command('audit')
    .description(
      'Export the audit journal: a time range or one combo\'s full trail (decisions, orders, reports, risk events) ' +
        'with per-stage latency columns in µs (received→applied→committed→decision→sent→ack→fill), as CSV, JSON, or a ' +
        'self-contained HTML report for a compliance reviewer. See docs/JOURNAL.md.',
    )
    .requiredOption('--dir <journal-dir>', 'the journal directory')
    .option('--from <time>', 'start of the range (ISO time or epoch ms)')
    .option('--to <time>', 'end of the range (ISO time or epoch ms)')
    .option('--combo <id>', 'only this combo id')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json', 'html']).default('csv'))
    .option('--out <file>', 'write to this file (default: stdout)')
    .action(async (opts: { dir: string; from?: string; to?: string; combo?: string; format: string; out?: string }) => {
      try {
        const r = await runAuditCommand(opts);
        if (r.out !== null) process.stderr.write(`xmc audit: ${r.records} records written to ${r.out} (${r.format}, ${r.bytes} bytes)\n`);
      } catch (err) {
        if (err instanceof AuditCommandError) throw new UsageError(err.message);
        throw err;
      }
    });

  program
    .command('book-replay')
    .description(
      "Run a captured REST/WS snapshot and a JSONL stream of depth messages through a venue's book builder " +
        '(the same parser and sync rules as the live feed) and print the final book as JSON, or the first event ' +
        'where sync breaks with the rule that broke. With --expect, compare the final book with an expected one ' +
        '({bids, asks, updateId}); exit code 1 on a break or a difference.',
    )
    .addOption(new Option('--venue <venue>', 'venue protocol').choices(VENUE_IDS).makeOptionMandatory())
    .requiredOption('--snapshot <file>', 'the snapshot: Binance REST depth body; OKX REST books body or WS snapshot push')
    .requiredOption('--events <file.jsonl>', 'one venue message per line, in arrival order')
    .option('--expect <file>', 'expected final book: {"bids":[[px,qty],...],"asks":[...],"updateId":n}')
    .action((opts: BookReplayOptions) => {
      process.exitCode = bookReplay(opts);
    });

  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`xmc: ${err.message}\n`);
      process.exit(2);
    }
    const code = (err as { code?: string }).code;
    const exitCode = (err as { exitCode?: number }).exitCode;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exit(0);
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit(exitCode === 0 ? 0 : 2);
    process.stderr.write(`xmc: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

await main(process.argv);
