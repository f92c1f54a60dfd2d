import { type DestinationStream, type Logger, pino } from 'pino'
import pretty from 'pino-pretty'

export type { Logger } from 'pino'

/** Field names whose values never reach a log line, at the top level or one or two levels down. */
export const SECRET_FIELDS = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'secretAccessKey',
  'accessKeyId',
  'sessionToken',
  'auth',
  'appToken',
  'catalogKey',
] as const

/** pino `redact` paths built from {@link SECRET_FIELDS}. */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
])

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level. @default 'info' */
  readonly level?: string
  /** Human-readable output instead of JSON lines. @default false */
  readonly pretty?: boolean
  /** Where lines go. @default stderr (stdout stays free for command output) */
  readonly destination?: DestinationStream
}

/** The root logger: pino JSON lines on stderr (or pretty on a terminal), secrets redacted as `[redacted]`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: { pid: process.pid },
  }
  if (options.destination) return pino(base, options.destination)
  if (options.pretty) {
    return pino(base, pretty({ destination: 2, colorize: true, ignore: 'pid,hostname', sync: true }))
  }
  return pino(base, pino.destination({ dest: 2, sync: true }))
}

/** A logger that drops everything (for code paths that get no logger injected). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
