// `xmc sim`: starts the simulated venues (startSim), prints their endpoints and the run's API keys,
// and runs until stopped (SIGINT / SIGTERM, `--duration`, or an AbortSignal from the caller).
// The composition root (src/main.ts) wires the command line to `runSimCommand` and owns
// process.exit; this module never exits the process.
//
// The printed keys are the simulator's own per-run credentials for loopback venues (the user
// needs them to point an adapter at the simulator); they are printed to stdout only, never logged.
//
// Return codes: 0 stopped normally, 1 runtime failure (e.g. a port in use), 2 bad config.
import { readFileSync } from 'node:fs';
import { SimConfigError } from './check.js';
import type { SimConfig } from './config.js';
import { startSim, type SimHandle } from './start.js';

export interface SimCommandOptions {
  /** Path of a JSON file holding a SimConfig (every field optional; no `clock`). */
  readonly config?: string;
  /** Overrides the config's seed. */
  readonly seed?: number | string;
  /** Base port: venue i listens on port + i (0 = ephemeral ports, the default). */
  readonly port?: number;
  /** Stop after this many seconds (run until a signal otherwise). */
  readonly duration?: number;
  /** Print the endpoints as one JSON object instead of text. */
  readonly json?: boolean;
  /** Where lines go (default: process.stdout). */
  readonly out?: (line: string) => void;
  /** Stop when this signal aborts (tests, embedding). */
  readonly signal?: AbortSignal;
  /** Called once the venues are up. */
  readonly onReady?: (sim: SimHandle) => void;
}

export interface SimEndpoints {
  readonly seed: number | string;
  readonly controlToken: string;
  readonly venues: readonly {
    readonly name: string;
    readonly protocol: string;
    readonly rest: string;
    readonly ws: string;
    readonly wsApi: string | null;
    readonly wsPublic: string | null;
    readonly wsMarket: string | null;
    readonly wsPrivate: string | null;
    readonly instruments: readonly string[];
    readonly keys: readonly { account: string; apiKey: string; secret: string; passphrase: string }[];
  }[];
}

/** The endpoints and keys of a running simulator, as printed by `xmc sim --json`. */
export function simEndpoints(sim: SimHandle): SimEndpoints {
  return {
    seed: sim.seed,
    controlToken: sim.controlToken,
    venues: sim.venues.map((v) => ({
      name: v.name,
      protocol: v.protocol,
      ...v.urls,
      instruments: v.instruments.map((i) => i.symbol),
      keys: v.keys.map((k) => ({ account: k.account, apiKey: k.apiKey, secret: k.secret, passphrase: k.passphrase })),
    })),
  };
}

function textLines(e: SimEndpoints): string[] {
  const lines = [`xmc sim: seed ${String(e.seed)}; control endpoint /_sim/ on every venue (header X-Sim-Token: ${e.controlToken})`];
  for (const v of e.venues) {
    lines.push(`${v.name} (${v.protocol}): ${v.instruments.join(', ')}`);
    lines.push(`  rest      ${v.rest}`);
    lines.push(`  ws        ${v.ws}`);
    for (const [label, url] of [['ws-api', v.wsApi], ['ws-public', v.wsPublic], ['ws-market', v.wsMarket], ['ws-private', v.wsPrivate]] as const) {
      if (url !== null && url !== v.ws) lines.push(`  ${label.padEnd(9)} ${url}`);
    }
    for (const k of v.keys) {
      lines.push(`  account ${k.account}: apiKey ${k.apiKey}  secret ${k.secret}${k.passphrase !== '' ? `  passphrase ${k.passphrase}` : ''}`);
    }
  }
  lines.push('running; Ctrl-C stops');
  return lines;
}

function loadConfig(opts: SimCommandOptions): SimConfig {
  let cfg: Record<string, unknown> = {};
  if (opts.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.config, 'utf8');
    } catch (e) {
      throw new SimConfigError('--config', 'a readable JSON file', `${opts.config} (${(e as Error).message})`);
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new SimConfigError('--config', 'valid JSON', `${opts.config}: ${(e as Error).message}`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SimConfigError('--config', 'a JSON object', v);
    cfg = { ...(v as Record<string, unknown>) };
    if ('clock' in cfg) throw new SimConfigError('sim.clock', 'no clock in a config file (the CLI uses the system clock)', cfg['clock']);
  }
  if (opts.seed !== undefined) cfg['seed'] = opts.seed;
  if (opts.port !== undefined && opts.port !== 0) {
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65000) throw new SimConfigError('--port', 'an integer port in [1, 65000]', opts.port);
    const venues = (Array.isArray(cfg['venues']) ? cfg['venues'] : [{ protocol: 'binance-spot' }, { protocol: 'okx' }, { protocol: 'binance-usdm' }]) as Record<string, unknown>[];
    cfg['venues'] = venues.map((v, i) => ({ ...v, port: opts.port! + i }));
  }
  return cfg as SimConfig;
}

/** Runs `xmc sim`; resolves with the exit code when the simulator has stopped. */
export async function runSimCommand(opts: SimCommandOptions = {}): Promise<number> {
  const out = opts.out ?? ((line: string): void => void process.stdout.write(line + '\n'));
  let sim: SimHandle;
  try {
    sim = await startSim(loadConfig(opts));
  } catch (e) {
    if (e instanceof SimConfigError) {
      out(`xmc sim: bad configuration: ${e.message}`);
      return 2;
    }
    out(`xmc sim: could not start: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const e = simEndpoints(sim);
  if (opts.json) out(JSON.stringify(e));
  else for (const l of textLines(e)) out(l);
  opts.onReady?.(sim);
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const done = (): void => {
      if (timer !== null) clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      opts.signal?.removeEventListener('abort', done);
      resolve();
    };
    if (opts.duration !== undefined) timer = setTimeout(done, Math.max(0, opts.duration * 1000));
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (opts.signal?.aborted) done();
    else opts.signal?.addEventListener('abort', done, { once: true });
  });
  await sim.stop();
  if (!opts.json) out('xmc sim: stopped');
  return 0;
}
