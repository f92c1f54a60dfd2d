import type { DateTime } from 'luxon'
import type { ParsedArgs } from './app-args.js'
import type { WorkItem } from './items.js'

/** What a run is about, given to observers when it starts. */
export interface RunStartInfo {
  /** App command name (`bt-json-standard`). */
  readonly app: string
  /** Two-letter data source. */
  readonly dataSource: string
  /** The parsed common arguments (no secrets in them). */
  readonly args: ParsedArgs
  /** The app's custom arguments, as given. */
  readonly custom: Readonly<Record<string, unknown>>
  readonly startedAt: DateTime
}

/** How one item ended. */
export type ItemOutcome =
  | { readonly status: 'ok'; readonly records: number; readonly durationMs: number }
  | { readonly status: 'failed'; readonly error: Error; readonly durationMs: number }

/** How the run ended (a fatal error is `status: 'fatal'`). */
export interface RunEndInfo {
  readonly status: 'ok' | 'partial' | 'fatal'
  readonly records: number
  readonly items: number
  readonly failed: number
  readonly finishedAt: DateTime
  readonly error?: Error
}

/**
 * Watches a run (journal, metrics, progress, summaries). Every method is optional and awaited; an observer that
 * throws in `runStarted` makes the run fatal (e.g. a journal that cannot record), in the other methods its error is
 * logged and the run carries on.
 */
export interface RunObserver {
  runStarted?(info: RunStartInfo): Promise<void> | void
  /** An item is about to be processed; `index` counts from 0 in processing order. */
  itemStarted?(item: WorkItem, index: number): Promise<void> | void
  itemFinished?(item: WorkItem, outcome: ItemOutcome): Promise<void> | void
  runFinished?(info: RunEndInfo): Promise<void> | void
}
