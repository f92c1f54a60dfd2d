import type { DateTime } from 'luxon'
import type { RunEndInfo, RunObserver, RunStartInfo } from '../run-observer.js'
import { writeFileAtomic } from './atomic-write.js'
import { packageVersion } from './package-version.js'
import { redactForReport } from './redact.js'
import { createRunTally, errorCode, exitCodeOf, type TalliedFailure, tallyItem } from './run-tally.js'

/** The JSON document `--summary-file` receives at the end of a run. */
export interface RunSummary {
  readonly app: string
  readonly dataSource: string
  /** catalog-etl's package version. */
  readonly version: string
  readonly status: RunEndInfo['status']
  /** The exit code the run maps to: 0 ok, 2 some items failed, 1 fatal. */
  readonly exitCode: 0 | 1 | 2
  /** ISO times and the run's length by the run's clock. */
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly durationMs: number | null
  /** The run's parameters: the common arguments, the app's own, and the settings given, secrets redacted. */
  readonly parameters: {
    readonly args: unknown
    readonly custom: unknown
    readonly settings?: unknown
  }
  readonly counts: {
    readonly items: number
    readonly ok: number
    readonly failed: number
    readonly records: number
  }
  /** Item durations in ms (`mean` is 0 without items). */
  readonly itemDurationsMs: { readonly total: number; readonly max: number; readonly mean: number }
  /** The first 100 failed items. */
  readonly errors: readonly TalliedFailure[]
  /** The fatal error, when the run failed as a whole. */
  readonly fatal: { readonly code: string | null; readonly message: string } | null
}

/** Options of {@link createRunSummaryObserver}. */
export interface RunSummaryOptions {
  /** Where the JSON goes (written atomically); omit to only keep it in memory (see `onSummary`). */
  readonly file?: string | undefined
  /** Settings to record under `parameters.settings` (Secrets print `[redacted]`; URL passwords are hidden). */
  readonly settings?: unknown
  /** Receives the summary when the run ends (e.g. to print it). */
  readonly onSummary?: ((summary: RunSummary) => void) | undefined
  /** Package version to record. @default packageVersion() */
  readonly version?: string | undefined
}

/** Milliseconds between two DateTimes. */
function spanMs(from: DateTime | null, to: DateTime): number | null {
  return from ? to.toMillis() - from.toMillis() : null
}

/**
 * A {@link RunObserver} that writes a run summary as JSON (`--summary-file`): parameters without secrets, counts,
 * durations, the failed items and the fatal error, and the package version. It never holds a secret value: the
 * whole document goes through {@link redactForReport}.
 */
export function createRunSummaryObserver(options: RunSummaryOptions = {}): RunObserver {
  const tally = createRunTally()
  let start: RunStartInfo | null = null
  return {
    runStarted(info) {
      start = info
    },
    itemFinished(item, outcome) {
      tallyItem(tally, item, outcome)
    },
    async runFinished(info) {
      const summary: RunSummary = {
        app: start?.app ?? 'unknown',
        dataSource: start?.dataSource ?? 'unknown',
        version: options.version ?? packageVersion(),
        status: info.status,
        exitCode: exitCodeOf(info.status),
        startedAt: start?.startedAt.toISO() ?? null,
        finishedAt: info.finishedAt.toISO(),
        durationMs: spanMs(start?.startedAt ?? null, info.finishedAt),
        parameters: {
          args: start?.args ?? null,
          custom: start?.custom ?? null,
          ...(options.settings !== undefined ? { settings: options.settings } : {}),
        },
        counts: { items: tally.items, ok: tally.ok, failed: tally.failed, records: tally.records },
        itemDurationsMs: {
          total: tally.itemMsTotal,
          max: tally.itemMsMax,
          mean: tally.items > 0 ? tally.itemMsTotal / tally.items : 0,
        },
        errors: tally.failures,
        fatal: info.error ? { code: errorCode(info.error), message: info.error.message } : null,
      }
      const safe = redactForReport(summary) as RunSummary
      options.onSummary?.(safe)
      if (options.file) await writeFileAtomic(options.file, `${JSON.stringify(safe, null, 2)}\n`)
    },
  }
}
