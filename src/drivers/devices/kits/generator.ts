/**
 * Deterministic synthetic KITS data (spec §9.5, §11.2, §11.5): intersections with 4–8 Wavetronix detectors each,
 * 15-minute history rows per detector, the two KITS tables on PostgreSQL or PGlite, and the matching Knack-like
 * radar unit data (`wt_unit_data.json` of the local profile).
 */
import { DateTime } from 'luxon'
import type { UnitDataDocument, UnitDevice } from '../../../support/unit-data.js'
import { addDays, formatDay, formatPyTs, startOfLocalDay } from '../../../util/dates.js'
import { createPrng } from '../../../util/prng.js'
import type { SqlQueryable } from '../../sql/sql-client.js'
import { checkTableName, DEFAULT_KITS_TABLES } from './queries.js'
import type { KitsTables } from './types.js'

/** One detector of an intersection. */
export interface KitsDetector {
  /** `DETID`, unique over all intersections. */
  readonly detId: number
  /** `DETNAME`: `NB_out`, `NB_in`, `SB_out`, … */
  readonly detName: string
}

/** One simulated KITS intersection with its Knack location fields. */
export interface KitsIntersection {
  /** `INTID` = Knack `KITS_ID`. */
  readonly intId: number
  /** `INTNAME`, the two street names run together in capitals (`LAMARMANCHACA`). */
  readonly intName: string
  readonly detectors: readonly KitsDetector[]
  /** Whether Knack lists a radar for it; the rows of the others are dropped by `wt-ready`. */
  readonly hasRadar: boolean
  readonly primarySt: string
  readonly crossSt: string
  readonly lat: number
  readonly lon: number
  readonly ip: string
  readonly atdDeviceId: number
  readonly atdLocationId: string
  readonly coaIntersectionId: number
  readonly primaryStSegmentId: number
  readonly crossStSegmentId: number
}

/** One `SYSDETHISTORYRM` row as written (`wall` is the naive `CURDATETIME`). */
export interface KitsHistoryRow {
  readonly detId: number
  /** `YYYY-MM-DD HH:MM:SS`, Central wall clock (the November repeated hour occurs twice). */
  readonly wall: string
  readonly volume: number
  readonly occupancy: number
  readonly speed: number | null
  readonly status: string
  readonly uploadSuccess: number
  readonly detCountComparison: number
  readonly dailyCumulative: number
}

const PRIMARY = ['LAMAR', 'BURNET', 'CONGRESS', 'GUADALUPE', 'AIRPORT', 'CAMERON', 'RUNDBERG', 'MOPAC']
const CROSS = [
  'MANCHACA',
  'KOENIG',
  'RIVERSIDE',
  'OLTORF',
  'PARMER',
  'BRAKER',
  'ANDERSON',
  'SLAUGHTER',
  'BARTON',
]
const DET_NAMES = ['NB_out', 'NB_in', 'SB_out', 'SB_in', 'EB_out', 'EB_in', 'WB_out', 'WB_in']
const HOURLY = [1, 0.6, 0.4, 0.3, 0.4, 1, 3, 6, 8, 6, 5, 5.5, 6, 6, 6, 6.5, 7.5, 8, 6, 4.5, 3.5, 3, 2.2, 1.5]

function mix(...parts: number[]): number {
  let h = 0x811c9dc5
  for (const part of parts) h = Math.imul(h ^ (part >>> 0), 0x01000193) ^ (h >>> 13)
  return h >>> 0
}

const int = (rand: () => number, low: number, high: number): number =>
  low + Math.floor(rand() * (high - low + 1))

/**
 * `count` intersections: the first is `LAMARMANCHACA` with `INTID` 1 and detectors 1 (`NB_out`) and 2 (`NB_in`),
 * as in the spec's sample; the others get seeded names, 4–8 detectors and increasing ids. Every fourth one from
 * the third on (index 2, 6, …) has no radar in Knack. Deterministic for a seed.
 */
export function createKitsIntersections(count: number, seed: number): KitsIntersection[] {
  const rand = createPrng(mix(seed, 0x417))
  const out: KitsIntersection[] = []
  let detId = 1
  let intId = 1
  for (let i = 0; i < count; i += 1) {
    const p = i === 0 ? 0 : int(rand, 0, PRIMARY.length - 1)
    const c = i === 0 ? 0 : (i + int(rand, 0, CROSS.length - 2)) % CROSS.length
    const detectorCount = i === 0 ? 4 : int(rand, 4, 8)
    const detectors = DET_NAMES.slice(0, detectorCount).map((detName) => ({ detId: detId++, detName }))
    const round =
      i >= PRIMARY.length * CROSS.length ? String(Math.floor(i / (PRIMARY.length * CROSS.length))) : ''
    out.push({
      intId,
      intName: `${PRIMARY[p]}${CROSS[c]}${round}`,
      detectors,
      hasRadar: i % 4 !== 2,
      primarySt: `${PRIMARY[p]} BLVD`,
      crossSt: `${CROSS[c]} RD`,
      lat: Math.round((30.2672 + (rand() - 0.5) * 0.3) * 1e7) / 1e7,
      lon: Math.round((-97.7431 + (rand() - 0.5) * 0.25) * 1e7) / 1e7,
      ip: `172.16.${140 + Math.floor(i / 200)}.${20 + (i % 200)}`,
      atdDeviceId: 900 + i * 3 + int(rand, 0, 2),
      atdLocationId: `LOC16-${String(2000 + i * 7 + int(rand, 0, 6)).padStart(6, '0')}`,
      coaIntersectionId: 5160000 + i * 37 + int(rand, 0, 36),
      primaryStSegmentId: 2030000 + i * 53 + int(rand, 0, 25),
      crossStSegmentId: 2030026 + i * 53 + int(rand, 0, 25),
    })
    intId += int(rand, 1, 9)
  }
  return out
}

/** Options of {@link kitsDayRows} and {@link writeKitsDay}. */
export interface KitsDayOptions {
  readonly intersections: readonly KitsIntersection[]
  /** Seed; the same seed, intersections and day give the same rows. */
  readonly seed: number
  /** One row with a `NULL` speed (the first detector of the last intersection at 12:00). @default false */
  readonly anomalies?: boolean
}

/**
 * The history rows of one Central day: one row per detector every 15 minutes of real time from local midnight
 * to the next, written as wall-clock text, so 2019-11-03 has the 01:00–01:45 steps twice (100 rows per detector)
 * and 2019-03-10 lacks 02:00–02:45 (92). `dailyCumulative` is the running volume of the detector that day.
 */
export function kitsDayRows(date: DateTime, options: KitsDayOptions): KitsHistoryRow[] {
  const start = startOfLocalDay(date)
  const end = addDays(start, 1)
  const dayKey = start.year * 10_000 + start.month * 100 + start.day
  const rand = createPrng(mix(options.seed, dayKey, 0x2d))
  const cumulative = new Map<number, number>()
  const rows: KitsHistoryRow[] = []
  const last = options.intersections.at(-1)
  for (let ms = start.toMillis(); ms < end.toMillis(); ms += 15 * 60_000) {
    const wall = DateTime.fromMillis(ms, { zone: start.zone }).toFormat('yyyy-MM-dd HH:mm:ss')
    const hour = Number(wall.slice(11, 13))
    for (const intersection of options.intersections) {
      for (const detector of intersection.detectors) {
        const volume = Math.round((HOURLY[hour] as number) * (2 + rand() * 6))
        const total = (cumulative.get(detector.detId) ?? 0) + volume
        cumulative.set(detector.detId, total)
        const anomaly =
          options.anomalies === true &&
          intersection === last &&
          detector === intersection.detectors[0] &&
          wall.endsWith(' 12:00:00')
        rows.push({
          detId: detector.detId,
          wall,
          volume,
          occupancy: Math.min(100, Math.round(volume * (0.2 + rand() * 0.5))),
          speed: anomaly ? null : volume === 0 ? 0 : int(rand, 24, 46),
          status: 'Working',
          uploadSuccess: 100,
          detCountComparison: int(rand, 0, 2),
          dailyCumulative: total,
        })
      }
    }
  }
  return rows
}

function schemaOf(table: string): string | null {
  const parts = checkTableName(table).split('.')
  if (parts.length > 2) throw new TypeError(`PostgreSQL table names have at most two parts: ${table}`)
  return parts.length === 2 ? (parts[0] as string) : null
}

/**
 * Creates the two KITS tables (and their schemas) on PostgreSQL/PGlite if missing: the detector inventory keyed by
 * `detid`, and the history with a naive `timestamp` column and an index on its date.
 */
export async function createKitsTables(
  client: SqlQueryable,
  tables: KitsTables = DEFAULT_KITS_TABLES.pg,
): Promise<void> {
  for (const table of [tables.detectors, tables.history]) {
    const schema = schemaOf(table)
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  }
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${tables.detectors} (detid integer PRIMARY KEY, intid integer NOT NULL, ` +
      'intname varchar(64), detname varchar(64))',
  )
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${tables.history} (detid integer NOT NULL, curdatetime timestamp NOT NULL, ` +
      'volume integer, occupancy integer, speed integer, status varchar(32), uploadsuccess integer, ' +
      'detcountcomparison integer, dailycumulative integer)',
  )
  const index = `${tables.history.split('.').at(-1)}_day_idx`
  await client.query(`CREATE INDEX IF NOT EXISTS ${index} ON ${tables.history} ((CAST(curdatetime AS date)))`)
}

async function insertBatches(
  client: SqlQueryable,
  statement: { head: string; tail?: string; timestampColumn?: number },
  values: readonly (readonly unknown[])[],
): Promise<void> {
  const width = values[0]?.length ?? 1
  const batch = Math.max(1, Math.floor(4000 / width))
  for (let i = 0; i < values.length; i += batch) {
    const params: unknown[] = []
    const tuples = values.slice(i, i + batch).map((row) => {
      const marks = row.map((value, k) => {
        params.push(value)
        return k === statement.timestampColumn ? `CAST($${params.length} AS timestamp)` : `$${params.length}`
      })
      return `(${marks.join(', ')})`
    })
    await client.query(`${statement.head} VALUES ${tuples.join(', ')}${statement.tail ?? ''}`, params)
  }
}

/**
 * Writes one day into existing tables (see {@link createKitsTables}): upserts the detectors, replaces the day's
 * history rows, and returns the rows written.
 */
export async function writeKitsDay(
  client: SqlQueryable,
  date: DateTime,
  options: KitsDayOptions & { readonly tables?: KitsTables },
): Promise<KitsHistoryRow[]> {
  const tables = options.tables ?? DEFAULT_KITS_TABLES.pg
  const detectors = options.intersections.flatMap((n) =>
    n.detectors.map((d) => [d.detId, n.intId, n.intName, d.detName]),
  )
  await insertBatches(
    client,
    {
      head: `INSERT INTO ${checkTableName(tables.detectors)} (detid, intid, intname, detname)`,
      tail:
        ' ON CONFLICT (detid) DO UPDATE SET intid = EXCLUDED.intid, intname = EXCLUDED.intname, ' +
        'detname = EXCLUDED.detname',
    },
    detectors,
  )
  const rows = kitsDayRows(date, options)
  await client.query(
    `DELETE FROM ${checkTableName(tables.history)} WHERE CAST(curdatetime AS date) = CAST($1 AS date)`,
    [formatDay(startOfLocalDay(date))],
  )
  await insertBatches(
    client,
    {
      head:
        `INSERT INTO ${tables.history} (detid, curdatetime, volume, occupancy, speed, status, uploadsuccess, ` +
        'detcountcomparison, dailycumulative)',
      timestampColumn: 1,
    },
    rows.map((r) => [
      r.detId,
      r.wall,
      r.volume,
      r.occupancy,
      r.speed,
      r.status,
      r.uploadSuccess,
      r.detCountComparison,
      r.dailyCumulative,
    ]),
  )
  return rows
}

/**
 * The Wavetronix unit data for `intersections` (what the Knack reader stores, spec §6.1 column order): one `RADAR`
 * per intersection that has one (`kits_id` = `INTID`, no `device_name`, as Knack radars usually are), plus a
 * spare radar without `kits_id` at the end (so `kits_id` is a float column in `wt-ready`, as with real Knack data).
 */
export function createWtUnitData(
  intersections: readonly KitsIntersection[],
  options: { collectionDate: DateTime; processingDate: DateTime; spare?: boolean },
): UnitDataDocument {
  const device = (n: KitsIntersection, kitsId: number | null, offset: number): UnitDevice => ({
    device_type: 'RADAR',
    atd_device_id: n.atdDeviceId + offset,
    device_name: null,
    device_status: 'TURNED_ON',
    device_ip: offset === 0 ? n.ip : `${n.ip.slice(0, n.ip.lastIndexOf('.'))}.250`,
    ip_comm_status: 'ONLINE',
    atd_location_id: n.atdLocationId,
    coa_intersection_id: n.coaIntersectionId,
    lat: n.lat,
    lon: n.lon,
    primary_st: n.primarySt,
    primary_st_segment_id: n.primaryStSegmentId,
    cross_st: n.crossSt,
    cross_st_segment_id: n.crossStSegmentId,
    kits_id: kitsId,
  })
  const devices = intersections.filter((n) => n.hasRadar).map((n) => device(n, n.intId, 0))
  const first = intersections[0]
  if (options.spare !== false && first) devices.push(device(first, null, 1))
  return {
    header: {
      data_type: 'wt_unit_data',
      target_filename: `Austin_wt_${formatDay(options.collectionDate)}_unit_data.json`,
      collection_date: formatPyTs(options.collectionDate),
      processing_date: formatPyTs(options.processingDate),
    },
    devices,
  }
}
