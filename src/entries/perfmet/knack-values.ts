import type { DateTime } from 'luxon'
import type { PerfmetJob, PerfmetObservation } from '../../support/perfmet-driver.js'
import { addDays, LOCAL_ZONE, startOfLocalDay } from '../../util/dates.js'

/** A Knack date/time field value as written through the API: local wall time on a 12-hour clock (spec §6.4). */
export interface KnackDateValue {
  /** `MM/DD/YYYY` of the local calendar day. */
  readonly date: string
  /** Hour on the 12-hour clock, 1–12 (midnight and noon are 12). */
  readonly hours: number
  /** Minutes, 0–59. */
  readonly minutes: number
  /** `AM` before local noon, `PM` from noon on. */
  readonly am_pm: 'AM' | 'PM'
}

/** A Knack date-range field value: one `{ from, to }` pair (spec §6.4). */
export interface KnackRangeValue {
  /** Always exactly one pair. */
  readonly times: readonly [{ readonly from: KnackDateValue; readonly to: KnackDateValue }]
}

const MS_PER_HOUR = 3_600_000

const pad2 = (n: number): string => String(n).padStart(2, '0')

/**
 * `dt` as a Knack date value in `zone` (the original's `localTimeStruct`): the instant is shown in local time
 * first, so a fixed-offset value is converted (`2019-03-10 02:30-06:00` is 3:30 AM CDT). Seconds are dropped.
 */
export function knackDate(dt: DateTime, zone: string = LOCAL_ZONE): KnackDateValue {
  const local = dt.setZone(zone)
  if (!local.isValid) throw new RangeError(`Invalid date for Knack: ${dt.invalidExplanation ?? String(dt)}`)
  const hour12 = local.hour % 12 === 0 ? 12 : local.hour % 12
  return {
    date: `${pad2(local.month)}/${pad2(local.day)}/${String(local.year).padStart(4, '0')}`,
    hours: hour12,
    minutes: local.minute,
    am_pm: local.hour < 12 ? 'AM' : 'PM',
  }
}

/** A Knack range value from `from` to `to`, both as {@link knackDate} in `zone`. */
export function knackRange(from: DateTime, to: DateTime, zone: string = LOCAL_ZONE): KnackRangeValue {
  return { times: [{ from: knackDate(from, zone), to: knackDate(to, zone) }] }
}

/**
 * Real elapsed hours (fractional, possibly negative) from local midnight of `collectionDate`'s day to `timestamp`.
 * On a 23-hour or 25-hour DST day the clock reading and the elapsed hours differ by one after the change.
 */
export function hoursSinceDayStart(
  timestamp: DateTime,
  collectionDate: DateTime,
  zone: string = LOCAL_ZONE,
): number {
  const midnight = startOfLocalDay(collectionDate, zone)
  return (timestamp.toMillis() - midnight.toMillis()) / MS_PER_HOUR
}

/** The dashboard's "timestamp hour minimum": {@link hoursSinceDayStart} of the first timestamp, at least 0. */
export function hourOfDayMin(
  timestampMin: DateTime,
  collectionDate: DateTime,
  zone: string = LOCAL_ZONE,
): number {
  return Math.max(hoursSinceDayStart(timestampMin, collectionDate, zone), 0)
}

/** The dashboard's "timestamp hour maximum": {@link hoursSinceDayStart} of the last timestamp, at most 24. */
export function hourOfDayMax(
  timestampMax: DateTime,
  collectionDate: DateTime,
  zone: string = LOCAL_ZONE,
): number {
  return Math.min(hoursSinceDayStart(timestampMax, collectionDate, zone), 24)
}

/**
 * Perfmet stage label → dashboard label (spec §6.4 step 4): the letter prefix sorts the stages in pipeline order
 * on the dashboard. Labels not listed are shown unchanged.
 */
export const STAGE_RENAMES: Readonly<Record<string, string>> = Object.freeze({
  'Socrata Agg.': 'Socrata',
  Ingest: 'a. Ingest',
  Standardize: 'b. Standardize',
  Ready: 'c. Ready',
  Aggregate: 'd. Aggregate',
  Publish: 'e. Publish',
})

/** The dashboard label of a perfmet stage ({@link STAGE_RENAMES}, else the stage itself). */
export function dashboardStage(stage: string): string {
  return Object.hasOwn(STAGE_RENAMES, stage) ? (STAGE_RENAMES[stage] ?? stage) : stage
}

/** Knack field keys of the jobs view (spec §6.4). */
export const JOB_FIELDS = Object.freeze({
  dataSource: 'field_9',
  stage: 'field_10',
  seconds: 'field_11',
  records: 'field_12',
  processingDate: 'field_13',
  collectionTimes: 'field_14',
})

/** Knack field keys of the observations view (spec §6.4; `field_22` is not written). */
export const OBSERVATION_FIELDS = Object.freeze({
  dataSource: 'field_15',
  sensorName: 'field_16',
  dataType: 'field_17',
  data: 'field_18',
  expected: 'field_19',
  collectionDate: 'field_20',
  timestampRange: 'field_21',
  hourMin: 'field_23',
  hourMax: 'field_24',
})

/** The last job (by processing date) per data source and stage, stages renamed, in processing-date order. */
export function latestJobsPerStage(jobs: readonly PerfmetJob[]): PerfmetJob[] {
  const sorted = [...jobs].sort((a, b) => a.processingDate.toMillis() - b.processingDate.toMillis())
  const last = new Map<string, PerfmetJob>()
  for (const job of sorted) last.set(`${job.dataSource}\u0000${job.stage}`, job)
  const kept = new Set(last.values())
  return sorted.filter((job) => kept.has(job)).map((job) => ({ ...job, stage: dashboardStage(job.stage) }))
}

const numberOrNull = (value: number | null): number | null =>
  value === null || Number.isNaN(value) ? null : value

/** The Knack jobs-view body of one (renamed) job row. */
export function jobRecord(job: PerfmetJob, zone: string = LOCAL_ZONE): Record<string, unknown> {
  const record: Record<string, unknown> = {
    [JOB_FIELDS.dataSource]: job.dataSource,
    [JOB_FIELDS.stage]: job.stage,
    [JOB_FIELDS.seconds]: numberOrNull(job.seconds),
    [JOB_FIELDS.records]: numberOrNull(job.records),
    [JOB_FIELDS.processingDate]: knackDate(job.processingDate, zone),
  }
  if (job.collectionStart) {
    const end = job.collectionEnd ?? job.collectionStart
    record[JOB_FIELDS.collectionTimes] = knackRange(job.collectionStart, end, zone)
  }
  return record
}

/** One dashboard observation: the sensor's latest row, its shown value and the window mean. */
export interface DashboardObservation {
  /** The sensor's latest row in the window. */
  readonly row: PerfmetObservation
  /** The row's data, or −1 when that row is older than the day before the window's end. */
  readonly data: number | null
  /** Mean of the sensor's non-null data over the window, or null. */
  readonly expected: number | null
  /** The latest row is older than the day before the window's end (the sensor stopped reporting). */
  readonly stopped: boolean
}

/**
 * Per sensor (sorted by name) of `rows` (one source and data type, collection dates in `(earlyDate, lateDate]`):
 * its latest row; `data = -1` unless that row's collection date is within `[lateDate − 1 day, lateDate]`;
 * `expected` = mean of the sensor's data.
 */
export function dashboardObservations(
  rows: readonly PerfmetObservation[],
  lateDate: DateTime,
  zone: string = LOCAL_ZONE,
): DashboardObservation[] {
  const yesterday = addDays(lateDate, -1, zone).toMillis()
  const late = lateDate.toMillis()
  const bySensor = new Map<string, PerfmetObservation[]>()
  for (const row of rows) {
    const list = bySensor.get(row.sensorName)
    if (list) list.push(row)
    else bySensor.set(row.sensorName, [row])
  }
  const names = [...bySensor.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return names.map((name) => {
    const list = bySensor.get(name) ?? []
    let latest = list[0] as PerfmetObservation
    for (const row of list) if (row.collectionDate > latest.collectionDate) latest = row
    const values = list.map((row) => row.data).filter((v): v is number => v !== null && !Number.isNaN(v))
    const expected = values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length
    const at = latest.collectionDate.toMillis()
    const stopped = at < yesterday || at > late
    return { row: latest, data: stopped ? -1 : numberOrNull(latest.data), expected, stopped }
  })
}

/** The Knack observations-view body of one dashboard observation. */
export function observationRecord(
  obs: DashboardObservation,
  zone: string = LOCAL_ZONE,
): Record<string, unknown> {
  const { row } = obs
  const record: Record<string, unknown> = {
    [OBSERVATION_FIELDS.dataSource]: row.dataSource,
    [OBSERVATION_FIELDS.sensorName]: row.sensorName,
    [OBSERVATION_FIELDS.dataType]: row.dataType,
    [OBSERVATION_FIELDS.data]: obs.data,
    [OBSERVATION_FIELDS.expected]: obs.expected,
    [OBSERVATION_FIELDS.collectionDate]: knackDate(row.collectionDate, zone),
  }
  if (row.timestampMin) {
    const max = row.timestampMax ?? row.timestampMin
    record[OBSERVATION_FIELDS.timestampRange] = knackRange(row.timestampMin, max, zone)
    record[OBSERVATION_FIELDS.hourMin] = hourOfDayMin(row.timestampMin, row.collectionDate, zone)
    record[OBSERVATION_FIELDS.hourMax] = hourOfDayMax(max, row.collectionDate, zone)
  }
  return record
}
