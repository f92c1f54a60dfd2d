import type { WorkItem } from '../items.js'
import type { ItemOutcome, RunEndInfo } from '../run-observer.js'

/** One failed item as reports show it. */
export interface TalliedFailure {
  readonly label: string
  /** The item's date (ISO). */
  readonly date: string | null
  /** The error's stable code (`E_INPUT`, …) when it has one. */
  readonly code: string | null
  readonly message: string
}

/** Counts and durations of a run's items, kept by the observers that report them. */
export interface RunTally {
  items: number
  ok: number
  failed: number
  records: number
  /** Sum and maximum of the item durations, in ms. */
  itemMsTotal: number
  itemMsMax: number
  /** The first `maxFailures` failures. */
  readonly failures: TalliedFailure[]
}

/** A fresh, empty {@link RunTally}. */
export function createRunTally(): RunTally {
  return { items: 0, ok: 0, failed: 0, records: 0, itemMsTotal: 0, itemMsMax: 0, failures: [] }
}

/** The error code of an error, when it carries a string `code`. */
export function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : null
}

/** Adds one finished item to the tally (keeping at most `maxFailures` failure records). */
export function tallyItem(tally: RunTally, item: WorkItem, outcome: ItemOutcome, maxFailures = 100): void {
  tally.items += 1
  tally.itemMsTotal += outcome.durationMs
  tally.itemMsMax = Math.max(tally.itemMsMax, outcome.durationMs)
  if (outcome.status === 'ok') {
    tally.ok += 1
    tally.records += outcome.records
    return
  }
  tally.failed += 1
  if (tally.failures.length < maxFailures) {
    tally.failures.push({
      label: item.label,
      date: item.identifier.date.toISO(),
      code: errorCode(outcome.error),
      message: outcome.error.message,
    })
  }
}

/** The process exit code a run end maps to: 0 ok, 2 partial, 1 fatal. */
export function exitCodeOf(status: RunEndInfo['status']): 0 | 1 | 2 {
  return status === 'ok' ? 0 : status === 'partial' ? 2 : 1
}
