import type { DateTime } from 'luxon'
import { formatPyTs } from '../util/dates.js'
import { readArg } from './app-args.js'
import type { AppDefinition } from './app-definition.js'
import type { Logger } from './logger.js'
import type { RunObserver } from './run-observer.js'

/** The `-r/-s/-e` window as log fields (the original's "Processing time range" line). */
export function describeWindow(args: {
  startDate: DateTime | null
  endDate: DateTime | null
  lastRunDate: DateTime | null
}) {
  const fmt = (d: DateTime | null) => (d ? formatPyTs(d) : null)
  let range: string | undefined
  if (args.startDate || args.endDate) {
    const start = fmt(args.startDate) ?? fmt(args.lastRunDate)
    if (!args.endDate) range = `${start} onward`
    else if (args.startDate?.equals(args.endDate)) range = `${start} only`
    else range = `${start} up to ${fmt(args.endDate)}`
  }
  return { lastRunDate: fmt(args.lastRunDate), range }
}

/** Whether logs are pretty-printed: `auto` means when stderr is a terminal. */
export function prettyLogs(setting: 'auto' | boolean): boolean {
  return setting === 'auto' ? process.stderr.isTTY === true : setting
}

/** Custom arguments with the defaults of the app's option specs filled in (also for `main()` callers). */
export function withDefaults(
  args: Readonly<Record<string, unknown>>,
  options: AppDefinition['options'],
): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...args }
  for (const option of options) {
    const given = readArg(args, option.name)
    out[option.name] = given === undefined ? option.default : given
  }
  return Object.freeze(out)
}

/** Calls every observer in order; an observer's error is logged, never thrown. */
export async function notify(
  observers: readonly RunObserver[],
  logger: Logger,
  call: (observer: RunObserver) => Promise<void> | void | undefined,
): Promise<void> {
  for (const observer of observers) {
    try {
      await call(observer)
    } catch (error) {
      logger.warn({ err: error }, 'A run observer failed; the run carries on')
    }
  }
}
