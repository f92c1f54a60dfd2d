import type { DateTime } from 'luxon'
import { createDriverSet, type DriverSet } from '../config/factories.js'
import type { Settings } from '../config/schema.js'
import { ArgumentError, ConfigError } from '../support/errors.js'
import type { AppRuntime, RunResult } from '../support/etl-app.js'
import type { ItemIdentifier } from '../support/items.js'
import { createJournalObserver } from '../support/journal-observer.js'
import type { Logger } from '../support/logger.js'
import {
  itemKey,
  type JournalItem,
  type JsonObject,
  journalOf,
  latestOutcomes,
  type RunJournal,
} from '../support/run-journal.js'
import type { RunObserver } from '../support/run-observer.js'
import { addDays, type Clock, formatPyTs, parseTimestamp, startOfLocalDay } from '../util/dates.js'
import { resolveApps } from './plan.js'
import { type AppClass, findApp } from './registry.js'

/**
 * The run option `retry` needs from `EtlApp` (proposed `AppRuntime.only`): work items it rejects are neither
 * processed nor planned.
 */
export interface OnlyRuntime extends AppRuntime {
  readonly only?: (item: ItemIdentifier) => boolean
}

/** One app run that re-processes failed items. */
export interface RetryTarget {
  readonly app: AppClass
  /** The app's own options, as recorded for the failing run. */
  readonly args: Readonly<Record<string, unknown>>
  /** The failed items (their latest outcomes). */
  readonly items: readonly JournalItem[]
}

/** What one retry run did. */
export interface RetryRunReport {
  readonly app: string
  /** The real run's result; `null` when nothing was left to re-run. */
  readonly result: RunResult | null
  /** Failed items the source no longer lists (nothing to re-run for them). */
  readonly notFound: readonly JournalItem[]
}

/** Options of {@link runRetry}. Exactly one of `failed` and `runId`. */
export interface RetryOptions {
  readonly settings: Settings
  readonly logger: Logger
  readonly clock: Clock
  /** `--failed`: every item whose latest outcome is `failed`. */
  readonly failed?: boolean
  /** `--run ID`: the items that failed in that run. */
  readonly runId?: string
  /** Apps to consider with `failed`; default all. */
  readonly apps?: readonly string[]
  /** Only items dated at or after (with `failed`). */
  readonly from?: DateTime
  /** Only items dated before (with `failed`). */
  readonly to?: DateTime
  readonly debug?: boolean
  readonly signal?: AbortSignal
  /** Drivers to use (left open); default: a set built from `settings` and closed afterwards. */
  readonly drivers?: DriverSet
  /** The journal; default: the driver set's. */
  readonly journal?: RunJournal | null
  /** Receives one line per retry run. */
  readonly write?: (text: string) => void
}

/** A filter accepting exactly the identifiers of `items` (by base, ext and date instant). */
export function createItemFilter(
  items: readonly { base: string; ext: string; date: DateTime }[],
): (id: ItemIdentifier) => boolean {
  const keys = new Set(items.map(itemKey))
  return (id) => keys.has(itemKey(id))
}

/** The `-s`/`-e` window covering every item's day: first day's midnight up to the day after the last. */
export function retryWindow(items: readonly { date: DateTime }[]): { start_date: string; end_date: string } {
  if (items.length === 0) throw new RangeError('retryWindow needs at least one item')
  const days = items.map((i) => startOfLocalDay(i.date)).sort((a, b) => a.toMillis() - b.toMillis())
  const first = days[0] as DateTime
  const last = days.at(-1) as DateTime
  return { start_date: formatPyTs(first), end_date: formatPyTs(addDays(last, 1)) }
}

/** The app's own options from a run's recorded arguments (common flags and anything unknown are dropped). */
export function appArgs(app: AppClass, recorded: JsonObject | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const option of app.definition.options) {
    const value = recorded?.[option.name]
    if (value !== undefined && value !== null) out[option.name] = value
  }
  return out
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterable) out.push(value)
  return out
}

async function recordedArgs(journal: RunJournal, runId: string): Promise<JsonObject | undefined> {
  for await (const run of journal.runs({ runId })) return run.args
  return undefined
}

/** Groups failed items into one target per app and recorded option set. */
async function group(journal: RunJournal, failed: readonly JournalItem[]): Promise<RetryTarget[]> {
  const targets = new Map<string, { app: AppClass; args: Record<string, unknown>; items: JournalItem[] }>()
  const argsOf = new Map<string, JsonObject | undefined>()
  for (const item of failed) {
    const app = findApp(item.app)
    if (!app) throw new ConfigError(`The journal names an unknown app "${item.app}".`)
    if (!argsOf.has(item.runId)) argsOf.set(item.runId, await recordedArgs(journal, item.runId))
    const args = appArgs(app, argsOf.get(item.runId))
    const key = `${item.app}\u0000${JSON.stringify(args)}`
    const target = targets.get(key) ?? { app, args, items: [] }
    target.items.push(item)
    targets.set(key, target)
  }
  return [...targets.values()]
}

/** The items to re-run: those failed in run `runId`, or every item of `apps` whose latest outcome is `failed`. */
export async function findRetryTargets(
  journal: RunJournal,
  options: { runId?: string; apps?: readonly string[]; from?: DateTime; to?: DateTime },
): Promise<RetryTarget[]> {
  if (options.runId !== undefined) {
    return group(journal, await collect(journal.items({ runId: options.runId, status: 'failed' })))
  }
  const failed: JournalItem[] = []
  for (const app of resolveApps(options.apps)) {
    const name = app.definition.name
    const window = {
      ...(options.from ? { from: options.from } : {}),
      ...(options.to ? { to: options.to } : {}),
    }
    const candidates = await collect(journal.items({ app: name, status: 'failed', ...window }))
    if (candidates.length === 0) continue
    const first = candidates[0]?.date as DateTime
    const last = candidates.at(-1)?.date as DateTime
    const latest = await latestOutcomes(
      journal.items({ app: name, from: first, to: last.plus({ milliseconds: 1 }) }),
    )
    for (const item of latest.values()) if (item.status === 'failed') failed.push(item)
  }
  return group(journal, failed)
}

/**
 * Re-runs one target: a dry run first (with `force` and the item filter) to learn which failed items the source
 * still lists, and to refuse when the apps ignore `runtime.only`; then the real run, recorded in the journal.
 */
export async function retryTarget(target: RetryTarget, runtime: OnlyRuntime): Promise<RetryRunReport> {
  const name = target.app.definition.name
  const only = createItemFilter(target.items)
  const args = { ...target.args, ...retryWindow(target.items), force: true, debug: runtime.drivers?.debug }
  const probeRuntime: OnlyRuntime = { ...runtime, observers: [], only }
  const probe = await new target.app({ ...args, dry_run: true }, probeRuntime).run()
  const planned = probe.planned ?? []
  const stray = planned.find((p) => !only({ ...p, date: parseTimestamp(p.date) }))
  if (stray) {
    throw new ConfigError(
      `retry needs EtlApp support for runtime.only; ${name} would also re-run ${stray.label}, so nothing was run.`,
    )
  }
  const present = new Set(planned.map((p) => itemKey({ ...p, date: parseTimestamp(p.date) })))
  const notFound = target.items.filter((item) => !present.has(itemKey(item)))
  if (planned.length === 0) return { app: name, result: null, notFound }
  const realRuntime: OnlyRuntime = { ...runtime, only }
  const result = await new target.app(args, realRuntime).run()
  return { app: name, result, notFound }
}

/** `catalog-etl retry`: re-runs exactly the failed items (see {@link findRetryTargets}), journaling the new runs. */
export async function runRetry(options: RetryOptions): Promise<RetryRunReport[]> {
  if (Boolean(options.failed) === (options.runId !== undefined))
    throw new ArgumentError('retry needs exactly one of --failed and --run ID.')
  const debug = options.debug ?? false
  const drivers = options.drivers ?? createDriverSet(options.settings, { debug, logger: options.logger })
  const reports: RetryRunReport[] = []
  try {
    const journal = options.journal === undefined ? journalOf(drivers) : options.journal
    if (!journal) throw new ConfigError('retry needs a run journal, and this catalog backend has none.')
    const targets = await findRetryTargets(journal, {
      ...(options.runId !== undefined ? { runId: options.runId } : { apps: options.apps ?? [] }),
      ...(options.from ? { from: options.from } : {}),
      ...(options.to ? { to: options.to } : {}),
    })
    const observers: RunObserver[] = [createJournalObserver(journal, { clock: options.clock })]
    const runtime: OnlyRuntime = {
      settings: options.settings,
      clock: options.clock,
      logger: options.logger,
      drivers,
      observers,
      ...(options.signal ? { signal: options.signal } : {}),
    }
    for (const target of targets) {
      const report = await retryTarget(target, runtime)
      reports.push(report)
      const done = report.result
        ? `${report.result.items} re-run, ${report.result.failures.length} failed`
        : '0 re-run'
      const gone = report.notFound.length > 0 ? `, ${report.notFound.length} no longer in the source` : ''
      options.write?.(`retry ${report.app}: ${target.items.length} failed item(s): ${done}${gone}\n`)
      for (const item of report.notFound) options.write?.(`  not in the source: ${item.label}\n`)
    }
  } finally {
    if (!options.drivers) await drivers.close()
  }
  if (reports.length === 0) options.write?.('retry: no failed items\n')
  return reports
}
