import { DateTime } from 'luxon'
import { formatPyTs, LOCAL_ZONE, parseTimestamp } from '../../util/dates.js'
import { type PyFloat, pyFloat } from '../../util/py-json.js'
import type { GsRow } from './ready-day.js'
import { vehicleMasks, zoneIdent } from './ready-day.js'

/** Vehicles at least this long (feet) are heavy (hard-coded in the original, §10 item 6). */
export const HEAVY_VEHICLE_FT = 17

/** A zone's movement from the site file. */
export interface Movement {
  readonly zone: string
  readonly zone_approach: string | null
  readonly turn_type: string | null
}

/** One aggregated row (spec §11.5). */
export interface GsAggRow {
  readonly timestamp: string
  readonly zone_approach: string
  readonly turn: string
  readonly heavy_vehicle: 0 | 1
  readonly volume: number
  readonly speed_avg: PyFloat
  readonly speed_std: PyFloat
  readonly seconds_in_zone_avg: PyFloat
  readonly seconds_in_zone_std: PyFloat
}

/** The aggregation result with its counters. */
export interface AggregateResult {
  readonly rows: GsAggRow[]
  /** Rows whose zone is not a vehicle mask of the site (dropped by the inner join). */
  readonly unknownZone: number
  /** Rows without a usable `vehicle_length`, classed heavy as in the original (§10.20). */
  readonly missingLength: number
  /** Rows with a null key (time, approach or turn) or an unparseable `timestamp_adj`. */
  readonly nullKey: number
}

/**
 * Movements of every vehicle mask of every camera — configured or not, included or not, as the original (§9.12
 * step 1, §10.20). The first mask of a zone id wins.
 */
export function siteMovements(site: unknown): Map<string, Movement> {
  const out = new Map<string, Movement>()
  for (const { vehicle } of vehicleMasks(site)) {
    const zone = zoneIdent(vehicle.Id as string)
    if (out.has(zone)) continue
    const text = (v: unknown) => (typeof v === 'string' ? v : null)
    out.set(zone, { zone, zone_approach: text(vehicle.ApproachType), turn_type: text(vehicle.TurnType) })
  }
  return out
}

const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null

/** `heavy_vehicle`: 0 when `vehicle_length < 17`, else 1 — a missing length counts as heavy (original, §10.20). */
export function heavyVehicle(length: unknown): 0 | 1 {
  const n = finite(length)
  return n !== null && n < HEAVY_VEHICLE_FT ? 0 : 1
}

/** numpy's `round(x, 3)`: scale, round half to even, unscale. */
export function round3(x: number): number {
  if (!Number.isFinite(x)) return x
  const scaled = x * 1000
  const floor = Math.floor(scaled)
  const diff = scaled - floor
  const even = diff === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled)
  return even / 1000
}

/**
 * Mean and sample standard deviation (n − 1) of the finite values, rounded to 3 dp: `[NaN, NaN]` when there are
 * none, std `0` for a single value (pandas' NaN filled with 0).
 */
export function meanStd(values: readonly unknown[]): [number, number] {
  const xs = values.map(finite).filter((v): v is number => v !== null)
  if (xs.length === 0) return [Number.NaN, Number.NaN]
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length
  if (xs.length === 1) return [round3(mean), 0]
  const ss = xs.reduce((s, v) => s + (v - mean) ** 2, 0)
  return [round3(mean), round3(Math.sqrt(ss / (xs.length - 1)))]
}

interface Group {
  readonly bin: number
  readonly approach: string
  readonly turn: string
  readonly heavy: 0 | 1
  readonly speeds: unknown[]
  readonly seconds: unknown[]
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Aggregates ready count rows into `minutes`-minute bins (spec §9.12): rows are inner-joined with the site's
 * movements on `zone`, grouped by (bin of the `timestamp_adj` instant, `zone_approach`, the row's `turn`,
 * `heavy_vehicle`), non-empty groups only, sorted by those keys. Bins are aligned to UTC midnight of the earliest
 * instant (pandas' default `origin="start_day"`; for any N dividing a day that is the same as clock alignment).
 * `timestamp` is the bin start in Central time as PyTS.
 */
export function aggregateCounts(rows: readonly GsRow[], site: unknown, minutes: number): AggregateResult {
  const movements = siteMovements(site)
  const width = minutes * 60_000
  let unknownZone = 0
  let missingLength = 0
  let nullKey = 0
  const joined: { at: number; approach: string; turn: string; row: GsRow }[] = []
  for (const row of rows) {
    const movement = typeof row.zone === 'string' ? movements.get(row.zone) : undefined
    if (!movement) {
      unknownZone += 1
      continue
    }
    let at: number | null = null
    try {
      at = typeof row.timestamp_adj === 'string' ? parseTimestamp(row.timestamp_adj).toMillis() : null
    } catch {
      at = null
    }
    const turn = typeof row.turn === 'string' ? row.turn : null
    if (at === null || movement.zone_approach === null || turn === null) {
      nullKey += 1
      continue
    }
    joined.push({ at, approach: movement.zone_approach, turn, row })
  }
  if (joined.length === 0) return { rows: [], unknownZone, missingLength, nullKey }
  const earliest = Math.min(...joined.map((j) => j.at))
  const origin = earliest - (((earliest % 86_400_000) + 86_400_000) % 86_400_000)
  const groups = new Map<string, Group>()
  for (const { at, approach, turn, row } of joined) {
    if (finite(row.vehicle_length) === null) missingLength += 1
    const heavy = heavyVehicle(row.vehicle_length)
    const bin = origin + Math.floor((at - origin) / width) * width
    const key = `${bin}\u0000${approach}\u0000${turn}\u0000${heavy}`
    let group = groups.get(key)
    if (!group) {
      group = { bin, approach, turn, heavy, speeds: [], seconds: [] }
      groups.set(key, group)
    }
    group.speeds.push(row.speed)
    group.seconds.push(row.seconds_in_zone)
  }
  const sorted = [...groups.values()].sort(
    (a, b) => a.bin - b.bin || byText(a.approach, b.approach) || byText(a.turn, b.turn) || a.heavy - b.heavy,
  )
  const out = sorted.map((g): GsAggRow => {
    const [speedAvg, speedStd] = meanStd(g.speeds)
    const [secAvg, secStd] = meanStd(g.seconds)
    return {
      timestamp: formatPyTs(DateTime.fromMillis(g.bin, { zone: LOCAL_ZONE })),
      zone_approach: g.approach,
      turn: g.turn,
      heavy_vehicle: g.heavy,
      volume: g.speeds.length,
      speed_avg: pyFloat(speedAvg),
      speed_std: pyFloat(speedStd),
      seconds_in_zone_avg: pyFloat(secAvg),
      seconds_in_zone_std: pyFloat(secStd),
    }
  })
  return { rows: out, unknownZone, missingLength, nullKey }
}
