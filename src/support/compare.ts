import { DateTime } from 'luxon'
import { addDays, formatPyTs, startOfLocalDay } from '../util/dates.js'
import { InputError } from './errors.js'
import type { ItemProvider, KeyMode, ProviderItem, ProviderWindow, WorkItem } from './items.js'

/** Settings of one compare run (spec §3.3–3.5). */
export interface CompareOptions {
  /** Match on `base` only, or on `(base, ext)`. */
  readonly keyMode: KeyMode
  /** `-s`: inclusive lower bound of the window; wins over `lastRunDate`. */
  readonly startDate: DateTime | null
  /** `-e`: exclusive upper bound of the window (`startDate` equal to it means exactly that instant). */
  readonly endDate: DateTime | null
  /** `-r`: lower bound when there is no `startDate`; also decides `priorLastUpdate`. */
  readonly lastRunDate: DateTime | null
  /** `-F`: process items even when the target already has them. @default false */
  readonly force?: boolean | undefined
  /** `--lookback`: force only the items dated at or after this instant (late data of the last days). */
  readonly forceFrom?: DateTime | null | undefined
  /**
   * `--reprocess-newer`: process a source item the target has when the source item was written after the target
   * item (both `updated` known). @default false
   */
  readonly reprocessNewer?: boolean | undefined
  /**
   * In `base` mode, ignore target items whose ext (lower-cased) starts with `unit_data.` or `site.`
   * (the original's `baseUnitOpt`). Has no effect in `base+ext` mode. @default true
   */
  readonly ignoreUnitAndSite?: boolean | undefined
  /**
   * Today's local midnight (see {@link sameDayCutoff}). When there is no `endDate`, items of both listings
   * dated at or after it are skipped (the original's `_isSameDayCancel`). `null` disables the rule.
   */
  readonly sameDayCutoff: DateTime | null
  /** Called once per distinct `Forcing processing of <key> for date <date>.` message. */
  readonly onForce?: ((message: string) => void) | undefined
  /** Aborts the listing; the iterator then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined
}

/** The same-day cut-off for a run started at `now`: local midnight of that day. */
export function sameDayCutoff(now: DateTime): DateTime {
  return startOfLocalDay(now)
}

interface Buffered {
  readonly key: string
  readonly start: number
  readonly date: DateTime
  readonly dateEnd: DateTime | null
  readonly updated: number | null
}

interface KeyQueue {
  readonly items: Buffered[]
  head: number
}

/** Exclusive end of an item's interval: its `dateEnd`, or one wall-clock day after `date`. */
function intervalEnd(date: DateTime, dateEnd: DateTime | null): number {
  return (dateEnd ?? addDays(date, 1)).toMillis()
}

function orderMessage(item: ProviderItem, which: string): string {
  const label = item.label || `Base: ${item.base}; Ext: ${item.ext}`
  return `${which} listing is not in ascending date order: ${label} (${item.date.toISO()})`
}

function createOrderCheck(which: string): (item: ProviderItem) => number {
  let previous = Number.NEGATIVE_INFINITY
  let previousDate: DateTime | null = null
  return (item) => {
    const ms = item.date.toMillis()
    if (ms < previous) {
      throw new InputError(
        `${orderMessage(item, which)} comes after an item dated ${previousDate?.toISO() ?? ''}`,
      )
    }
    previous = ms
    previousDate = item.date
    return ms
  }
}

/**
 * Lazily pulls the target listing just far enough for the current source item and keeps only the targets
 * that a later source item could still meet (date at or after the current source date).
 */
function createTargetWindow(
  listing: AsyncIterable<ProviderItem>,
  keyOf: (item: ProviderItem) => string | null,
  cutoff: number | null,
) {
  const iterator = listing[Symbol.asyncIterator]()
  const check = createOrderCheck('Target')
  const queue: Buffered[] = []
  let queueHead = 0
  const byKey = new Map<string, KeyQueue>()
  let lastPulled = Number.NEGATIVE_INFINITY
  let exhausted = false

  function evictBefore(start: number): void {
    while (queueHead < queue.length) {
      const front = queue[queueHead] as Buffered
      if (front.start >= start) break
      queueHead += 1
      const keyQueue = byKey.get(front.key) as KeyQueue
      keyQueue.head += 1
      if (keyQueue.head >= keyQueue.items.length) byKey.delete(front.key)
      else if (keyQueue.head > 64 && keyQueue.head * 2 > keyQueue.items.length) {
        keyQueue.items.splice(0, keyQueue.head)
        keyQueue.head = 0
      }
    }
    if (queueHead > 1024 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead)
      queueHead = 0
    }
  }

  function front(key: string): Buffered | undefined {
    const keyQueue = byKey.get(key)
    return keyQueue?.items[keyQueue.head]
  }

  async function pullOne(sourceStart: number): Promise<void> {
    const next = await iterator.next()
    if (next.done) {
      exhausted = true
      return
    }
    const item = next.value
    const start = check(item)
    lastPulled = start
    if (cutoff !== null && start >= cutoff) {
      exhausted = true
      await iterator.return?.()
      return
    }
    const key = keyOf(item)
    if (key === null || start < sourceStart) return
    const entry: Buffered = {
      key,
      start,
      date: item.date,
      dateEnd: item.dateEnd,
      updated: item.updated?.toMillis() ?? null,
    }
    queue.push(entry)
    const keyQueue = byKey.get(key)
    if (keyQueue) keyQueue.items.push(entry)
    else byKey.set(key, { items: [entry], head: 0 })
  }

  return {
    /** The first target of `key` dated at or after `start`, pulling no further than `end` needs. */
    async firstAtOrAfter(key: string, start: number, end: number): Promise<Buffered | undefined> {
      evictBefore(start)
      while (!exhausted && front(key) === undefined && lastPulled < end) await pullOne(start)
      return front(key)
    },
    async close(): Promise<void> {
      if (!exhausted) {
        exhausted = true
        await iterator.return?.()
      }
    },
  }
}

/**
 * The compare loop (spec §3.4–3.5): yields every source item that the target does not already hold,
 * ascending by date. Both listings are merged as streams, so memory is bounded by the targets of the
 * current source item's interval, never by the size of either listing.
 *
 * A source item is skipped when the first target with the same key dated at or after it overlaps its
 * interval `[date, dateEnd ?? date + 1 day)`; `force` processes it anyway, and `reprocessNewer` does when the
 * source item was written after that target. Either listing going backwards
 * in date rejects with an `E_INPUT` {@link InputError}.
 */
export async function* compareItems<P>(
  source: ItemProvider<P>,
  target: ItemProvider | null,
  options: CompareOptions,
): AsyncGenerator<WorkItem<P>, void, undefined> {
  const { keyMode, startDate, endDate, lastRunDate, signal } = options
  const ignoreUnitAndSite = keyMode === 'base' && (options.ignoreUnitAndSite ?? true)
  const cutoff = endDate === null && options.sameDayCutoff !== null ? options.sameDayCutoff.toMillis() : null
  const window: ProviderWindow = { start: startDate ?? lastRunDate, end: endDate }
  const listOptions = signal ? { signal } : undefined
  const keyText = (item: ProviderItem): string =>
    keyMode === 'base' ? item.base : `${item.base}\u0000${item.ext}`
  const targetKey = (item: ProviderItem): string | null => {
    if (ignoreUnitAndSite) {
      const ext = item.ext.toLowerCase()
      if (ext.startsWith('unit_data.') || ext.startsWith('site.')) return null
    }
    return keyText(item)
  }
  const lastRunMs = lastRunDate?.toMillis() ?? null
  const checkSource = createOrderCheck('Source')
  const targets = target ? createTargetWindow(target.list(window, listOptions), targetKey, cutoff) : null
  const forced = new Set<string>()
  let forcedDate = Number.NaN

  try {
    for await (const item of source.list(window, listOptions)) {
      signal?.throwIfAborted()
      const start = checkSource(item)
      if (cutoff !== null && start >= cutoff) break
      let skip = false
      let found: Buffered | undefined
      if (targets) {
        const end = intervalEnd(item.date, item.dateEnd)
        found = await targets.firstAtOrAfter(keyText(item), start, end)
        if (found) skip = !(end <= found.start) && !(start >= intervalEnd(found.date, found.dateEnd))
      }
      const updated = item.updated?.toMillis() ?? null
      if (
        skip &&
        options.reprocessNewer &&
        updated !== null &&
        found?.updated != null &&
        updated > found.updated
      ) {
        options.onForce?.(
          `Reprocessing ${item.label || item.base} for date ${formatPyTs(item.date)}: the source changed at ` +
            `${formatPyTs(item.updated as DateTime)}, after the target was processed at ` +
            `${formatPyTs(DateTime.fromMillis(found.updated, { zone: item.date.zone }))}.`,
        )
        skip = false
      }
      const forceFrom = options.forceFrom?.toMillis()
      if (skip && (options.force || (forceFrom !== undefined && start >= forceFrom))) {
        if (start !== forcedDate) {
          forced.clear()
          forcedDate = start
        }
        const key = keyMode === 'base' ? item.base : `('${item.base}', '${item.ext}')`
        const message = `Forcing processing of ${key} for date ${formatPyTs(item.date)}.`
        if (!forced.has(message)) {
          forced.add(message)
          options.onForce?.(message)
        }
        skip = false
      }
      if (skip) continue
      yield {
        identifier: { base: item.base, ext: item.ext, date: item.date },
        priorLastUpdate: lastRunMs === null || start < lastRunMs,
        provItem: item,
        label: item.label || `Base: ${item.base}; Ext: ${item.ext}; Date: ${formatPyTs(item.date)}`,
      }
    }
    signal?.throwIfAborted()
  } finally {
    await targets?.close()
  }
}
