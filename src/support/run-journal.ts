import { randomBytes } from 'node:crypto'
import type { DateTime } from 'luxon'
import type { ItemIdentifier } from './items.js'
import { SECRET_FIELDS } from './logger.js'

/** A JSON value as stored in the journal's `jsonb` columns. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }

/** How one item ended: done, failed (a retry may help) or quarantined (bad input; a retry will not help). */
export type ItemStatus = 'ok' | 'failed' | 'quarantined'

/** Every {@link ItemStatus}. */
export const ITEM_STATUSES: readonly ItemStatus[] = ['ok', 'failed', 'quarantined']

/** A run's state: `running` until `finishRun`, then how it ended. */
export type RunStatus = 'running' | 'ok' | 'partial' | 'fatal'

/** Every {@link RunStatus}. */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'ok', 'partial', 'fatal']

/** An error as the journal keeps it: no stack, no objects, secrets redacted. */
export interface JournalError {
  /** The error's message (redacted). */
  readonly message: string
  /** The error's `code` (`E_STORAGE`, `ECONNREFUSED`, `23505`), or `null`. */
  readonly code: string | null
  /** Messages of the `cause` chain (and of an AggregateError's errors), outermost first, redacted. */
  readonly causes: readonly string[]
}

/** What is known when a run starts. */
export interface RunMeta {
  /** App command name (`bt-json-standard`). */
  readonly app: string
  /** Two-letter data source (`bt`). */
  readonly dataSource: string
  readonly startedAt: DateTime
  /** The run's arguments (see {@link sanitizeArgs}); a retry re-uses the app's own options from here. */
  readonly args?: JsonObject
}

/** How a run ended, given to `finishRun`. */
export interface RunFinish {
  readonly status: Exclude<RunStatus, 'running'>
  readonly finishedAt: DateTime
  /** Totals and anything else worth keeping (`{ records, items, failed }`). */
  readonly summary: JsonObject
  /** The fatal error, when `status` is `fatal`. */
  readonly error?: JournalError | null
}

/** One item's outcome, given to `recordItem`. */
export interface ItemRecordInput {
  readonly app: string
  readonly dataSource: string
  /** The work item's `(base, ext, date)`. */
  readonly base: string
  readonly ext: string
  readonly date: DateTime
  /** The item's printable label (a path or pointer). */
  readonly label: string
  readonly status: ItemStatus
  /** Why it failed (required unless `status` is `ok`). */
  readonly error?: JournalError | null
  /** Records the item produced (0 when it failed). */
  readonly records: number
  /** Processing time in milliseconds. */
  readonly durationMs: number
  /** When the outcome was known; orders outcomes of the same item. */
  readonly recordedAt: DateTime
}

/** One recorded item outcome. */
export interface JournalItem extends ItemRecordInput {
  readonly runId: string
  readonly error: JournalError | null
}

/** One recorded run. */
export interface JournalRun {
  readonly runId: string
  readonly app: string
  readonly dataSource: string
  readonly status: RunStatus
  readonly startedAt: DateTime
  readonly finishedAt: DateTime | null
  readonly args: JsonObject
  readonly summary: JsonObject | null
  readonly error: JournalError | null
}

/** Which items `items()` streams; every given field must match. */
export interface ItemFilter {
  readonly app?: string
  readonly dataSource?: string
  readonly runId?: string
  readonly status?: ItemStatus
  /** Item date (`date`) at or after. */
  readonly from?: DateTime
  /** Item date before (exclusive). */
  readonly to?: DateTime
}

/** Which runs `runs()` streams; every given field must match. */
export interface RunFilter {
  readonly runId?: string
  readonly app?: string
  readonly dataSource?: string
  readonly status?: RunStatus
  /** Started at or after. */
  readonly from?: DateTime
  /** Started before (exclusive). */
  readonly to?: DateTime
}

/** Options of a streaming read. */
export interface JournalReadOptions {
  readonly signal?: AbortSignal
}

/**
 * The run journal: what every run did, item by item, so that `plan` can show what failed and `retry` can re-run
 * exactly that. Drivers: memory, SQL (PGlite, PostgreSQL) and PostgREST, over tables `etl_run` and `etl_run_item`.
 */
export interface RunJournal {
  /** Driver name for logs. */
  readonly name: string
  /** Records a new run in state `running`; resolves its id (see {@link newRunId}). */
  startRun(meta: RunMeta): Promise<string>
  /** Records an item's outcome; a second outcome of the same `(base, ext, date)` in one run replaces the first. */
  recordItem(runId: string, item: ItemRecordInput): Promise<void>
  /** Marks a run finished. Rejects for an unknown run. */
  finishRun(runId: string, finish: RunFinish): Promise<void>
  /** Item outcomes, ordered by item date, base, ext, then `recordedAt` and run id (the latest outcome last). */
  items(filter?: ItemFilter, options?: JournalReadOptions): AsyncIterable<JournalItem>
  /** Runs, ordered by `startedAt`, then run id. */
  runs(filter?: RunFilter, options?: JournalReadOptions): AsyncIterable<JournalRun>
  /** The id of the app's most recently started run, or `null`. */
  lastRunId(app: string): Promise<string | null>
  /** Releases the driver; idempotent. */
  close(): Promise<void>
}

/** A new run id: the UTC start time and 8 random hex digits (`20190602T080001-1a2b3c4d`), sortable by start. */
export function newRunId(startedAt: DateTime): string {
  return `${startedAt.toUTC().toFormat("yyyyMMdd'T'HHmmss")}-${randomBytes(4).toString('hex')}`
}

/** The identity of an item across runs: `base`, `ext` and the date's instant. */
export function itemKey(item: {
  readonly base: string
  readonly ext: string
  readonly date: DateTime
}): string {
  return `${item.base}\u0000${item.ext}\u0000${item.date.toMillis()}`
}

/** {@link itemKey} of a work item's identifier. */
export function identifierKey(id: ItemIdentifier): string {
  return itemKey(id)
}

/** The latest outcome of every item in `items` (keyed by {@link itemKey}; a later `recordedAt` wins). */
export async function latestOutcomes(items: AsyncIterable<JournalItem>): Promise<Map<string, JournalItem>> {
  const out = new Map<string, JournalItem>()
  for await (const item of items) {
    const key = itemKey(item)
    const seen = out.get(key)
    if (!seen || item.recordedAt.toMillis() >= seen.recordedAt.toMillis()) out.set(key, item)
  }
  return out
}

const MAX_TEXT = 2000
const MAX_CAUSES = 10
const SECRET_NAMES = SECRET_FIELDS.map((f) => f.toLowerCase())
const REDACTIONS: readonly [RegExp, string][] = [
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, '$1:[redacted]@'],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[redacted]'],
  [
    /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|session[_-]?token|app[_-]?token)(["']?\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s"'&,;]+)/gi,
    '$1$2[redacted]',
  ],
]

/** Removes credentials from text: URL passwords, bearer/basic credentials, JWTs, `password=…`-style pairs. */
export function redactSecrets(text: string): string {
  let out = text
  for (const [pattern, replacement] of REDACTIONS) out = out.replace(pattern, replacement)
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return redactSecrets(value.message || value.name)
  return redactSecrets(String(value))
}

/** An error as the journal keeps it: message, code and the messages of the `cause` chain, all redacted. */
export function toJournalError(error: unknown): JournalError {
  const code = (error as { code?: unknown } | null)?.code
  const causes: string[] = []
  const seen = new Set<unknown>([error])
  const queue: unknown[] = []
  const push = (value: unknown): void => {
    if (value instanceof AggregateError) queue.push(...value.errors)
    const cause = (value as { cause?: unknown } | null)?.cause
    if (cause !== undefined && cause !== null) queue.push(cause)
  }
  push(error)
  while (queue.length > 0 && causes.length < MAX_CAUSES) {
    const next = queue.shift()
    if (seen.has(next)) continue
    seen.add(next)
    causes.push(messageOf(next))
    push(next)
  }
  return {
    message: messageOf(error),
    code: typeof code === 'string' || typeof code === 'number' ? String(code) : null,
    causes,
  }
}

function toJson(value: unknown, depth: number): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (depth > 4 || typeof value !== 'object') return undefined
  if (typeof (value as { toISO?: unknown }).toISO === 'function') {
    return (value as { toISO(): string | null }).toISO()
  }
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1) ?? null)
  return sanitizeObject(value as Record<string, unknown>, depth + 1)
}

function sanitizeObject(args: Readonly<Record<string, unknown>>, depth: number): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(args)) {
    if (key === '_' || key === '$0' || value === undefined) continue
    if (SECRET_NAMES.some((name) => key.toLowerCase().replaceAll('-', '_').includes(name))) continue
    const json = toJson(value, depth)
    if (json !== undefined) out[key] = json
  }
  return out
}

/**
 * A run's arguments as JSON for the journal: drops yargs' `_`/`$0`, `undefined`, functions and fields named like
 * a secret ({@link SECRET_FIELDS}); DateTimes become ISO text.
 */
export function sanitizeArgs(args: Readonly<Record<string, unknown>>): JsonObject {
  return sanitizeObject(args, 0)
}

/**
 * The journal of a driver set, when it has one. The `DriverSet.journal()` factory is optional so that this module
 * works with sets that do not offer a journal (they yield `null`).
 */
export function journalOf(drivers: object): RunJournal | null {
  const factory = (drivers as { journal?: unknown }).journal
  return typeof factory === 'function' ? ((factory as () => RunJournal | null).call(drivers) ?? null) : null
}
