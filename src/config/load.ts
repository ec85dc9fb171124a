// Loading the configuration: a YAML file (or text) -> validated XmcConfig, or a ConfigError that
// lists every problem with its path, expectation, finding, and line/column.
//
// Invariants:
// - Nothing starts on a config that has any issue: the loaders either return a fully validated
//   XmcConfig or throw.
// - The file is read once, bounded in size (1 MiB), as UTF-8.
import { readFileSync, statSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from './issues.js';
import type { XmcConfig } from './types.js';
import { validateConfig } from './validate.js';
import { parseYaml } from './yaml.js';

const MAX_CONFIG_BYTES = 1024 * 1024;

export interface CheckResult {
  readonly config: XmcConfig | null;
  readonly issues: readonly ConfigIssue[];
}

/** Parses and validates YAML text without throwing. */
export function checkConfigText(text: string): CheckResult {
  const parsed = parseYaml(text);
  if (parsed.issues.length > 0) return { config: null, issues: parsed.issues };
  return validateConfig(parsed.value, parsed.positions);
}

/** Parses and validates YAML text; throws ConfigError with every issue. */
export function loadConfigText(text: string, source = 'config'): XmcConfig {
  const r = checkConfigText(text);
  if (r.config === null) throw new ConfigError(r.issues, source);
  return r.config;
}

/** Reads, parses and validates a YAML file; throws ConfigError with every issue. */
export function loadConfigFile(path: string): XmcConfig {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ConfigError([{ code: 'VALUE', path: '', expected: 'a configuration file', found: `${path} is not a regular file` }], path);
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError([{ code: 'VALUE', path: '', expected: `a configuration file of at most ${MAX_CONFIG_BYTES} bytes`, found: `${st.size} bytes` }], path);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([{ code: 'VALUE', path: '', expected: `a readable configuration file at ${path}`, found: code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message }], path);
  }
  return loadConfigText(text, path);
}
