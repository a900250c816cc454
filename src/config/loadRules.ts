/**
 * Reads rules.yaml into a validated RulesFile, or into every problem found, each located
 * as file:line:column. Parsing keeps YAML positions so schema errors point at the value.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { coercePlainScalar, interpolate, type Env } from './interpolate';
import type { ConfigProblem } from './problems';
import { checkReferences, type PathIssue } from './references';
import { rulesFileSchema, type RulesFile } from './schema';

export interface LoadedRules {
  file: string;
  config: RulesFile;
  /** sha256 of the file's text and what it resolved to: a reload with the same text and the same ${VAR} values is no change. */
  hash: string;
  /** Where `workspace` is written, for messages about it. */
  workspaceAt?: { line: number; column: number };
}

/** `missing`: the file is not there (deleted, or being replaced by an editor). */
export type LoadResult = { ok: true; rules: LoadedRules } | { ok: false; problems: ConfigProblem[]; missing?: boolean };

type DataPath = (string | number)[];

export function loadRulesFile(file: string, env: Env = process.env): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const reason = missing ? 'file not found' : (error as Error).message;
    return { ok: false, problems: [{ file, line: 1, column: 1, message: `cannot read rules: ${reason}` }], ...(missing && { missing }) };
  }
  return parseRules(text, file, env);
}

export function parseRules(text: string, file: string, env: Env = process.env): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): ConfigProblem => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, message };
  };

  if (doc.errors.length > 0) {
    // After the first syntax error the parser's view is off, so later ones are mostly echoes.
    const [first, ...rest] = doc.errors;
    const echoes = rest.length ? ` (and ${rest.length} more syntax error${rest.length > 1 ? 's' : ''} after it, probably caused by it)` : '';
    return { ok: false, problems: [at(first.pos[0], `YAML syntax: ${first.message.split('\n')[0]}${echoes}`)] };
  }
  if (!isMap(doc.contents)) {
    return { ok: false, problems: [at(doc.contents?.range?.[0] ?? 0, 'rules file must be a mapping with workspace, sources, rules, notify, …')] };
  }

  const problems: ConfigProblem[] = [];
  const unresolved: DataPath[] = [];
  resolveScalars(doc.contents, [], text, env, (offset, message, dataPath) => {
    problems.push(at(offset, message));
    unresolved.push(dataPath);
  });

  const raw: unknown = doc.toJS();
  const issues: PathIssue[] = [];
  const parsed = rulesFileSchema.safeParse(raw);
  if (!parsed.success) issues.push(...parsed.error.issues.flatMap((issue) => explainIssue(issue, [], raw)));
  issues.push(...checkReferences(raw));

  const seen = new Set<string>();
  for (const issue of issues) {
    // A value that failed to interpolate is already reported; its schema error is noise.
    if (unresolved.some((p) => startsWith(issue.path, p))) continue;
    const offset = locate(doc, issue.path, issue.atKey);
    const key = `${offset}:${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(at(offset, `${describePath(issue.path)}${issue.message}`));
  }

  if (problems.length > 0 || !parsed.success) {
    return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  }
  const { line, col } = lineCounter.linePos(locate(doc, ['workspace']));
  return { ok: true, rules: { file, config: parsed.data, hash: createHash('sha256').update(text).update(JSON.stringify(parsed.data)).digest('hex'), workspaceAt: { line, column: col } } };
}

/** Interpolates ${VAR} in every scalar value in place, keeping 64-bit ids as strings. */
function resolveScalars(
  node: unknown,
  dataPath: DataPath,
  text: string,
  env: Env,
  report: (offset: number, message: string, dataPath: DataPath) => void,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      resolveScalars(pair.value, [...dataPath, key], text, env, report);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => resolveScalars(item, [...dataPath, index], text, env, report));
  } else if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    const source = text.slice(start, end);
    if (node.type === 'PLAIN' && /^\d{16,}$/.test(source)) {
      node.value = source;
      return;
    }
    if (typeof node.value !== 'string' || !node.value.includes('$')) return;
    const result = interpolate(node.value, env);
    const offsetOf = (needle: string): number => {
      const index = source.indexOf(needle);
      return index >= 0 ? start + index : start;
    };
    for (const { name } of result.missing) {
      report(offsetOf(`\${${name}`), `environment variable ${name} is not set (set it in .env, or write \${${name}:-default})`, dataPath);
    }
    for (const { text: bad } of result.malformed) report(offsetOf(bad), `malformed variable reference "${bad}": use \${NAME} or \${NAME:-default}`, dataPath);
    node.value = result.whole && node.type === 'PLAIN' ? coercePlainScalar(result.value) : result.value;
  }
}

function explainIssue(issue: z.core.$ZodIssue, prefix: DataPath, raw: unknown): PathIssue[] {
  const issuePath = [...prefix, ...(issue.path as DataPath)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...issuePath, key], message: `unknown field "${key}"`, atKey: true }));
    case 'invalid_type':
      if (!hasPath(raw, issuePath)) {
        // Reported at the object that lacks the field: the field has no position.
        return [{ path: issuePath.slice(0, -1), message: `missing required field "${String(issuePath[issuePath.length - 1])}"` }];
      }
      return [{ path: issuePath, message: issue.message.replace(/^Invalid input: /, '') }];
    case 'invalid_union': {
      if (issue.errors.length === 0) return [{ path: issuePath, message: issue.message }];
      // Prefer the branch that got the type right and failed on the value: it says the most.
      const specific = issue.errors.flat().filter((e) => e.code !== 'invalid_type' && !(e.code === 'invalid_value' && e.values.includes('')));
      if (specific.length > 0) return explainIssue(specific[0], issuePath, raw);
      const expected = [...new Set(issue.errors.flat().map((e) => (e.code === 'invalid_type' ? e.expected : 'value')))];
      return [{ path: issuePath, message: `expected ${expected.join(' or ')}` }];
    }
    default:
      return [{ path: issuePath, message: issue.message.replace(/^Invalid input: /, '') }];
  }
}

/** The source offset for a data path: the value if present, else the key, else the nearest ancestor. */
function locate(doc: Document, dataPath: DataPath, atKey = false): number {
  let node: YamlNode | null | undefined = doc.contents as YamlNode;
  let offset = node?.range?.[0] ?? 0;
  for (const [index, segment] of dataPath.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return offset;
      const keyNode = pair.key as YamlNode;
      node = pair.value as YamlNode | null;
      const last = index === dataPath.length - 1;
      offset = (last && atKey ? keyNode.range?.[0] : node?.range?.[0]) ?? keyNode.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment] as YamlNode;
      offset = node?.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function hasPath(raw: unknown, dataPath: DataPath): boolean {
  let node = raw;
  for (const segment of dataPath) {
    if (typeof node !== 'object' || node === null || !(segment in node)) return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return true;
}

function describePath(dataPath: DataPath): string {
  if (dataPath.length === 0) return '';
  const text = dataPath.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
  return `${text}: `;
}

function startsWith(full: DataPath, prefix: DataPath): boolean {
  return prefix.length <= full.length && prefix.every((segment, i) => String(segment) === String(full[i]));
}

/** Absolute workspace: relative to the rules file, so it does not depend on the working directory. */
export function resolveWorkspace(rules: LoadedRules): string {
  return path.resolve(path.dirname(rules.file), rules.config.workspace);
}
