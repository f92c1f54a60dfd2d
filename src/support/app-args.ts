import type { DateTime } from 'luxon'
import { type Clock, parseDateArg, parseStartDateArg } from '../util/dates.js'
import { ArgumentError } from './errors.js'

/**
 * The common arguments of every app, under their original (snake_case) names. `main(args)` also accepts the
 * camelCase and kebab-case spellings (`lastRunDate`, `last-run-date`).
 */
export interface CommonArgs {
  /** `-r`: last run time (`YYYY-MM-DD[ HH:MM:SS[±HH:MM]]`, epoch seconds, or `0`). */
  readonly last_run_date?: string | number | null
  /** `-s`: N days back from today's local midnight, or an absolute date. */
  readonly start_date?: string | number | null
  /** `-e`: absolute end date, exclusive. */
  readonly end_date?: string | number | null
  /** `-F`: process items even when the target has them. */
  readonly force?: boolean
  /** `-o`: also write every output file into this local directory. */
  readonly output_filepath?: string | null
  /** `-0`: write nothing to repositories, the catalog, perfmet or publishers. */
  readonly simulate?: boolean
  /** `--debug`: the `-test` repositories and the debug catalog/perfmet/publishing targets. */
  readonly debug?: boolean
  /** `--dry-run`: list the items a real run would process, and write nothing. */
  readonly dry_run?: boolean
  /** `--max-failures N`: stop the run (fatal) once N items have failed. */
  readonly max_failures?: number
  /** `--lookback N`: re-check the last N days even when the target has them (late data). */
  readonly lookback?: number
  /** `--concurrency N`: items processed at once (apps that allow it); default 1. */
  readonly concurrency?: number
  /** `--reprocess-newer`: also process items whose source was written after the target's processing date. */
  readonly reprocess_newer?: boolean
}

/** The common options: long name, short alias, kebab alias, type and help (spec §2.2). */
export const COMMON_OPTIONS = [
  {
    name: 'last_run_date',
    short: 'r',
    type: 'string',
    describe: 'last run time: YYYY-MM-DD[ HH:MM:SS], epoch seconds, or 0 (= 2000-01-01)',
  },
  {
    name: 'start_date',
    short: 's',
    type: 'string',
    describe: "start: N days before today's local midnight, or a date (inclusive)",
  },
  {
    name: 'end_date',
    short: 'e',
    type: 'string',
    describe: 'end date, exclusive (equal to the start date: that day only)',
  },
  {
    name: 'force',
    short: 'F',
    type: 'boolean',
    describe: 'process items even if the target already has them',
  },
  {
    name: 'output_filepath',
    short: 'o',
    type: 'string',
    describe: 'also write every output file (or a CSV of every publish) here',
  },
  {
    name: 'simulate',
    short: '0',
    type: 'boolean',
    describe: 'do everything except writing to repositories, catalog, perfmet or publishers',
  },
  {
    name: 'lookback',
    short: undefined,
    type: 'number',
    describe: 'also re-process the last N days even if the target has them (late data); default 0',
  },
  {
    name: 'reprocess_newer',
    short: undefined,
    type: 'boolean',
    describe: "also re-process items whose source changed after the target's processing date",
  },
  {
    name: 'concurrency',
    short: undefined,
    type: 'number',
    describe: 'items processed at once, 1-64 (apps whose items are independent); default 1',
  },
  {
    name: 'max_failures',
    short: undefined,
    type: 'number',
    describe: 'stop the run (exit 1) once this many items have failed; default: never',
  },
  {
    name: 'dry_run',
    short: undefined,
    type: 'boolean',
    describe: 'list exactly the items a real run would process, and write nothing',
  },
  {
    name: 'debug',
    short: undefined,
    type: 'boolean',
    describe: 'use the -test repositories and the separate debug catalog/perfmet/publishing targets',
  },
] as const

/** The `-r/-s/-e` window after parsing (spec §2.3). */
export interface RunWindow {
  readonly lastRunDate: DateTime | null
  readonly startDate: DateTime | null
  readonly endDate: DateTime | null
}

/** Normalised common arguments. */
export interface ParsedArgs extends RunWindow {
  readonly force: boolean
  readonly simulate: boolean
  readonly debug: boolean
  readonly dryRun: boolean
  /** Items that may fail before the run stops; `null` = no limit. */
  readonly maxFailures: number | null
  /** `--lookback N`: days before today's local midnight whose items are re-processed; 0 = off. */
  readonly lookbackDays: number
  /** `--reprocess-newer`: re-process items whose source is newer than the target's processing date. */
  readonly reprocessNewer: boolean
  /** `--concurrency N`: items in flight at once (1 = one after another). */
  readonly concurrency: number
  readonly outputPath: string | null
}

function kebab(name: string): string {
  return name.replaceAll('_', '-')
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** Reads an argument under its snake_case, kebab-case or camelCase name. */
export function readArg(args: Readonly<Record<string, unknown>>, name: string): unknown {
  for (const key of [name, kebab(name), camel(name)]) {
    if (args[key] !== undefined) return args[key]
  }
  return undefined
}

function dateValue(value: unknown, name: string): string | number | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'number') return value
  throw new ArgumentError(`--${name} must be a string or a number (got ${typeof value}).`)
}

/**
 * Parses the common arguments exactly in the original's order (spec §2.3), with `parseDateOnly` semantics:
 * dates are truncated to local midnight. Throws {@link ArgumentError} when neither a last-run nor a start date is
 * given.
 */
export function parseCommonArgs(
  args: Readonly<Record<string, unknown>>,
  clock: Clock,
  dateOnly = true,
): ParsedArgs {
  const last = dateValue(readArg(args, 'last_run_date'), 'last_run_date')
  const start = dateValue(readArg(args, 'start_date'), 'start_date')
  const end = dateValue(readArg(args, 'end_date'), 'end_date')
  const lastRunDate = last === null ? null : parseDateArg(last, { dateOnly })
  const startDate = start === null ? null : parseStartDateArg(start, { now: clock.now(), dateOnly })
  const endDate = end === null ? null : parseDateArg(end, { dateOnly })
  if (!lastRunDate && !startDate) {
    throw new ArgumentError(
      'A last_run_date or start_date must be specified (-r/--last_run_date or -s/--start_date).',
    )
  }
  if (startDate && endDate && endDate < startDate) {
    throw new ArgumentError(`The end date ${endDate.toISO()} is before the start date ${startDate.toISO()}.`)
  }
  const output = readArg(args, 'output_filepath')
  return {
    lastRunDate,
    startDate,
    endDate,
    force: readArg(args, 'force') === true,
    simulate: readArg(args, 'simulate') === true,
    debug: readArg(args, 'debug') === true,
    dryRun: readArg(args, 'dry_run') === true,
    maxFailures: maxFailures(readArg(args, 'max_failures')),
    lookbackDays: lookbackDays(readArg(args, 'lookback')),
    reprocessNewer: readArg(args, 'reprocess_newer') === true,
    concurrency: concurrency(readArg(args, 'concurrency')),
    outputPath: typeof output === 'string' && output !== '' ? output : null,
  }
}

function maxFailures(value: unknown): number | null {
  if (value === undefined || value === null) return null
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1) return n
  throw new ArgumentError(
    `--max-failures must be a whole number of at least 1 (got ${JSON.stringify(value)}).`,
  )
}

function lookbackDays(value: unknown): number {
  if (value === undefined || value === null) return 0
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 366) return n
  throw new ArgumentError(
    `--lookback must be a whole number of days from 0 to 366 (got ${JSON.stringify(value)}).`,
  )
}

function concurrency(value: unknown): number {
  if (value === undefined || value === null) return 1
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 64) return n
  throw new ArgumentError(`--concurrency must be a whole number from 1 to 64 (got ${JSON.stringify(value)}).`)
}
