import { DateTime } from 'luxon'
import type { CompareOptions } from '../../src/support/compare.js'
import type { ItemProvider, ProviderItem, ProviderWindow, WorkItem } from '../../src/support/items.js'
import { createPrng } from '../../src/util/prng.js'

/** Test helpers for the compare loop: fixtures, a fake provider, and the original's materialised algorithm. */

export const ZONE = 'America/Chicago'

/** A Central wall-clock time from an ISO string without offset. */
export const d = (iso: string): DateTime => DateTime.fromISO(iso, { zone: ZONE })

/** A provider item; the label defaults to `base/ext/date`. */
export function item(
  base: string,
  ext: string,
  date: string,
  dateEnd: string | null = null,
  label = `${base}/${ext}/${date}`,
): ProviderItem<null> {
  return { base, ext, date: d(date), dateEnd: dateEnd === null ? null : d(dateEnd), payload: null, label }
}

/** A provider over a fixed list that applies the provider window rule and records the windows it got. */
export interface RecordingProvider<P> extends ItemProvider<P> {
  readonly windows: ProviderWindow[]
}

/** The window rule of spec §3.2, written independently of the providers under test. */
function inWindow(date: DateTime, { start, end }: ProviderWindow): boolean {
  if (start && date < start) return false
  if (!end) return true
  return date < end || (start !== null && +start === +end && +date === +start)
}

export function arrayProvider<P>(items: readonly ProviderItem<P>[]): RecordingProvider<P> {
  const windows: ProviderWindow[] = []
  return {
    windows,
    async *list(window) {
      windows.push(window)
      for (const it of items) if (inWindow(it.date, window)) yield it
    },
  }
}

/** Compare options with the defaults of a run without dates. */
export function opts(partial: Partial<CompareOptions>): CompareOptions {
  return {
    keyMode: 'base',
    startDate: null,
    endDate: null,
    lastRunDate: null,
    sameDayCutoff: null,
    ...partial,
  }
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of iterable) out.push(x)
  return out
}

const pyDate = (dt: DateTime): string => dt.toFormat('yyyy-MM-dd HH:mm:ssZZ')

/**
 * The original `LastUpdate.compare` (spec §3.5) as written: materialise every target into per-key groups
 * with a cursor each, then walk the sources. Same-day cancels are applied as the original's providers did.
 */
export async function referenceCompare<P>(
  source: ItemProvider<P>,
  target: ItemProvider | null,
  options: CompareOptions,
): Promise<{ items: WorkItem<P>[]; forced: string[] }> {
  const earliest = options.startDate ?? options.lastRunDate
  const window = { start: earliest, end: options.endDate }
  const cutoff = options.sameDayCutoff
  const sameDayCancel = (date: DateTime) => cutoff !== null && options.endDate === null && date >= cutoff
  const baseExt = options.keyMode === 'base+ext'
  const keyOf = (x: ProviderItem) => (baseExt ? JSON.stringify([x.base, x.ext]) : x.base)
  const plusDay = (dt: DateTime) => dt.setZone(ZONE).plus({ days: 1 })
  const groups = new Map<string, { list: ProviderItem[]; cursor: number }>()
  if (target) {
    for (const t of await collect(target.list(window))) {
      if (sameDayCancel(t.date)) continue
      const lower = t.ext.toLowerCase()
      if (!baseExt && (options.ignoreUnitAndSite ?? true)) {
        if (lower.startsWith('unit_data.') || lower.startsWith('site.')) continue
      }
      const group = groups.get(keyOf(t)) ?? { list: [], cursor: 0 }
      group.list.push(t)
      groups.set(keyOf(t), group)
    }
  }
  const items: WorkItem<P>[] = []
  const printed = new Set<string>()
  const forced: string[] = []
  for (const s of await collect(source.list(window))) {
    if (sameDayCancel(s.date)) continue
    let skip = false
    const group = groups.get(keyOf(s))
    if (group) {
      while (group.cursor < group.list.length && (group.list[group.cursor] as ProviderItem).date < s.date) {
        group.cursor += 1
      }
      const t = group.list[group.cursor]
      if (t) {
        const tEnd = t.dateEnd ?? plusDay(t.date)
        const sEnd = s.dateEnd ?? plusDay(s.date)
        if (!(sEnd <= t.date) && !(s.date >= tEnd)) skip = true
      }
    }
    if (options.force && skip) {
      const key = baseExt ? `('${s.base}', '${s.ext}')` : s.base
      const message = `Forcing processing of ${key} for date ${pyDate(s.date)}.`
      if (!printed.has(message)) forced.push(message)
      printed.add(message)
      skip = false
    }
    if (!skip) {
      items.push({
        identifier: { base: s.base, ext: s.ext, date: s.date },
        priorLastUpdate: !options.lastRunDate || s.date < options.lastRunDate,
        provItem: s,
        label: s.label || `Base: ${s.base}; Ext: ${s.ext}; Date: ${pyDate(s.date)}`,
      })
    }
  }
  return { items, forced }
}

/** Seeded PRNG (mulberry32). */
export const prng = createPrng

const BASES = ['A', 'B', 'C']
const EXTS = ['csv', 'json', 'unit_data.json', 'Site.json', 'UNIT_DATA.csv']

/** A random compare scenario over 10 days around the 2019 fall-back DST change. */
export function randomScenario(rand: () => number): {
  source: ProviderItem<null>[]
  target: ProviderItem<null>[]
  options: CompareOptions
} {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const first = d('2019-10-30')
  const day = () => first.plus({ days: Math.floor(rand() * 10) })
  const randomItem = (): ProviderItem<null> => {
    const roll = rand()
    const date = roll < 0.7 ? day() : day().plus({ hours: Math.floor(rand() * 24) })
    const endRoll = rand()
    const dateEnd =
      endRoll < 0.55
        ? null
        : endRoll < 0.85
          ? date.plus({ days: 1 + Math.floor(rand() * 3) })
          : date.plus({ hours: Math.floor(rand() * 30) })
    const label = rand() < 0.1 ? '' : `${Math.floor(rand() * 1e6)}`
    return { base: pick(BASES), ext: pick(EXTS), date, dateEnd, payload: null, label }
  }
  const sorted = (n: number) =>
    Array.from({ length: n }, randomItem).sort((a, b) => a.date.toMillis() - b.date.toMillis())
  const maybeDay = (p: number) => (rand() < p ? day() : null)
  const startDate = maybeDay(0.3)
  const endRoll = rand()
  const endDate = endRoll < 0.5 ? null : endRoll < 0.6 ? startDate : day()
  return {
    source: sorted(Math.floor(rand() * 16)),
    target: sorted(Math.floor(rand() * 24)),
    options: opts({
      keyMode: rand() < 0.5 ? 'base' : 'base+ext',
      startDate,
      endDate,
      lastRunDate: maybeDay(0.3),
      sameDayCutoff: maybeDay(0.4),
      force: rand() < 0.3,
      ignoreUnitAndSite: pick([undefined, true, false]),
    }),
  }
}

/** A work item as `base|ext|YYYY-MM-DD[THH:mm][|prior]`. */
export const show = (w: WorkItem): string => {
  const { base, ext, date } = w.identifier
  const time = date.toFormat('HH:mm')
  return `${base}|${ext}|${date.toISODate()}${time === '00:00' ? '' : `T${time}`}${w.priorLastUpdate ? '|prior' : ''}`
}
