import type { DateTime } from 'luxon'
import {
  ITEM_STATUSES,
  type ItemFilter,
  type ItemRecordInput,
  type JournalError,
  type JournalItem,
  type JournalRun,
  RUN_STATUSES,
  type RunFilter,
  type RunFinish,
  type RunMeta,
} from '../../support/run-journal.js'

function checkTime(value: DateTime | null | undefined, what: string): void {
  if (!value || typeof value.toMillis !== 'function' || !value.isValid)
    throw new TypeError(`${what} must be a valid DateTime`)
}

function checkText(value: unknown, what: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty string`)
}

function checkError(error: JournalError | null | undefined, what: string): void {
  if (error === null || error === undefined) return
  if (typeof error.message !== 'string' || !Array.isArray(error.causes))
    throw new TypeError(`${what} must be a JournalError (message, code, causes)`)
}

/** Validates `startRun`'s input. @throws TypeError */
export function checkRunMeta(meta: RunMeta): void {
  checkText(meta.app, 'app')
  checkText(meta.dataSource, 'dataSource')
  checkTime(meta.startedAt, 'startedAt')
}

/** Validates `finishRun`'s input. @throws TypeError */
export function checkRunFinish(finish: RunFinish): void {
  if (!RUN_STATUSES.includes(finish.status) || (finish.status as string) === 'running')
    throw new TypeError(`finish status must be ok, partial or fatal (got ${String(finish.status)})`)
  checkTime(finish.finishedAt, 'finishedAt')
  if (typeof finish.summary !== 'object' || finish.summary === null || Array.isArray(finish.summary))
    throw new TypeError('summary must be a JSON object')
  checkError(finish.error, 'error')
}

/** Validates `recordItem`'s input. @throws TypeError */
export function checkItem(runId: string, item: ItemRecordInput): void {
  checkText(runId, 'runId')
  checkText(item.app, 'app')
  checkText(item.dataSource, 'dataSource')
  if (typeof item.base !== 'string' || typeof item.ext !== 'string')
    throw new TypeError('base and ext must be strings')
  checkTime(item.date, 'date')
  checkTime(item.recordedAt, 'recordedAt')
  if (!ITEM_STATUSES.includes(item.status))
    throw new TypeError(`status must be ok, failed or quarantined (got ${String(item.status)})`)
  if (!Number.isInteger(item.records) || item.records < 0)
    throw new TypeError('records must be a non-negative integer')
  if (!Number.isFinite(item.durationMs) || item.durationMs < 0)
    throw new TypeError('durationMs must be a non-negative number')
  checkError(item.error, 'error')
}

/** Validates a filter's dates. @throws TypeError */
export function checkFilter(filter: ItemFilter | RunFilter): void {
  if (filter.from !== undefined) checkTime(filter.from, 'from')
  if (filter.to !== undefined) checkTime(filter.to, 'to')
}

/** Whether an item matches a filter (the memory driver's `where`). */
export function itemMatches(item: JournalItem, filter: ItemFilter): boolean {
  const ms = item.date.toMillis()
  return (
    (filter.app === undefined || item.app === filter.app) &&
    (filter.dataSource === undefined || item.dataSource === filter.dataSource) &&
    (filter.runId === undefined || item.runId === filter.runId) &&
    (filter.status === undefined || item.status === filter.status) &&
    (filter.from === undefined || ms >= filter.from.toMillis()) &&
    (filter.to === undefined || ms < filter.to.toMillis())
  )
}

/** Whether a run matches a filter. */
export function runMatches(run: JournalRun, filter: RunFilter): boolean {
  const ms = run.startedAt.toMillis()
  return (
    (filter.runId === undefined || run.runId === filter.runId) &&
    (filter.app === undefined || run.app === filter.app) &&
    (filter.dataSource === undefined || run.dataSource === filter.dataSource) &&
    (filter.status === undefined || run.status === filter.status) &&
    (filter.from === undefined || ms >= filter.from.toMillis()) &&
    (filter.to === undefined || ms < filter.to.toMillis())
  )
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The contract's item order: date, base, ext, recordedAt, run id (code-point order for text, like `collate "C"`). */
export function compareItems(a: JournalItem, b: JournalItem): number {
  return (
    a.date.toMillis() - b.date.toMillis() ||
    byText(a.base, b.base) ||
    byText(a.ext, b.ext) ||
    a.recordedAt.toMillis() - b.recordedAt.toMillis() ||
    byText(a.runId, b.runId)
  )
}

/** The contract's run order: startedAt, then run id. */
export function compareRuns(a: JournalRun, b: JournalRun): number {
  return a.startedAt.toMillis() - b.startedAt.toMillis() || byText(a.runId, b.runId)
}
