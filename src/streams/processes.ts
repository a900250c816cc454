/**
 * Which monitored script a process runs, read from its argv (surface.md §6, pitfall 5).
 * A class in rules.yaml (`trader: paper_trader_alpaca_polling.py`) matches the SCRIPT the
 * interpreter runs — the first argument after `python` and its own options — compared by file
 * name (or by path suffix when the pattern has a `/`). A substring of the whole command line
 * would also catch `less logs/paper_trader.log`, `vim paper_trader_alpaca_polling.py` or
 * `pkill -f paper_trader`; those are not traders.
 */

/** What a command line runs: a script (or module) and the arguments after it. */
export interface ScriptInvocation {
  /** `path`: `python x.py`; `module`: `python -m a.b`; `program`: the executable itself. */
  kind: 'path' | 'module' | 'program';
  /** As written: a path relative to the process's cwd, a dotted module, or argv[0]. */
  script: string;
  /** The interpreter's argv element (null for `program`). */
  interpreter: string | null;
  /** Everything after the script. */
  args: string[];
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

const PYTHON = /^(?:python|pypy)(?:\d+(?:\.\d+)*)?$/;
const SHELL = /^(?:ba|da|k|z)?sh$/;

/**
 * Wrappers that exec the command they wrap (so they never stay around as a second process
 * with the same argv): skipped with their options. Wrappers that fork and wait (sudo,
 * timeout, strace) are not skipped: their child is the process that runs the script.
 */
const EXEC_WRAPPERS: Record<string, { withValue: Set<string>; positionals: number; assignments?: boolean }> = {
  nohup: { withValue: new Set(), positionals: 0 },
  env: { withValue: new Set(['-u', '-C', '--unset', '--chdir']), positionals: 0, assignments: true },
  nice: { withValue: new Set(['-n', '--adjustment']), positionals: 0 },
  ionice: { withValue: new Set(['-c', '-n', '--class', '--classdata']), positionals: 0 },
  setsid: { withValue: new Set(), positionals: 0 },
  stdbuf: { withValue: new Set(['-i', '-o', '-e']), positionals: 0 },
  taskset: { withValue: new Set(), positionals: 1 },
  chrt: { withValue: new Set(), positionals: 1 },
};

/** Python's own options that take a value (CPython getopt string "bBc:dEhiIm:OPqsStuvVW:xX:"). */
const PYTHON_VALUE_OPTIONS = new Set(['c', 'm', 'W', 'X']);

/** Skips exec-style wrappers; returns the index of the real program in argv. */
function programIndex(argv: readonly string[]): number {
  let i = 0;
  for (let guard = 0; guard < 8 && i < argv.length; guard++) {
    const wrapper = EXEC_WRAPPERS[basename(argv[i])];
    if (!wrapper) return i;
    i++;
    let positionals = wrapper.positionals;
    while (i < argv.length) {
      const token = argv[i];
      if (token === '--') {
        i++;
        break;
      }
      if (token.startsWith('-') && token.length > 1) {
        i += wrapper.withValue.has(token) ? 2 : 1;
        continue;
      }
      if (wrapper.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(token)) {
        i++;
        continue;
      }
      if (positionals > 0) {
        positionals--;
        i++;
        continue;
      }
      break;
    }
  }
  return i;
}

/** The script a Python command line runs, past the interpreter's own options. */
function pythonScript(argv: readonly string[], at: number): ScriptInvocation | null {
  const interpreter = argv[at];
  for (let i = at + 1; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') return i + 1 < argv.length ? { kind: 'path', script: argv[i + 1], interpreter, args: argv.slice(i + 2) } : null;
    if (token === '-') return null; // the script comes from stdin
    if (token.startsWith('--')) {
      if (token === '--check-hash-based-pycs') i++;
      else if (!token.startsWith('--check-hash-based-pycs=')) return null; // --help, --version…
      continue;
    }
    if (!token.startsWith('-')) return { kind: 'path', script: token, interpreter, args: argv.slice(i + 1) };
    // A cluster of one-letter options (`-uB`); one that takes a value takes the rest of the
    // cluster, or the next argument (`-Xdev`, `-X dev`, `-um module`).
    for (let j = 1; j < token.length; j++) {
      const option = token[j];
      if (!PYTHON_VALUE_OPTIONS.has(option)) continue;
      const inline = token.slice(j + 1);
      const value = inline || argv[i + 1];
      if (!inline) i++;
      if (option === 'c') return null; // `python -c code`: no script
      if (option === 'm') return value === undefined ? null : { kind: 'module', script: value, interpreter, args: argv.slice(i + 1) };
      break;
    }
  }
  return null;
}

/** The script a shell command line runs (`bash start_safe_workers.sh`); `sh -c …` runs none. */
function shellScript(argv: readonly string[], at: number): ScriptInvocation | null {
  for (let i = at + 1; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') return i + 1 < argv.length ? { kind: 'path', script: argv[i + 1], interpreter: argv[at], args: argv.slice(i + 2) } : null;
    if (token.startsWith('--')) continue; // --norc, --login…
    if (/^[-+]/.test(token)) {
      if (token.slice(1).includes('c')) return null;
      if (token === '-o' || token === '+o' || token === '-O' || token === '+O') i++;
      continue;
    }
    return { kind: 'path', script: token, interpreter: argv[at], args: argv.slice(i + 1) };
  }
  return null;
}

/** What a command line runs; null when it runs no script (an editor, `python -c`, a shell -c). */
export function scriptOf(argv: readonly string[]): ScriptInvocation | null {
  const at = programIndex(argv);
  if (at >= argv.length) return null;
  const program = basename(argv[at]);
  if (PYTHON.test(program)) return pythonScript(argv, at);
  if (SHELL.test(program)) return shellScript(argv, at);
  return { kind: 'program', script: argv[at], interpreter: null, args: argv.slice(at + 1) };
}

/** True when `script` is the file `pattern` names: same file name, or same path suffix. */
export function scriptMatches(invocation: ScriptInvocation, pattern: string): boolean {
  const wanted = pattern.replace(/^\.\//, '');
  const script = invocation.kind === 'module' ? `${invocation.script.replace(/\./g, '/')}.py` : invocation.script;
  // A program matches only by its own name (`ollama`), never by a path suffix of argv[0].
  if (invocation.kind === 'program') return basename(script) === wanted;
  if (wanted.includes('/')) return script === wanted || script.endsWith(`/${wanted}`);
  return basename(script) === wanted;
}

/** The first class (in rules.yaml order) whose script this command line runs. */
export function classify(argv: readonly string[], classes: readonly (readonly [name: string, pattern: string])[]): { class: string; invocation: ScriptInvocation } | null {
  if (argv.length === 0) return null;
  const invocation = scriptOf(argv);
  if (!invocation) return null;
  const found = classes.find(([, pattern]) => scriptMatches(invocation, pattern));
  return found ? { class: found[0], invocation } : null;
}

/** `--model-dir x`, `--model-dir=x` → `{ model_dir: 'x' }`; several values → a list; none → true. */
export type ScriptArgs = Record<string, string | string[] | true>;

const NEGATIVE_NUMBER = /^-\d|^-\.\d/;

/**
 * Reads `--name value` and `--name=value` arguments the way argparse accepts them, without
 * knowing the script's parser: a flag takes the values up to the next option (so `--tickers
 * BTC/USD ETH/USD` is a list and `--gpu -1` a value). A later repeat wins, like argparse.
 * Bare positionals before any option are kept under `_`.
 */
export function parseScriptArgs(args: readonly string[]): ScriptArgs {
  const parsed: ScriptArgs = {};
  const positionals: string[] = [];
  let current: string | null = null;
  let values: string[] = [];
  const flush = () => {
    if (current !== null) parsed[current] = values.length === 0 ? true : values.length === 1 ? values[0] : values;
    current = null;
    values = [];
  };
  for (const token of args) {
    if (token.startsWith('--') && token.length > 2) {
      flush();
      const eq = token.indexOf('=');
      const name = (eq < 0 ? token.slice(2) : token.slice(2, eq)).replace(/-/g, '_');
      if (eq < 0) current = name;
      else parsed[name] = token.slice(eq + 1);
    } else if (token.startsWith('-') && token.length > 1 && !NEGATIVE_NUMBER.test(token)) {
      flush();
      current = token.slice(1);
    } else if (current !== null) values.push(token);
    else positionals.push(token);
  }
  flush();
  if (positionals.length) parsed._ = positionals;
  return parsed;
}

const single = (value: string | string[] | true | undefined): string | null => (typeof value === 'string' ? value : Array.isArray(value) ? (value[value.length - 1] ?? null) : null);

/** The arguments events and commands show by name (surface.md §1.1.1, §2). */
export interface KnownArgs {
  model_dir: string | null;
  log_file: string | null;
  timeframe: string | null;
  study_name: string | null;
}

export function knownArgs(args: ScriptArgs): KnownArgs {
  return { model_dir: single(args.model_dir), log_file: single(args.log_file), timeframe: single(args.timeframe), study_name: single(args.study_name) };
}

/** The trader's argparse defaults (surface.md §1.1.1): where its CSV goes, its bar size. */
export const TRADER_DEFAULT_LOG_FILE = 'paper_trades/alpaca_session.csv';
export const TRADER_DEFAULT_TIMEFRAME = '5m';

/** The trial number the trader itself reads from its model dir (`trial[_\s]*(\d+)`, L150–156). */
export function trialOfModelDir(modelDir: string | null): number | null {
  const match = modelDir === null ? null : /trial[_\s]*(\d+)/.exec(modelDir);
  return match ? Number(match[1]) : null;
}
