// YAML text -> plain values for the validator, with the source position of every node.
//
// - Uses the `yaml` package (YAML 1.2 core schema, strict, unique keys, bounded aliases).
// - Numbers become `YamlNumber` (value + source text) so decimal fields stay exact: `0.1` is kept
//   as the text "0.1", never re-printed from a double.
// - Mapping keys must be scalars; they become strings.
// - Syntax errors are reported as YAML_SYNTAX issues with line and column, WITHOUT the source
//   excerpt the library can print (the offending line could hold a secret).
// - Alias expansion is bounded (maxAliasCount and a node budget), so a hostile file cannot blow
//   up memory.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { type ConfigIssue, YamlNumber } from './issues.js';

export interface ParsedYaml {
  /** The document as plain values (undefined when it could not be parsed). */
  readonly value: unknown;
  /** Field path -> 1-based [line, col] of the node. */
  readonly positions: ReadonlyMap<string, readonly [number, number]>;
  readonly issues: readonly ConfigIssue[];
}

const MAX_NODES = 200_000;

export function parseYaml(text: string): ParsedYaml {
  const lc = new LineCounter();
  const positions = new Map<string, readonly [number, number]>();
  const issues: ConfigIssue[] = [];
  if (typeof text !== 'string') {
    issues.push({ code: 'YAML_SYNTAX', path: '', expected: 'YAML text', found: typeof text });
    return { value: undefined, positions, issues };
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  } catch (e) {
    issues.push({ code: 'YAML_SYNTAX', path: '', expected: 'valid YAML', found: firstLine((e as Error).message) });
    return { value: undefined, positions, issues };
  }
  for (const err of doc.errors) {
    const p = lc.linePos(err.pos[0]);
    issues.push({ code: 'YAML_SYNTAX', path: '', expected: 'valid YAML', found: `${firstLine(err.message)} (${err.code})`, line: p.line, col: p.col });
  }
  if (issues.length > 0) return { value: undefined, positions, issues };
  let budget = MAX_NODES;
  const conv = (node: unknown, path: string): unknown => {
    if (--budget < 0) throw new RangeError('too many nodes');
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return conv(node.resolve(doc), path);
    const n = node as YamlNode;
    if (n.range) {
      const p = lc.linePos(n.range[0]);
      if (!positions.has(path)) positions.set(path, [p.line, p.col]);
    }
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'number') return new YamlNumber(v, n.source ?? String(v));
      if (typeof v === 'bigint') return new YamlNumber(Number(v), String(v));
      return v;
    }
    if (isMap(n)) {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const pair of n.items) {
        const k = pair.key;
        let key: string;
        if (isScalar(k)) key = typeof k.value === 'string' ? k.value : String(k.source ?? k.value);
        else if (k === null || k === undefined) key = '';
        else throw new TypeError(`a mapping key at ${path || '(document)'} is not a scalar`);
        const child = path === '' ? key : `${path}.${key}`;
        out[key] = conv(pair.value, child);
      }
      return out;
    }
    if (isSeq(n)) return n.items.map((it, i) => conv(it, `${path}[${i}]`));
    return null;
  };
  try {
    const value = conv(doc.contents, '');
    return { value, positions, issues };
  } catch (e) {
    issues.push({ code: 'YAML_SYNTAX', path: '', expected: 'a YAML document of scalars, mappings and lists', found: firstLine((e as Error).message) });
    return { value: undefined, positions, issues };
  }
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  const t = i >= 0 ? s.slice(0, i) : s;
  return t.length > 160 ? t.slice(0, 157) + '...' : t;
}
