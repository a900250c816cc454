/**
 * Python tracebacks and start-up failures as the trader writes them to stderr (surface.md
 * §1.1.3 (f)). Paths are the real host's; frames follow the real call chain of the trader.
 */

export const REPO_ROOT = '/opt/user-data/experiment/cappuccino';
export const TRADER_SCRIPT_NAME = 'paper_trader_alpaca_polling.py';
const TRADER = `${REPO_ROOT}/scripts/deployment/${TRADER_SCRIPT_NAME}`;
const ENVIRONMENT = `${REPO_ROOT}/environment_Alpaca.py`;
const SITE = '/home/mrc/.pyenv/versions/cappuccino-rocm/lib/python3.11/site-packages';
const STDLIB = '/home/mrc/.pyenv/versions/3.11.9/lib/python3.11';

/** A raised exception: `str(e)` (what `f"{e}"` prints) and the lines `traceback.print_exc()` writes. */
export interface PythonError {
  message: string;
  traceback: string[];
}

/** One frame; `caret` underlines the failing expression the way Python 3.11 does. */
function frame(file: string, line: number, scope: string, code: string, caret?: string): string[] {
  const lines = [`  File "${file}", line ${line}, in ${scope}`, `    ${code}`];
  if (caret !== undefined) lines.push(`    ${caret}`);
  return lines;
}

const carets = (offset: number, width: number): string => ' '.repeat(offset) + '^'.repeat(width);
const HEADER = 'Traceback (most recent call last):';
const CAUSE = ['', 'The above exception was the direct cause of the following exception:', ''];
const DURING = ['', 'During handling of the above exception, another exception occurred:', ''];

/** Exceptions that escape `_fetch_latest_bars`/`_process_new_bar` into run()'s `except`. */
export type ProcessingErrorKind = 'read-timeout' | 'key-error' | 'index-error' | 'nan-actions';
export const PROCESSING_ERROR_KINDS: readonly ProcessingErrorKind[] = ['read-timeout', 'key-error', 'index-error', 'nan-actions'];

export function processingError(kind: ProcessingErrorKind, tickers: number): PythonError {
  switch (kind) {
    case 'read-timeout': {
      const message = "HTTPSConnectionPool(host='data.alpaca.markets', port=443): Read timed out.";
      return {
        message,
        traceback: [
          HEADER,
          ...frame(`${SITE}/urllib3/connectionpool.py`, 536, '_make_request', 'response = conn.getresponse()', carets(11, 18)),
          ...frame(`${SITE}/urllib3/connection.py`, 507, 'getresponse', 'httplib_response = super().getresponse()', carets(19, 21)),
          ...frame(`${STDLIB}/http/client.py`, 1395, 'getresponse', 'response.begin()'),
          ...frame(`${STDLIB}/ssl.py`, 1314, 'recv_into', 'return self.read(nbytes, buffer)', carets(7, 25)),
          'TimeoutError: The read operation timed out',
          ...CAUSE,
          HEADER,
          ...frame(`${SITE}/requests/adapters.py`, 667, 'send', 'resp = conn.urlopen(', carets(7, 13)),
          ...frame(`${SITE}/urllib3/util/retry.py`, 474, 'increment', 'raise reraise(type(error), error, _stacktrace)', carets(6, 40)),
          `urllib3.exceptions.ReadTimeoutError: ${message}`,
          ...DURING,
          HEADER,
          ...frame(TRADER, 1695, 'run', 'df = self._fetch_latest_bars()', carets(5, 25)),
          ...frame(TRADER, 873, '_fetch_latest_bars', 'bars = self.api.get_crypto_bars(', carets(23, 25)),
          ...frame(`${SITE}/alpaca_trade_api/rest.py`, 740, 'get_crypto_bars', 'bars = list(self.get_crypto_bars_iter(symbol,'),
          ...frame(`${SITE}/requests/adapters.py`, 713, 'send', 'raise ReadTimeout(e, request=request)'),
          `requests.exceptions.ReadTimeout: ${message}`,
        ],
      };
    }
    case 'key-error':
      return {
        message: "'timestamp'",
        traceback: [
          HEADER,
          ...frame(`${SITE}/pandas/core/indexes/base.py`, 3805, 'get_loc', 'return self._engine.get_loc(casted_key)', carets(7, 32)),
          '  File "index.pyx", line 167, in pandas._libs.index.IndexEngine.get_loc',
          '  File "index.pyx", line 196, in pandas._libs.index.IndexEngine.get_loc',
          '  File "pandas/_libs/hashtable_class_helper.pxi", line 7081, in pandas._libs.hashtable.PyObjectHashTable.get_item',
          '  File "pandas/_libs/hashtable_class_helper.pxi", line 7089, in pandas._libs.hashtable.PyObjectHashTable.get_item',
          "KeyError: 'timestamp'",
          ...CAUSE,
          HEADER,
          ...frame(TRADER, 1697, 'run', 'self._process_new_bar(df)'),
          ...frame(TRADER, 925, '_process_new_bar', "df = df[df['timestamp'] > self.last_timestamp].copy() if self.last_timestamp else df.copy()", `${' '.repeat(8)}~~^^^^^^^^^^^^^`),
          ...frame(`${SITE}/pandas/core/frame.py`, 4102, '__getitem__', 'indexer = self.columns.get_loc(key)', carets(10, 25)),
          ...frame(`${SITE}/pandas/core/indexes/base.py`, 3812, 'get_loc', 'raise KeyError(key) from err'),
          "KeyError: 'timestamp'",
        ],
      };
    case 'index-error': {
      const size = 121 + tickers;
      const message = `index ${size} is out of bounds for axis 0 with size ${size}`;
      return {
        message,
        traceback: [
          HEADER,
          ...frame(TRADER, 1697, 'run', 'self._process_new_bar(df)'),
          ...frame(TRADER, 1012, '_process_new_bar', 'next_state, reward, done, _ = self.env.step(action)', carets(30, 21)),
          ...frame(ENVIRONMENT, 498, 'step', 'state = self.get_state()', carets(8, 16)),
          ...frame(ENVIRONMENT, 584, 'get_state', 'tech_i = self.tech_array[self.time - i]', `         ${'~'.repeat(15)}${'^'.repeat(15)}`),
          `IndexError: ${message}`,
        ],
      };
    }
    case 'nan-actions': {
      const message = `Actions contain NaN or Inf: [${Array.from({ length: tickers }, () => 'nan').join(' ')}]`;
      return {
        message,
        traceback: [
          HEADER,
          ...frame(TRADER, 1697, 'run', 'self._process_new_bar(df)'),
          ...frame(TRADER, 1012, '_process_new_bar', 'next_state, reward, done, _ = self.env.step(action)', carets(30, 21)),
          ...frame(ENVIRONMENT, 262, 'step', 'raise ValueError(f"Actions contain NaN or Inf: {actions}")'),
          `ValueError: ${message}`,
        ],
      };
    }
  }
}

/** Ways the trader dies during start-up (the last lines of its log). */
export type FatalStartup =
  | 'missing-credentials'
  | 'missing-best-trial'
  | 'no-history'
  | 'no-archive-module'
  | 'alpaca-not-installed'
  | 'cant-open-file'
  | 'argparse';

const MODULE_FRAMES = [
  ...frame(TRADER, 1884, '<module>', 'main()'),
  ...frame(TRADER, 1866, 'main', 'trader = AlpacaPaperTraderPolling(', carets(8, 26)),
];

/** The uncaught traceback for a start-up exception raised inside the constructor. */
export function fatalTraceback(kind: 'missing-credentials' | 'missing-best-trial' | 'no-history' | 'no-archive-module', detail: string): PythonError {
  switch (kind) {
    case 'missing-credentials': {
      const message = 'ALPACA_API_KEY and ALPACA_API_SECRET environment variables required';
      return { message, traceback: [HEADER, ...MODULE_FRAMES, ...frame(TRADER, 201, '__init__', `raise ValueError("${message}")`), `ValueError: ${message}`] };
    }
    case 'missing-best-trial': {
      const message = `Missing best_trial in ${detail}`;
      return {
        message,
        traceback: [
          HEADER,
          ...MODULE_FRAMES,
          ...frame(TRADER, 229, '__init__', 'self._load_trial_and_agent()'),
          ...frame(TRADER, 297, '_load_trial_and_agent', 'raise FileNotFoundError(f"Missing best_trial in {self.model_dir}")'),
          `FileNotFoundError: ${message}`,
        ],
      };
    }
    case 'no-history': {
      const message = `No historical data returned for ${detail}`;
      return {
        message,
        traceback: [
          HEADER,
          ...MODULE_FRAMES,
          ...frame(TRADER, 242, '__init__', 'self._bootstrap_history()'),
          ...frame(TRADER, 423, '_bootstrap_history', 'raise RuntimeError(f"No historical data returned for {symbol}")'),
          `RuntimeError: ${message}`,
        ],
      };
    }
    case 'no-archive-module': {
      const message = "No module named 'archive'";
      return {
        message,
        traceback: [
          HEADER,
          ...MODULE_FRAMES,
          ...frame(TRADER, 243, '__init__', 'self._prepare_environment()'),
          ...frame(TRADER, 633, '_prepare_environment', 'from archive.deprecated_scripts.ultra_simple_ensemble import UltraSimpleEnsemble'),
          `ModuleNotFoundError: ${message}`,
        ],
      };
    }
  }
}

/** An exception outside run()'s `try` (the account check after a hung connection): the process dies. */
export function crashTraceback(): PythonError {
  const message = "HTTPSConnectionPool(host='paper-api.alpaca.markets', port=443): Max retries exceeded with url: /v2/account (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3c2e1d5a10>: Failed to establish a new connection: [Errno 101] Network is unreachable'))";
  return {
    message,
    traceback: [
      HEADER,
      ...frame(TRADER, 1884, '<module>', 'main()'),
      ...frame(TRADER, 1881, 'main', 'trader.run()'),
      ...frame(TRADER, 1752, 'run', 'account = self.api.get_account()', carets(18, 22)),
      ...frame(`${SITE}/alpaca_trade_api/rest.py`, 295, 'get_account', "resp = self.get('/account')", carets(15, 20)),
      ...frame(`${SITE}/requests/adapters.py`, 700, 'send', 'raise ConnectionError(e, request=request)'),
      `requests.exceptions.ConnectionError: ${message}`,
    ],
  };
}

export const ALPACA_NOT_INSTALLED_LINE = 'ERROR: alpaca-trade-api not installed. Run: pip install alpaca-trade-api';

/** What the broken launchers get: the script path they use does not exist at HEAD. */
export function cantOpenFileLine(interpreter: string): string {
  return `${interpreter}: can't open file '${REPO_ROOT}/${TRADER_SCRIPT_NAME}': [Errno 2] No such file or directory`;
}

const USAGE_PARTS = [
  '[-h]',
  '--model-dir',
  'MODEL_DIR',
  '[--tickers TICKERS [TICKERS ...]]',
  '[--timeframe TIMEFRAME]',
  '[--history-hours HISTORY_HOURS]',
  '[--poll-interval POLL_INTERVAL]',
  '[--gpu GPU]',
  '[--log-file LOG_FILE]',
  '[--live]',
  '[--enable-sentiment]',
  '[--max-position-pct MAX_POSITION_PCT]',
  '[--stop-loss-pct STOP_LOSS_PCT]',
  '[--trailing-stop-pct TRAILING_STOP_PCT]',
  '[--action-dampening ACTION_DAMPENING]',
  '[--no-risk-management]',
  '[--portfolio-trailing-stop-pct PORTFOLIO_TRAILING_STOP_PCT]',
  '[--profit-take-threshold-pct PROFIT_TAKE_THRESHOLD_PCT]',
  '[--profit-take-amount-pct PROFIT_TAKE_AMOUNT_PCT]',
  '[--move-to-cash-threshold-pct MOVE_TO_CASH_THRESHOLD_PCT]',
  '[--cooldown-after-cash-hours COOLDOWN_AFTER_CASH_HOURS]',
  '[--no-profit-protection]',
];

/** argparse's usage + error (exit 2) when `--model-dir` is missing, wrapped as argparse wraps it
 * for a non-terminal stderr (80 columns → 78 usable). */
export function argparseErrorLines(): string[] {
  const prefix = 'usage: ';
  const width = 78;
  const indent = ' '.repeat(prefix.length + TRADER_SCRIPT_NAME.length + 1);
  const lines: string[] = [];
  let line: string[] = [];
  let lineLength = prefix.length - 1;
  for (const part of [TRADER_SCRIPT_NAME, ...USAGE_PARTS]) {
    if (lineLength + 1 + part.length > width && line.length > 0) {
      lines.push(indent + line.join(' '));
      line = [];
      lineLength = indent.length - 1;
    }
    line.push(part);
    lineLength += part.length + 1;
  }
  if (line.length > 0) lines.push(indent + line.join(' '));
  lines[0] = prefix + (lines[0] ?? '').slice(indent.length);
  return [...lines, `${TRADER_SCRIPT_NAME}: error: the following arguments are required: --model-dir`];
}
