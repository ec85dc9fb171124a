// The xmc configuration: one YAML file, validated before anything starts (see validate.ts), an
// embedded default for the simulator (default.ts), credential loading (credentials.ts) and the
// bridge to the core's models (model.ts).
export * from './types.js';
export { ConfigError, type ConfigIssue, type ConfigIssueCode, formatIssue, isSecretKey, YamlNumber } from './issues.js';
export { parseYaml, type ParsedYaml } from './yaml.js';
export { validateConfig, DEFAULT_LEGGING, DEFAULT_EXECUTION, type ValidationResult } from './validate.js';
export { checkConfigText, loadConfigText, loadConfigFile, type CheckResult } from './load.js';
export { DEFAULT_CONFIG_YAML, DEFAULT_CONFIG_SOURCE, defaultConfig } from './default.js';
export { Credentials, loadCredentials, tryLoadCredentials, type CredentialsFs, type LoadCredentialsOptions, type CredentialsResult } from './credentials.js';
export { unitFactor } from './units.js';
export {
  sameDecimal, resolveInstrument, resolveInstruments, pairSpecOf, buildPairModels, buildFxRates, withVenueEndpoints,
  type ResolvedInstrument, type ResolvedInstruments, type BuiltPairs,
} from './model.js';

import { defaultConfig } from './default.js';
import { loadConfigFile } from './load.js';
import type { XmcConfig } from './types.js';

/** The configuration at `path`, or the embedded default when no path is given. */
export function loadConfig(path?: string): XmcConfig {
  return path === undefined ? defaultConfig() : loadConfigFile(path);
}
export {
  assetIds, venueIndex, instrumentIndex, amountUnits, tradablesOf, execPolicyOf, riskConfigOf, type RiskConfigOptions,
} from './runtime.js';
