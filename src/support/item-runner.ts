import type { CatalogStage } from './catalog.js'
import type { WorkItem } from './items.js'

/** The part of the catalog facade {@link runWorkItems} needs. */
export interface StagingCatalog {
  withStage<T>(stage: CatalogStage, fn: () => Promise<T>): Promise<T>
  commitUpsert(stage?: CatalogStage): Promise<number>
}

/** Options of {@link runWorkItems}. */
export interface RunWorkItemsOptions {
  /** Items in flight at once; 1 processes them one after another. */
  readonly concurrency: number
  readonly catalog: StagingCatalog
  /**
   * Processes one item (`index` counts from 0 in work order). It handles the item's own failure; a rejection is
   * fatal: no further item starts, the ones in flight finish, and the rejection is rethrown.
   */
  readonly process: (item: WorkItem, index: number) => Promise<void>
  /** Checked before each item starts; `true` stops the run (the items in flight finish). */
  readonly stop?: () => boolean
  /**
   * When finished days are committed. Default: each day as soon as it is finished (the original's commit at every
   * change of date).
   */
  readonly commit?: CommitPolicy
}

/** Batching of catalog commits: finished days wait until one of the limits is reached. */
export interface CommitPolicy {
  /** Commit once this many staged rows of finished days are waiting (0: every finished day at once). */
  readonly rows: number
  /** Commit at the latest this long after the oldest waiting day finished. */
  readonly maxWaitMs: number
}

/** One stage holding every entry of `days` (a later day's entry wins on the same key). */
function mergeStages(days: readonly { readonly stage: CatalogStage }[]): CatalogStage {
  const merged: CatalogStage = new Map()
  for (const day of days) for (const [key, entry] of day.stage) merged.set(key, entry)
  return merged
}

interface Day {
  readonly ms: number
  readonly stage: CatalogStage
  pending: number
  closed: boolean
}

/**
 * Runs the compare loop's work items with at most `concurrency` in flight, keeping the per-day catalog order of
 * the original: the rows an item stages go to its day's stage, and a day's stage is committed once every item of
 * that day (and of every earlier day) has finished, days strictly in order. With a {@link CommitPolicy}, finished
 * days are gathered into one upsert until enough rows wait or the oldest has waited long enough. The listing is
 * pulled only when a slot is free, so with `concurrency` 1 and the default policy this is exactly the sequential
 * loop (commit at each change of date). Staged rows of finished items are committed also when the run stops early
 * or fails. Returns the number of items started.
 */
export async function runWorkItems(
  work: AsyncIterable<WorkItem>,
  options: RunWorkItemsOptions,
): Promise<number> {
  const { catalog, concurrency } = options
  const days: Day[] = []
  const inFlight = new Set<Promise<void>>()
  let current = null as Day | null
  let started = 0
  let fatal = null as { error: unknown } | null
  let commitFailure = null as { error: unknown } | null
  let commits: Promise<void> = Promise.resolve()
  const policy = options.commit ?? { rows: 0, maxWaitMs: 0 }
  const waiting: Day[] = []
  let waitingRows = 0
  let timer: ReturnType<typeof setTimeout> | null = null

  const commitReady = (final = false): Promise<void> => {
    commits = commits.then(async () => {
      while (days[0]?.closed && days[0].pending === 0) {
        const day = days.shift() as Day
        waiting.push(day)
        waitingRows += day.stage.size
      }
      if (commitFailure || waiting.length === 0) return
      if (!final && policy.rows > 0 && waitingRows < policy.rows && policy.maxWaitMs > 0) {
        timer ??= setTimeout(() => {
          timer = null
          void commitReady(true)
        }, policy.maxWaitMs)
        return
      }
      if (timer) clearTimeout(timer)
      timer = null
      const ready = waiting.splice(0)
      waitingRows = 0
      const batches = policy.rows > 0 ? [mergeStages(ready)] : ready.map((day) => day.stage)
      for (const batch of batches) {
        try {
          await catalog.commitUpsert(batch)
        } catch (error) {
          commitFailure = { error }
          return
        }
      }
    })
    return commits
  }

  const iterator = work[Symbol.asyncIterator]()
  let exhausted = false
  try {
    for (;;) {
      while (inFlight.size >= concurrency) await Promise.race(inFlight)
      if (fatal || commitFailure || options.stop?.()) break
      const next = await iterator.next()
      if (next.done) {
        exhausted = true
        break
      }
      const item = next.value
      const ms = item.identifier.date.toMillis()
      if (current?.ms !== ms) {
        if (current) {
          current.closed = true
          await commitReady()
          if (commitFailure) break
        }
        current = { ms, stage: new Map(), pending: 0, closed: false }
        days.push(current)
      }
      const day = current
      const index = started
      started += 1
      day.pending += 1
      const task: Promise<void> = catalog
        .withStage(day.stage, () => options.process(item, index))
        .catch((error: unknown) => {
          fatal ??= { error }
        })
        .finally(async () => {
          day.pending -= 1
          inFlight.delete(task)
          await commitReady()
        })
      inFlight.add(task)
    }
  } catch (error) {
    fatal ??= { error }
  } finally {
    await Promise.all(inFlight)
    for (const day of days) day.closed = true
    await commitReady(true)
    if (timer) clearTimeout(timer)
    if (!exhausted) await iterator.return?.().catch(() => undefined)
  }
  const failure = fatal ?? commitFailure
  if (failure) throw failure.error
  return started
}
