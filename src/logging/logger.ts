import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { redactSecrets } from './redactSecrets';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** File descriptor to write to: 1 (stdout) by default, 2 when stdout carries data (`barista events`). */
  fd?: 1 | 2;
  level?: string;
  /** Force a format; by default readable on a terminal, JSON lines otherwise. */
  format?: 'json' | 'pretty';
  /** Write here instead of the file descriptor (tests, embedding). */
  destination?: { write(line: string): unknown };
}

/**
 * Every byte barista logs passes through redactSecrets, after serialisation, so a secret
 * is removed wherever it sits: message, nested field, error message or stack.
 */
class RedactingSink extends Writable {
  constructor(private readonly write_: (chunk: string) => void) {
    super({ decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.write_(redactSecrets(chunk.toString()));
    done();
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 1;
  const stream = fd === 1 ? process.stdout : process.stderr;
  const format = options.format ?? (process.env.BARISTA_LOG_FORMAT as LoggerOptions['format']) ?? (stream.isTTY ? 'pretty' : 'json');
  const level = options.level ?? process.env.BARISTA_LOG_LEVEL ?? 'info';
  const destination = options.destination ?? pino.destination({ dest: fd, sync: true });

  const target =
    format === 'pretty' && !options.destination
      ? loadPretty()({ colorize: Boolean(stream.isTTY), sync: true, destination: fd, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : destination;
  const sink = new RedactingSink((line) => target.write(line));
  return pino({ level, base: { name: 'barista' }, timestamp: pino.stdTimeFunctions.isoTime }, sink);
}

/** pino-pretty only when a terminal wants it: JSON logging does not pay for loading it. */
function loadPretty(): typeof import('pino-pretty') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pino-pretty') as typeof import('pino-pretty');
}

/** A logger that drops everything: for pure code paths under test. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
