import { DateTime } from 'luxon'
import type { CatalogEntry } from '../../src/support/catalog-driver.js'

/** The lake's zone, spelled out so the tests do not depend on the machine's TZ. */
export const CHICAGO = 'America/Chicago'

/** A Central wall time (`2019-06-01`, `2019-06-01T03:00:20.104`) or an ISO instant with offset. */
export function at(text: string): DateTime {
  const value = DateTime.fromISO(text, { zone: CHICAGO, setZone: /[zZ]|[+-]\d\d:?\d\d$/.test(text) })
  if (!value.isValid) throw new Error(`bad test date ${text}`)
  return value
}

/** Fields a test may set on a {@link row}; `date` is shorthand for `collectionDate`. */
export type RowSpec = Partial<Omit<CatalogEntry, 'collectionDate'>> & { date?: string | DateTime }

/** A catalog entry with realistic defaults (a Bluetooth `matched.json` of 2019-06-01 in `rawjson`). */
export function row(spec: RowSpec = {}): CatalogEntry {
  const { date, ...rest } = spec
  const collectionDate = typeof date === 'string' ? at(date) : (date ?? at('2019-06-01'))
  const idBase = rest.idBase ?? 'austin'
  const idExt = rest.idExt ?? 'matched.json'
  return {
    repository: 'rawjson',
    dataSource: 'bt',
    idBase,
    idExt,
    pointer: `${collectionDate.toFormat('yyyy/MM/dd')}/bt/${idBase}_bt_${collectionDate.toISODate()}_${idExt}`,
    collectionDate,
    collectionEnd: null,
    processingDate: at('2019-06-02T03:00:20.104'),
    metadata: null,
    ...rest,
  }
}

/** Most items {@link collect} accepts: a driver that pages forever fails fast instead of exhausting memory. */
export const COLLECT_LIMIT = 50_000

/** Drains an async iterable into an array; throws past {@link COLLECT_LIMIT} items. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) {
    if (out.length >= COLLECT_LIMIT) throw new Error(`query yielded more than ${COLLECT_LIMIT} rows`)
    out.push(item)
  }
  return out
}

/** `date|base|ext` of an entry, comparable across drivers (instant in ms). */
export function keyOf(entry: CatalogEntry): string {
  return `${entry.collectionDate.toMillis()}|${entry.idBase}|${entry.idExt}`
}

/** Sort comparator of the contract's order: date (asc or desc), then base, ext ascending (ASCII ids). */
export function contractOrder(order: 'asc' | 'desc'): (a: CatalogEntry, b: CatalogEntry) => number {
  const sign = order === 'asc' ? 1 : -1
  return (a, b) => {
    const byDate = a.collectionDate.toMillis() - b.collectionDate.toMillis()
    if (byDate !== 0) return sign * byDate
    if (a.idBase !== b.idBase) return a.idBase < b.idBase ? -1 : 1
    if (a.idExt !== b.idExt) return a.idExt < b.idExt ? -1 : 1
    return 0
  }
}

/** `count` rows spread over `days` consecutive Central days from 2020-01-01, several per day (ties). */
export function manyRows(count: number, days: number, spec: RowSpec = {}): CatalogEntry[] {
  const start = at('2020-01-01')
  const out: CatalogEntry[] = []
  for (let i = 0; i < count; i++) {
    const date = start.plus({ days: i % days })
    const idBase = `b${String(Math.floor(i / days)).padStart(4, '0')}`
    out.push(row({ date, idBase, idExt: 'x.json', pointer: `p${i}`, ...spec }))
  }
  return out
}

/** Projection of an entry for deep equality: ISO texts for dates, everything else as is. */
export function view(entry: CatalogEntry): Record<string, unknown> {
  return {
    repository: entry.repository,
    dataSource: entry.dataSource,
    idBase: entry.idBase,
    idExt: entry.idExt,
    pointer: entry.pointer,
    collectionDate: entry.collectionDate.setZone(CHICAGO).toISO(),
    collectionEnd: entry.collectionEnd?.setZone(CHICAGO).toISO() ?? null,
    processingDate: entry.processingDate?.setZone(CHICAGO).toISO() ?? null,
    metadata: entry.metadata,
  }
}
