import {
  type ItemFilter,
  type ItemRecordInput,
  itemKey,
  type JournalItem,
  type JournalReadOptions,
  type JournalRun,
  newRunId,
  type RunFilter,
  type RunFinish,
  type RunJournal,
  type RunMeta,
} from '../../support/run-journal.js'
import {
  checkFilter,
  checkItem,
  checkRunFinish,
  checkRunMeta,
  compareItems,
  compareRuns,
  itemMatches,
  runMatches,
} from './checks.js'

/** Options of {@link createMemoryJournal}. */
export interface MemoryJournalOptions {
  /** Driver name for logs. @default 'memory' */
  readonly name?: string
}

/** A run journal held in memory (tests, the `memory` catalog backend); gone when the process ends. */
export function createMemoryJournal(options: MemoryJournalOptions = {}): RunJournal {
  const name = options.name ?? 'memory'
  const runs = new Map<string, JournalRun>()
  const items = new Map<string, JournalItem>()
  let closed = false
  const ensureOpen = (): void => {
    if (closed) throw new Error(`Run journal ${name} is closed`)
  }
  const knownRun = (runId: string): JournalRun => {
    const run = runs.get(runId)
    if (!run) throw new Error(`Unknown run ${JSON.stringify(runId)}`)
    return run
  }

  return {
    name,

    async startRun(meta: RunMeta): Promise<string> {
      checkRunMeta(meta)
      ensureOpen()
      const runId = newRunId(meta.startedAt)
      runs.set(runId, {
        runId,
        app: meta.app,
        dataSource: meta.dataSource,
        status: 'running',
        startedAt: meta.startedAt,
        finishedAt: null,
        args: structuredClone(meta.args ?? {}),
        summary: null,
        error: null,
      })
      return runId
    },

    async recordItem(runId: string, item: ItemRecordInput): Promise<void> {
      checkItem(runId, item)
      ensureOpen()
      knownRun(runId)
      const stored: JournalItem = { ...item, runId, error: item.error ? structuredClone(item.error) : null }
      items.set(`${runId}\u0000${itemKey(item)}`, stored)
    },

    async finishRun(runId: string, finish: RunFinish): Promise<void> {
      checkRunFinish(finish)
      ensureOpen()
      const run = knownRun(runId)
      runs.set(runId, {
        ...run,
        status: finish.status,
        finishedAt: finish.finishedAt,
        summary: structuredClone(finish.summary),
        error: finish.error ? structuredClone(finish.error) : null,
      })
    },

    async *items(filter: ItemFilter = {}, readOptions?: JournalReadOptions): AsyncIterable<JournalItem> {
      checkFilter(filter)
      ensureOpen()
      const selected = [...items.values()].filter((item) => itemMatches(item, filter)).sort(compareItems)
      for (const item of selected) {
        readOptions?.signal?.throwIfAborted()
        yield { ...item, error: item.error ? structuredClone(item.error) : null }
      }
    },

    async *runs(filter: RunFilter = {}, readOptions?: JournalReadOptions): AsyncIterable<JournalRun> {
      checkFilter(filter)
      ensureOpen()
      const selected = [...runs.values()].filter((run) => runMatches(run, filter)).sort(compareRuns)
      for (const run of selected) {
        readOptions?.signal?.throwIfAborted()
        yield {
          ...run,
          args: structuredClone(run.args),
          summary: run.summary ? structuredClone(run.summary) : null,
          error: run.error ? structuredClone(run.error) : null,
        }
      }
    },

    async lastRunId(app: string): Promise<string | null> {
      ensureOpen()
      const mine = [...runs.values()].filter((run) => run.app === app).sort(compareRuns)
      return mine.at(-1)?.runId ?? null
    },

    async close(): Promise<void> {
      closed = true
    },
  }
}
