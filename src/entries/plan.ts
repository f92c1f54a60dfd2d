import type { DateTime } from 'luxon'
import { createDriverSet, type DriverSet } from '../config/factories.js'
import type { Settings } from '../config/schema.js'
import { ArgumentError } from '../support/errors.js'
import type { PlannedItem } from '../support/etl-app.js'
import type { Logger } from '../support/logger.js'
import {
  itemKey,
  type JournalItem,
  journalOf,
  latestOutcomes,
  type RunJournal,
} from '../support/run-journal.js'
import { addDays, type Clock, parseTimestamp } from '../util/dates.js'
import { APPS, type AppClass, findApp } from './registry.js'

/** What `plan` says about one item a real run would process. */
export type PlanState = 'missing' | 'failed' | 'quarantined'

/** One line of the plan. */
export interface PlanRow {
  readonly app: string
  /** The item date as PyTS text (`2019-06-01 00:00:00-05:00`). */
  readonly date: string
  readonly base: string
  readonly ext: string
  readonly label: string
  /** `missing`, or the journal's latest outcome of the item when that is `failed` or `quarantined`. */
  readonly state: PlanState
  /** The latest recorded error message, when `state` is not `missing`. */
  readonly lastError: string | null
  /** The run of that latest outcome. */
  readonly lastRunId: string | null
}

/** An app whose dry run failed (e.g. its source is not configured); the other apps are still planned. */
export interface PlanAppError {
  readonly app: string
  readonly error: string
}

/** What {@link runPlan} found. */
export interface PlanResult {
  readonly rows: readonly PlanRow[]
  readonly errors: readonly PlanAppError[]
}

/** Options of {@link runPlan}. */
export interface PlanOptions {
  readonly settings: Settings
  readonly logger: Logger
  readonly clock: Clock
  /** App command names; default: every app in {@link APPS}. */
  readonly apps?: readonly string[]
  /** `-s`: N days back or a date. @default 30 when neither `start` nor `lastRun` is given */
  readonly start?: string | number | null
  /** `-e`: end date, exclusive. */
  readonly end?: string | number | null
  /** `-r`: last run date. */
  readonly lastRun?: string | number | null
  /** `--debug` targets. */
  readonly debug?: boolean
  /** Emit JSON instead of a table. */
  readonly json?: boolean
  /** Receives output text. */
  readonly write: (text: string) => void
  readonly signal?: AbortSignal
  /** Drivers to use (left open); default: a set built from `settings` and closed afterwards. */
  readonly drivers?: DriverSet
  /** The journal; default: the driver set's (`null`: every item is `missing`). */
  readonly journal?: RunJournal | null
}

/** The apps named on the command line (`_` or `.py` spellings accepted), or all of them. */
export function resolveApps(names: readonly string[] | undefined): AppClass[] {
  if (!names || names.length === 0) return [...APPS]
  return names.map((name) => {
    const app = findApp(name)
    if (!app) {
      throw new ArgumentError(
        `Unknown app "${name}"; valid: ${APPS.map((a) => a.definition.name).join(', ')}.`,
      )
    }
    return app
  })
}

/** Marks planned items with the journal's latest outcome of each (pure; `latest` keyed by `itemKey`). */
export function markPlanned(
  app: string,
  planned: readonly PlannedItem[],
  latest: ReadonlyMap<string, JournalItem>,
): PlanRow[] {
  return planned.map((item) => {
    const seen = latest.get(itemKey({ ...item, date: parseTimestamp(item.date) }))
    const state: PlanState = seen && seen.status !== 'ok' ? seen.status : 'missing'
    return {
      app,
      date: item.date,
      base: item.base,
      ext: item.ext,
      label: item.label,
      state,
      lastError: state === 'missing' ? null : (seen?.error?.message ?? null),
      lastRunId: state === 'missing' ? null : (seen?.runId ?? null),
    }
  })
}

/** The latest outcome of every item of `app` dated within the planned items' days. */
export async function latestFor(
  journal: RunJournal | null,
  app: string,
  planned: readonly PlannedItem[],
): Promise<Map<string, JournalItem>> {
  if (!journal || planned.length === 0) return new Map()
  const times = planned.map((p) => parseTimestamp(p.date)).sort((a, b) => a.toMillis() - b.toMillis())
  const from = times[0] as DateTime
  const last = times.at(-1) as DateTime
  return latestOutcomes(journal.items({ app, from, to: addDays(last, 1) }))
}

const HEADER = ['app', 'date', 'base', 'ext', 'state', 'last error'] as const

function shortDate(pyTs: string): string {
  return /^\d{4}-\d\d-\d\d 00:00:00[+-]/.test(pyTs) ? pyTs.slice(0, 10) : pyTs
}

/** The plan as an aligned text table, one line per item, and a count line. */
export function formatPlanTable(rows: readonly PlanRow[]): string {
  const cells = rows.map((r) => [r.app, shortDate(r.date), r.base, r.ext, r.state, r.lastError ?? ''])
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)))
  const line = (c: readonly string[]) =>
    c
      .map((text, i) => (i === c.length - 1 ? text : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const failed = rows.filter((r) => r.state !== 'missing').length
  const out = [line(HEADER), ...cells.map(line)]
  out.push(`(${rows.length} item${rows.length === 1 ? '' : 's'} to process, ${failed} failed or quarantined)`)
  return `${out.join('\n')}\n`
}

/**
 * `catalog-etl plan`: for each app, the items a real run would process now (the app's dry run), each marked
 * `missing`, or `failed`/`quarantined` from the journal's latest outcome. Writes nothing anywhere.
 */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  const apps = resolveApps(options.apps)
  const debug = options.debug ?? false
  const drivers = options.drivers ?? createDriverSet(options.settings, { debug, logger: options.logger })
  const rows: PlanRow[] = []
  const errors: PlanAppError[] = []
  const given = (v: string | number | null | undefined) => v !== undefined && v !== null && v !== ''
  const args: Record<string, unknown> = {
    dry_run: true,
    debug,
    start_date: given(options.start) ? options.start : given(options.lastRun) ? undefined : 30,
    ...(given(options.end) ? { end_date: options.end } : {}),
    ...(given(options.lastRun) ? { last_run_date: options.lastRun } : {}),
  }
  try {
    const journal = options.journal === undefined ? journalOf(drivers) : options.journal
    const runtime = {
      settings: options.settings,
      clock: options.clock,
      logger: options.logger,
      drivers,
      ...(options.signal ? { signal: options.signal } : {}),
    }
    for (const app of apps) {
      const name = app.definition.name
      let planned: readonly PlannedItem[]
      try {
        planned = (await new app(args, runtime).run()).planned ?? []
      } catch (error) {
        if (error instanceof ArgumentError) throw error
        errors.push({ app: name, error: error instanceof Error ? error.message : String(error) })
        continue
      }
      rows.push(...markPlanned(name, planned, await latestFor(journal, name, planned)))
    }
  } finally {
    if (!options.drivers) await drivers.close()
  }
  if (options.json) options.write(`${JSON.stringify({ items: rows, errors }, null, 2)}\n`)
  else {
    options.write(formatPlanTable(rows))
    for (const e of errors) options.write(`${e.app}: could not plan: ${e.error}\n`)
  }
  return { rows, errors }
}
