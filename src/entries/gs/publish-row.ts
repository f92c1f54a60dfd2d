import type { PublishRow } from '../../support/publisher-driver.js'
import { formatSocTs, parseTimestamp } from '../../util/dates.js'
import { md5Hex } from '../../util/hash.js'
import { PyFloat } from '../../util/py-json.js'

/** Socrata dataset variant of the GRIDSMART aggregates (`sh59-i6y9`). */
export const GS_PUBLISH_VARIANT = 'default'

/** Approach → published `direction` (spec §9.13). */
export const DIRECTIONS: Readonly<Record<string, string>> = Object.freeze({
  Southbound: 'SOUTHBOUND',
  Northbound: 'NORTHBOUND',
  Eastbound: 'EASTBOUND',
  Westbound: 'WESTBOUND',
  Unassigned: 'UNASSIGNED',
})

/** Turn code → published `movement`. */
export const MOVEMENTS: Readonly<Record<string, string>> = Object.freeze({
  S: 'THRU',
  L: 'LEFT TURN',
  R: 'RIGHT TURN',
  U: 'U-TURN',
})

/** An aggregated row as read back from an `agg<N>.json` document. */
export type GsAggInputRow = Readonly<Record<string, unknown>>

/** Options of {@link gsPublishRow}. */
export interface GsPublishOptions {
  /** `N * 60`. */
  readonly binDurationSec: number
  /** `-u/--no_unassigned`: leave out `Unassigned` approaches. */
  readonly noUnassigned: boolean
}

/** Why a row was not published as is (counted warnings of the original). */
export type GsPublishNote = 'unassigned' | 'unassigned-skipped' | 'unknown-direction' | 'unknown-movement'

/** The published row, or `null` when skipped, with the notes to count. */
export interface GsPublishResult {
  readonly row: PublishRow | null
  readonly notes: readonly GsPublishNote[]
}

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value))

const numberOrNull = (value: unknown): number | null => {
  const n = value instanceof PyFloat ? value.value : value
  return typeof n === 'number' && Number.isFinite(n) ? n : null
}

/** `primary_st.strip() + " / " + cross_st.strip()` (a null street counts as empty). */
export function intersectionName(device: Readonly<Record<string, unknown>>): string {
  return `${text(device.primary_st).trim()} / ${text(device.cross_st).trim()}`
}

/**
 * `record_id` = MD5 hex of `intersection_name + read_date + str(heavy_vehicle) + direction + movement`, the flag
 * written as Python's `True`/`False`.
 */
export function gsRecordId(
  name: string,
  readDate: string,
  heavy: boolean,
  direction: string,
  movement: string,
): string {
  return md5Hex(`${name}${readDate}${heavy ? 'True' : 'False'}${direction}${movement}`)
}

/**
 * Maps one aggregated row to the Socrata record of spec §9.13. Non-finite statistics (an all-missing group's `NaN`)
 * are sent as `null` (the original handed a float NaN to Socrata).
 */
export function gsPublishRow(
  row: GsAggInputRow,
  device: Readonly<Record<string, unknown>>,
  options: GsPublishOptions,
): GsPublishResult {
  const notes: GsPublishNote[] = []
  const approach = text(row.zone_approach)
  const direction = DIRECTIONS[approach]
  if (direction === undefined) return { row: null, notes: ['unknown-direction'] }
  if (approach === 'Unassigned') {
    if (options.noUnassigned) return { row: null, notes: ['unassigned-skipped'] }
    notes.push('unassigned')
  }
  const turn = text(row.turn)
  let movement = MOVEMENTS[turn]
  if (movement === undefined) {
    notes.push('unknown-movement')
    movement = turn
  }
  const bin = parseTimestamp(text(row.timestamp))
  const readDate = formatSocTs(bin)
  const name = intersectionName(device)
  const heavy = Number(row.heavy_vehicle) !== 0
  const [date, clock] = readDate.split('T') as [string, string]
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const [hour, minute] = clock.split(':').map(Number) as [number, number]
  const record: PublishRow = {
    atd_device_id: (device.atd_device_id as string | number | null | undefined) ?? null,
    read_date: readDate,
    intersection_name: name,
    direction,
    movement,
    heavy_vehicle: heavy,
    volume: numberOrNull(row.volume),
    speed_average: numberOrNull(row.speed_avg),
    speed_stddev: numberOrNull(row.speed_std),
    seconds_in_zone_average: numberOrNull(row.seconds_in_zone_avg),
    seconds_in_zone_stddev: numberOrNull(row.seconds_in_zone_std),
    month,
    day,
    year,
    hour,
    minute,
    day_of_week: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    bin_duration: options.binDurationSec,
    record_id: gsRecordId(name, readDate, heavy, direction, movement),
  }
  return { row: record, notes }
}
