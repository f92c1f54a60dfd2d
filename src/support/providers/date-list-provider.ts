import type { DateTime } from 'luxon'
import { formatDay } from '../../util/dates.js'
import type { ItemProvider, ProviderItem, ProviderWindow } from '../items.js'
import { inProviderWindow } from './file-provider.js'

/** Settings of {@link createDateListProvider}. */
export interface DateListProviderOptions {
  /** `base` of every item (e.g. `Austin`). */
  readonly base: string
  /** `ext` of every item (e.g. `csv`). */
  readonly ext: string
  /**
   * The days that have data. Receives the window with `end: null` when `start` equals `end` (as the
   * original's `LastUpdDB` queried its database); need not be sorted.
   */
  readonly listDates: (window: ProviderWindow) => AsyncIterable<DateTime> | Promise<readonly DateTime[]>
}

async function collect(
  dates: AsyncIterable<DateTime> | Promise<readonly DateTime[]>,
): Promise<readonly DateTime[]> {
  if (Symbol.asyncIterator in dates) {
    const all: DateTime[] = []
    for await (const date of dates) all.push(date)
    return all
  }
  return dates
}

/**
 * Lists the days a database has data for (the original's `LastUpdDB`, spec §3.2): one item per distinct day,
 * ascending, with the day as payload and `<base>_<YYYY-MM-DD>.<ext>` as label. Days outside the window
 * (by the provider window rule) are dropped, so `start == end` lists that day only.
 */
export function createDateListProvider(options: DateListProviderOptions): ItemProvider<DateTime> {
  return {
    async *list(window) {
      const { start, end } = window
      const same = start !== null && end !== null && start.toMillis() === end.toMillis()
      const dates = await collect(options.listDates(same ? { start, end: null } : window))
      const seen = new Set<number>()
      const kept = dates.filter((date) => {
        const ms = date.toMillis()
        if (seen.has(ms) || !inProviderWindow(date, window)) return false
        seen.add(ms)
        return true
      })
      kept.sort((a, b) => a.toMillis() - b.toMillis())
      for (const date of kept) {
        const item: ProviderItem<DateTime> = {
          base: options.base,
          ext: options.ext,
          date,
          dateEnd: null,
          payload: date,
          label: `${options.base}_${formatDay(date)}.${options.ext}`,
        }
        yield item
      }
    },
  }
}
