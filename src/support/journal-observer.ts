import { type Clock, systemClock } from '../util/dates.js'
import type { WorkItem } from './items.js'
import { type ItemStatus, type RunJournal, sanitizeArgs, toJournalError } from './run-journal.js'
import type { ItemOutcome, RunEndInfo, RunObserver, RunStartInfo } from './run-observer.js'

/** Options of {@link createJournalObserver}. */
export interface JournalObserverOptions {
  /** Time of each item outcome (`recordedAt`). @default the system clock */
  readonly clock?: Clock
  /**
   * Status of a failed item. @default `quarantined` when the error (or a cause) has `quarantined: true`, else
   * `failed`
   */
  readonly classify?: (item: WorkItem, error: Error) => Exclude<ItemStatus, 'ok'>
}

/** A {@link RunObserver} that records runs and item outcomes in a {@link RunJournal}. */
export interface JournalObserver extends RunObserver {
  /** The id of the current (or last) run, once `runStarted` has recorded it. */
  readonly runId: string | null
}

function defaultClassify(_item: WorkItem, error: Error): Exclude<ItemStatus, 'ok'> {
  let current: unknown = error
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if ((current as { quarantined?: unknown }).quarantined === true) return 'quarantined'
    current = current.cause
  }
  return 'failed'
}

/**
 * Records a run in a journal: `runStarted` starts the run (a journal that cannot record makes the run fatal, as
 * the observer contract says), each `itemFinished` records the outcome, `runFinished` finishes the run with its
 * totals. One observer serves one run at a time; it can be reused for consecutive runs.
 */
export function createJournalObserver(
  journal: RunJournal,
  options: JournalObserverOptions = {},
): JournalObserver {
  const clock = options.clock ?? systemClock()
  const classify = options.classify ?? defaultClassify
  let runId: string | null = null
  let app = ''
  let dataSource = ''

  return {
    get runId() {
      return runId
    },

    async runStarted(info: RunStartInfo): Promise<void> {
      app = info.app
      dataSource = info.dataSource
      runId = null
      const { args } = info
      runId = await journal.startRun({
        app,
        dataSource,
        startedAt: info.startedAt,
        args: sanitizeArgs({
          ...info.custom,
          last_run_date: args.lastRunDate,
          start_date: args.startDate,
          end_date: args.endDate,
          force: args.force,
          simulate: args.simulate,
          debug: args.debug,
          output_filepath: args.outputPath,
        }),
      })
    },

    async itemFinished(item: WorkItem, outcome: ItemOutcome): Promise<void> {
      if (runId === null) return
      const { base, ext, date } = item.identifier
      const common = {
        app,
        dataSource,
        base,
        ext,
        date,
        label: item.label,
        durationMs: Math.max(0, outcome.durationMs),
        recordedAt: clock.now(),
      }
      if (outcome.status === 'ok') {
        await journal.recordItem(runId, { ...common, status: 'ok', records: outcome.records })
      } else {
        await journal.recordItem(runId, {
          ...common,
          status: classify(item, outcome.error),
          records: 0,
          error: toJournalError(outcome.error),
        })
      }
    },

    async runFinished(info: RunEndInfo): Promise<void> {
      if (runId === null) return
      await journal.finishRun(runId, {
        status: info.status,
        finishedAt: info.finishedAt,
        summary: { records: info.records, items: info.items, failed: info.failed },
        error: info.error ? toJournalError(info.error) : null,
      })
    },
  }
}
