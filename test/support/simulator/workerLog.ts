/**
 * A training worker's log (surface.md §2): the objective's ANSI-coloured prints, Optuna's own
 * `[I …]`/`[W …]` records (written through tqdm.write), and tqdm's progress bar redrawn in place
 * with `\r` — so one physical line can hold a bar and the next print.
 */
import { formatFixed, formatGeneral, pyFloatRepr, pyRepr, type PyValue } from './python';
import { loggingTime } from './time';

/** The `Colors` class of 1_optimize_unified.py. */
export const ANSI = {
  header: '\x1b[95m',
  blue: '\x1b[94m',
  cyan: '\x1b[96m',
  green: '\x1b[92m',
  warning: '\x1b[93m',
  fail: '\x1b[91m',
  end: '\x1b[0m',
} as const;

export type OptunaLevel = 'I' | 'W' | 'E';

/** Optuna's default format: `[I 2026-02-16 04:41:02,877] message` in naive local time. */
export function optunaRecord(level: OptunaLevel, micros: number, utcOffsetMinutes: number, message: string): string {
  return `[${level} ${loggingTime(micros, utcOffsetMinutes)}] ${message}`;
}

export const studyCreatedMessage = (study: string): string => `A new study created in RDB with name: ${study}`;
export const studyReusedMessage = (study: string): string => `Using an existing study with name '${study}' instead of creating a new one.`;

export function trialFinishedMessage(trial: number, value: number, params: Record<string, PyValue>, bestTrial: number, bestValue: number): string {
  return `Trial ${trial} finished with value: ${pyFloatRepr(value)} and parameters: ${pyRepr(params)}. Best is trial ${bestTrial} with value: ${pyFloatRepr(bestValue)}.`;
}

export const trialPrunedMessage = (trial: number, reason: string): string => `Trial ${trial} pruned. ${reason}`;

export function trialFailedMessage(trial: number, params: Record<string, PyValue>, error: string): string {
  return `Trial ${trial} failed with parameters: ${pyRepr(params)} because of the following error: ${error}.`;
}

export const trialFailedValueMessage = (trial: number): string => `Trial ${trial} failed with value None.`;

/** tqdm's `format_interval`: `mm:ss`, or `h:mm:ss` from one hour. */
export function formatInterval(seconds: number): string {
  const whole = Math.floor(seconds);
  const minutes = Math.floor(whole / 60);
  const secs = whole % 60;
  const hours = Math.floor(minutes / 60);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes % 60)}:${pad(secs)}` : `${pad(minutes)}:${pad(secs)}`;
}

const BAR_CHARS = ' ▏▎▍▌▋▊▉█';
const BAR_WIDTH = 10;

/** tqdm's meter for a non-terminal file (no width known: a 10-cell bar). */
export function progressMeter(done: number, total: number, elapsedSeconds: number, description: string): string {
  const fraction = total > 0 ? done / total : 0;
  const symbols = BAR_CHARS.length - 1;
  const filled = Math.floor(fraction * BAR_WIDTH * symbols);
  const full = Math.floor(filled / symbols);
  const partial = filled % symbols;
  const bar = full >= BAR_WIDTH ? '█'.repeat(BAR_WIDTH) : '█'.repeat(full) + BAR_CHARS[partial] + ' '.repeat(BAR_WIDTH - full - 1);
  const rate = elapsedSeconds > 0 && done > 0 ? done / elapsedSeconds : undefined;
  const rateText = rate === undefined ? '?it/s' : rate < 1 ? `${formatFixed(1 / rate, 2).padStart(5)}s/it` : `${formatFixed(rate, 2).padStart(5)}it/s`;
  const remaining = rate === undefined ? '?' : formatInterval((total - done) / rate);
  const prefix = description === '' ? '' : `${description}: `;
  return `${prefix}${formatFixed(fraction * 100, 0).padStart(3)}%|${bar}| ${done}/${total} [${formatInterval(elapsedSeconds)}<${remaining}, ${rateText}]`;
}

/** Optuna's progress-bar description once a best trial exists. */
export const bestDescription = (trial: number, value: number): string => `Best trial: ${trial}. Best value: ${formatGeneral(value, 6)}`;

/** tqdm's in-place redraws: `\r` + text, padded with spaces over a longer previous text. */
export class ProgressBarWriter {
  private lastLength = 0;

  draw(text: string): string {
    const length = [...text].length;
    const padded = `\r${text}${' '.repeat(Math.max(this.lastLength - length, 0))}`;
    this.lastLength = length;
    return padded;
  }

  /** `tqdm.write(message)`: clear the bar, print the message, draw the bar again. */
  write(message: string, bar: string): string {
    const clear = `\r${' '.repeat(this.lastLength)}\r`;
    this.lastLength = 0;
    return `${clear}${message}\n${this.draw(bar)}`;
  }
}
