// `npm run profile -- [--mode prof|cpuprof] [--interval-us N] [--min-ticks N] <bench suite | xmc command> [args...]`
//
// Produces one 0x flame graph PER THREAD (the main thread and every worker thread) under
// profiles/<name>/, and prints the paths with each thread's hottest functions.
//
// Why this exists (verified on Node 24 / 0x 6.0.0): 0x's default mode runs
// `node --prof --logfile=<workingDir>/%p-v8.log`. V8 writes one log per isolate, i.e. per
// thread, named `isolate-0x<isolate address>-<pid>-<pid>-v8.log`, but 0x then
//   1. keeps ONE of them: the first file `readdirSync()` lists that matches the pid (directory
//      order, so an arbitrary thread; in practice usually the main one), renders only that, and
//   2. `tidy()` deletes every other isolate log in the current directory: the workers are gone;
//   3. and even before that, a worker started after another one exited often gets the same
//      isolate address, so it reopens (truncates) the same file name: with workers that come and
//      go (one pair per benchmark case, a supervisor restarting actors) only the last worker per
//      address survives.
// So this tool collects itself and uses 0x only to render, once per thread:
// - mode `prof` (default): `node --prof --logfile=<raw>/%p-%t-v8.log` (%t = the isolate's start
//   time in ms makes every isolate's name unique), then each log goes to its own folder under
//   the name 0x expects and 0x's `visualizeOnly` renders it. Includes native frames (futex
//   syscalls, epoll), and V8's own logging cost shows up as fputc/write ticks.
// - mode `cpuprof`: `node --cpu-prof`, which writes one .cpuprofile per thread (the file name
//   carries the thread id), rendered with 0x's `visualizeCpuProfile`. JS frames only, lower
//   overhead, faster to render. `--interval-us N` sets the sampling interval (node's default is
//   1000 µs: too coarse for a path that runs a few hundred µs a few times per second).
//
// Threads are labelled main / worker-<n> (prof: in isolate start order, plus the worker's entry
// script; cpuprof: the worker's threadId).
// Invariants: every isolate log or .cpuprofile found gets a line in the report; a thread is only
// left without a flame graph when it has fewer than --min-ticks samples, and that is printed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../src/paths.js';
import { SUITE_NAMES } from './suites.js';

/** The subset of 0x's programmatic options used here (0x validates against its schema). */
interface ZeroXArgs {
  workingDir?: string;
  visualizeOnly?: string;
  visualizeCpuProfile?: string;
  name?: string;
  title?: string;
  pathToNodeBinary?: string;
  quiet?: boolean;
  silent?: boolean;
}
type ZeroX = (args: ZeroXArgs) => Promise<string>;

const require = createRequire(import.meta.url);
const zeroEks = require('0x') as ZeroX;

interface ThreadProfile {
  label: string;
  source: string;
  samples: number;
  html: string | null;
  top: { name: string; self: number }[];
}

interface Options {
  mode: 'prof' | 'cpuprof';
  /** cpuprof sampling interval (µs); undefined = node's default. */
  intervalUs: number | undefined;
  minTicks: number;
  target: string;
  rest: string[];
}

function usage(): string {
  return [
    'usage: npm run profile -- [--mode prof|cpuprof] [--interval-us N] [--min-ticks N] <target> [args...]',
    `  <target> is a bench suite (${SUITE_NAMES.join(', ')}) or an xmc command (e.g. run)`,
    '  output: profiles/<target>/<thread>/flamegraph.html, one per thread',
    '  bench sizes come from the BENCH_* environment variables (see BENCHMARKING.md)',
  ].join('\n');
}

/** The options, or null after printing usage (help, or no target). */
function parseArgs(argv: string[]): Options | null {
  let mode: Options['mode'] = 'prof';
  let minTicks = 20;
  let intervalUs: number | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--mode' || a.startsWith('--mode=')) {
      const v = a.includes('=') ? a.slice('--mode='.length) : argv[++i];
      if (v !== 'prof' && v !== 'cpuprof') throw new Error(`--mode must be prof or cpuprof, got ${v}`);
      mode = v;
    } else if (a === '--min-ticks' || a.startsWith('--min-ticks=')) {
      const v = Number(a.includes('=') ? a.slice('--min-ticks='.length) : argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error('--min-ticks must be a non-negative integer');
      minTicks = v;
    } else if (a === '--interval-us' || a.startsWith('--interval-us=')) {
      const v = Number(a.includes('=') ? a.slice('--interval-us='.length) : argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error('--interval-us must be a positive integer');
      intervalUs = v;
    } else if (a === '--help' || a === '-h') {
      console.log(usage());
      return null;
    } else {
      break;
    }
  }
  const target = argv[i];
  if (target === undefined) {
    console.error(usage());
    process.exitCode = 2;
    return null;
  }
  if (intervalUs !== undefined && mode !== 'cpuprof') throw new Error('--interval-us applies to --mode cpuprof');
  return { mode, intervalUs, minTicks, target, rest: argv.slice(i + 1) };
}

/** The script and arguments to profile, and the output folder name. */
function resolveTarget(opts: Options): { script: string; args: string[]; name: string } {
  if ((SUITE_NAMES as readonly string[]).includes(opts.target)) {
    return { script: join(PACKAGE_ROOT, 'dist', 'bench', 'run.js'), args: [opts.target, ...opts.rest], name: opts.target };
  }
  const main = join(PACKAGE_ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist (no xmc CLI built yet)`);
  const name = `xmc-${[opts.target, ...opts.rest].join('-').replace(/[^A-Za-z0-9_.]+/g, '-').replace(/-+/g, '-')}`.slice(0, 80);
  return { script: main, args: [opts.target, ...opts.rest], name };
}

// ---------------------------------------------------------------------------------------------
// Reading the V8 tick log pre-processed by 0x (`<log>.json`, from `node --prof-process
// --preprocess`): { code: [{name, type, kind?}], ticks: [{tm, vm, s: [codeIndex, offset, ...]}] }.

interface PreprocessedLog {
  code: ({ name?: string; type?: string; kind?: string } | null)[];
  ticks: { s: number[] }[];
}

function topSelf(counts: Map<string, number>, n: number): { name: string; self: number }[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, self]) => ({ name, self }));
}

function topFromPreprocessed(file: string): { samples: number; top: { name: string; self: number }[] } {
  const data = JSON.parse(readFileSync(file, 'utf8')) as PreprocessedLog;
  const counts = new Map<string, number>();
  for (const t of data.ticks) {
    // The innermost frame with a known code object is the one burning the CPU.
    let name = '(unknown)';
    for (let i = 0; i < t.s.length; i += 2) {
      const c = data.code[t.s[i]!];
      if (c && c.name) {
        name = c.type === 'JS' ? c.name : `[${c.type ?? '?'}] ${c.name}`;
        break;
      }
    }
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return { samples: data.ticks.length, top: topSelf(counts, 6) };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
}

function topFromCpuProfile(profile: CpuProfile): { samples: number; top: { name: string; self: number }[] } {
  const counts = new Map<string, number>();
  let samples = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    samples += hits;
    const f = node.callFrame;
    const where = f.url ? ` ${relativeUrl(f.url)}:${f.lineNumber + 1}` : '';
    const name = `${f.functionName || '(anonymous)'}${where}`;
    counts.set(name, (counts.get(name) ?? 0) + hits);
  }
  return { samples, top: topSelf(counts, 6) };
}

function relativeUrl(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return relative(PACKAGE_ROOT, fileURLToPath(url));
  } catch {
    return url;
  }
}

/** Main thread or worker, and the worker's entry script, from the script list in a V8 log. */
function classifyIsolateLog(file: string): { isMain: boolean; entry: string | null } {
  const text = readFileSync(file, 'utf8');
  const isMain = text.includes('node:internal/main/run_main_module');
  const isWorker = text.includes('node:internal/main/worker_thread');
  // script-source,<id>,<url>,<source>: the first project script a worker compiles is its entry.
  let entry: string | null = null;
  const rx = /^script-source,\d+,(file:\/\/[^,]+),/gm;
  for (let m = rx.exec(text); m !== null; m = rx.exec(text)) {
    const rel = relativeUrl(m[1]!);
    if (!rel.startsWith('..') && !rel.startsWith('node_modules')) {
      entry = rel;
      break;
    }
  }
  return { isMain: isMain && !isWorker, entry };
}

function slug(s: string): string {
  return s.replace(/^dist\//, '').replace(/\.js$/, '').replace(/[^A-Za-z0-9_.-]+/g, '_');
}

async function profileWithV8Logs(opts: Options, script: string, args: string[], outDir: string): Promise<ThreadProfile[]> {
  const rawDir = join(outDir, 'raw');
  mkdirSync(rawDir, { recursive: true });
  // What 0x itself would run, except the log name: %t (ms timestamp at isolate start) keeps the
  // log of every isolate, where 0x's `%p-v8.log` lets a new worker whose isolate reuses a dead
  // worker's address truncate that worker's log.
  const r = spawnSync(process.execPath, ['--prof', `--logfile=${rawDir}/%p-%t-v8.log`, script, ...args], { stdio: 'inherit', env: childEnv(outDir) });
  if (r.status !== 0) console.error(`profiled process exited with code ${r.status} signal ${r.signal}`);
  // isolate-0x<address>-<pid>-<pid>-<ms>-v8.log, one per isolate (thread), in start order.
  const logs = readdirSync(rawDir)
    .map((f) => ({ f, m: /^isolate-(0x[0-9a-fA-F]+)-(\d+)-\d+-(\d+)-v8\.log$/.exec(f) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ file: join(rawDir, x.f), address: x.m![1]!, pid: x.m![2]!, startMs: Number(x.m![3]) }))
    .sort((a, b) => a.startMs - b.startMs || a.file.localeCompare(b.file));
  console.log(`\n--prof wrote ${logs.length} isolate logs (one per thread)`);
  const results: ThreadProfile[] = [];
  let w = 0;
  for (const log of logs) {
    const c = classifyIsolateLog(log.file);
    const label = c.isMain ? 'main' : `worker-${++w}${c.entry ? `-${slug(c.entry)}` : ''}`;
    const dir = join(outDir, label);
    mkdirSync(dir, { recursive: true });
    // The name 0x's --visualize-only looks for: isolate-<address>-<pid>-<pid>-v8.log.
    const dest = join(dir, `isolate-${log.address}-${log.pid}-${log.pid}-v8.log`);
    renameSync(log.file, dest);
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ title: `${opts.target}: ${label}`, name: 'flamegraph' }));
    let html: string | null = null;
    const ticks = countTicks(dest);
    if (ticks >= opts.minTicks) {
      // 0x runs `node --prof-process --preprocess` on the log (writing <log>.json beside it)
      // and renders that isolate's ticks.
      html = await zeroEks({
        visualizeOnly: dir,
        workingDir: process.cwd(),
        name: 'flamegraph',
        title: `${opts.target}: ${label}`,
        pathToNodeBinary: process.execPath,
        quiet: true,
      });
    }
    const json = `${dest}.json`;
    const summary = existsSync(json) ? topFromPreprocessed(json) : { samples: ticks, top: [] };
    results.push({ label, source: dest, samples: summary.samples, html: html ? fileURLToPath(html) : null, top: summary.top });
  }
  rmSync(rawDir, { recursive: true, force: true });
  return results;
}

/** The profiled process's environment: a bench run under the profiler writes its results JSON
 * into the profile folder, never over bench/results (its figures are perturbed by profiling). */
function childEnv(outDir: string): NodeJS.ProcessEnv {
  return { ...process.env, BENCH_RESULTS_DIR: join(outDir, 'results') };
}

function countTicks(logFile: string): number {
  const text = readFileSync(logFile, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\ntick,'); i !== -1; i = text.indexOf('\ntick,', i + 1)) n++;
  return n;
}

async function profileWithCpuProf(opts: Options, script: string, args: string[], outDir: string): Promise<ThreadProfile[]> {
  const rawDir = join(outDir, 'raw');
  mkdirSync(rawDir, { recursive: true });
  const interval = opts.intervalUs === undefined ? [] : [`--cpu-prof-interval=${opts.intervalUs}`];
  const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${rawDir}`, ...interval, script, ...args], { stdio: 'inherit', env: childEnv(outDir) });
  if (r.status !== 0) console.error(`profiled process exited with code ${r.status} signal ${r.signal}`);
  // CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread id 0 is the main thread.
  const files = readdirSync(rawDir)
    .map((f) => ({ f, m: /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.(\d+)\.cpuprofile$/.exec(f) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ file: join(rawDir, x.f), tid: Number(x.m![2]) }))
    .sort((a, b) => a.tid - b.tid);
  console.log(`\n--cpu-prof wrote ${files.length} profiles (one per thread)`);
  const results: ThreadProfile[] = [];
  for (const { file, tid } of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const label = tid === 0 ? 'main' : `worker-${tid}`;
    const dir = join(outDir, label);
    mkdirSync(dir, { recursive: true });
    const dest = join(dir, `thread-${tid}.cpuprofile`);
    copyFileSync(file, dest);
    const summary = topFromCpuProfile(profile);
    let html: string | null = null;
    if (summary.samples >= opts.minTicks) {
      html = await zeroEks({
        visualizeCpuProfile: dest,
        workingDir: process.cwd(),
        name: 'flamegraph',
        title: `${opts.target}: ${label}`,
        pathToNodeBinary: process.execPath,
        quiet: true,
      });
    }
    results.push({ label, source: dest, samples: summary.samples, html: html ? fileURLToPath(html) : null, top: summary.top });
  }
  rmSync(rawDir, { recursive: true, force: true });
  return results;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts === null) return;
  const { script, args, name } = resolveTarget(opts);
  const outDir = join(PACKAGE_ROOT, 'profiles', name);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // 0x's tidy() deletes isolate logs in the cwd: keep the cwd inside our own output folder.
  process.chdir(outDir);
  console.log(`profiling (${opts.mode}): node ${relative(PACKAGE_ROOT, script)} ${args.join(' ')}`);
  const threads = opts.mode === 'prof'
    ? await profileWithV8Logs(opts, script, args, outDir)
    : await profileWithCpuProf(opts, script, args, outDir);

  console.log(`\nflame graphs (${threads.length} threads) under ${relative(process.env.INIT_CWD ?? PACKAGE_ROOT, outDir) || outDir}:`);
  for (const t of threads) {
    const where = t.html ? t.html : `no graph (${t.samples} samples < --min-ticks ${opts.minTicks}); raw: ${t.source}`;
    console.log(`\n  ${t.label}  samples=${t.samples}\n    ${where}`);
    for (const f of t.top) console.log(`      ${String(f.self).padStart(6)}  ${f.name}`);
  }
  writeFileSync(join(outDir, 'threads.json'), `${JSON.stringify({ target: opts.target, mode: opts.mode, threads }, null, 2)}\n`);
  console.log(`\nsummary: ${join(outDir, 'threads.json')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
