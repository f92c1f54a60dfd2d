/**
 * Bluetooth publishing rows (spec §9.4): the Socrata rows of the three datasets built from a ready document, with
 * the daily `device_address` numbering and the `record_id` hashes. Pure functions; the app publishes the rows.
 */
import { DateTime } from 'luxon'
import { InputError } from '../../support/errors.js'
import type { PublishRow } from '../../support/publisher-driver.js'
import { md5Hex } from '../../util/hash.js'
import { pyFloatRepr, stringifyPy } from '../../util/py-json.js'
import type { AwamFileType } from './awam-format.js'
import type { JsonRow } from './ready-transform.js'

/** Published columns of each dataset, in the original's order (`record_id` is appended). */
export const PUBLISH_COLUMNS: Readonly<Record<AwamFileType, readonly string[]>> = Object.freeze({
  traf_match_summary: Object.freeze([
    'origin_reader_identifier',
    'destination_reader_identifier',
    'origin_roadway',
    'origin_cross_street',
    'origin_direction',
    'destination_roadway',
    'destination_cross_street',
    'destination_direction',
    'segment_length_miles',
    'timestamp',
    'average_travel_time_seconds',
    'average_speed_mph',
    'summary_interval_minutes',
    'number_samples',
    'standard_deviation',
  ]),
  matched: Object.freeze([
    'device_address',
    'origin_reader_identifier',
    'destination_reader_identifier',
    'travel_time_seconds',
    'speed_miles_per_hour',
    'match_validity',
    'filter_identifier',
    'start_time',
    'end_time',
    'day_of_week',
  ]),
  unmatched: Object.freeze([
    'host_read_time',
    'field_device_read_time',
    'reader_identifier',
    'device_address',
  ]),
})

/** The published columns whose Python `str()` values, concatenated, are hashed into `record_id` (spec §9.4). */
export const RECORD_ID_FIELDS: Readonly<Record<AwamFileType, readonly string[]>> = Object.freeze({
  traf_match_summary: Object.freeze([
    'timestamp',
    'origin_reader_identifier',
    'destination_reader_identifier',
    'segment_length_miles',
  ]),
  matched: Object.freeze([
    'start_time',
    'end_time',
    'origin_reader_identifier',
    'destination_reader_identifier',
    'device_address',
  ]),
  unmatched: Object.freeze(['host_read_time', 'reader_identifier', 'device_address']),
})

/** A ready document as `bt-extract-soc` reads it. */
export interface ReadyInput {
  /** Joined rows with `device_id` (IAF) or `origin_device_id`/`dest_device_id` (ITMF, TMSR). */
  readonly data: readonly JsonRow[]
  /** Referenced devices, each with `device_id` and `device_name`. */
  readonly devices: readonly JsonRow[]
}

/**
 * Python's `str()` of a value read from JSON: text as is, `None`, `True`/`False`, integral numbers as ints,
 * other numbers with the float repr (`nan`, `inf`). Lists and objects fall back to their JSON text.
 */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan'
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
    return Number.isInteger(value) ? String(value) : pyFloatRepr(value)
  }
  return stringifyPy(value)
}

/** `md5_hex` of the concatenated {@link pythonStr} of `row[field]` for each field (a fresh hash per row). */
export function recordId(row: Readonly<Record<string, unknown>>, fields: readonly string[]): string {
  let text = ''
  for (const field of fields) text += pythonStr(row[field])
  return md5Hex(text)
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const
const PYTS_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/

/** Wall fields of a timestamp text in its own offset (what `arrow.get(text)` keeps), or `null`. */
function wallFields(
  text: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } | null {
  const m = PYTS_RE.exec(text)
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
    const day = new Date(Date.UTC(y, mo - 1, d))
    const valid = day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && s < 60
    return valid ? { y, mo, d, h, mi, s } : null
  }
  const dt = DateTime.fromISO(text.replace(' ', 'T'), { zone: 'utc', setZone: true })
  if (!dt.isValid) return null
  return { y: dt.year, mo: dt.month, d: dt.day, h: dt.hour, mi: dt.minute, s: dt.second }
}

function timeText(value: unknown, column: string): string | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'string')
    throw new InputError(`Column "${column}" holds a non-text time: ${pythonStr(value)}`)
  return value
}

/**
 * A ready time (PyTS text such as `2019-06-01 00:00:00-05:00`) as Socrata floating time: the wall clock in the
 * text's own offset, fraction dropped (`2019-06-01T00:00:00`); on DST days the text's offset is kept, so
 * `2019-03-10 02:30:00-06:00` → `2019-03-10T02:30:00`. `null` stays `null` (the original crashed).
 * @throws InputError for text that is not a timestamp.
 */
export function socTime(value: unknown, column = 'time'): string | null {
  const text = timeText(value, column)
  if (text === null) return null
  const f = wallFields(text)
  if (!f) throw new InputError(`Column "${column}" holds an unparseable time: ${JSON.stringify(text)}`)
  const p2 = (n: number) => String(n).padStart(2, '0')
  return `${String(f.y).padStart(4, '0')}-${p2(f.mo)}-${p2(f.d)}T${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}`
}

/** Full English weekday name of a ready time's own wall date (`arrow.get(t).format("dddd")`), or `null`. */
export function dayOfWeek(value: unknown, column = 'time'): string | null {
  const text = timeText(value, column)
  if (text === null) return null
  const f = wallFields(text)
  if (!f) throw new InputError(`Column "${column}" holds an unparseable time: ${JSON.stringify(text)}`)
  return WEEKDAYS[new Date(Date.UTC(f.y, f.mo - 1, f.d)).getUTCDay()] as string
}

/**
 * The daily device numbering: each new `dev_addr` value gets the next integer, starting at 1. The empty address
 * and a missing one (`null`) are addresses like any other.
 */
export interface DeviceNumbering {
  /** The address's number, assigning the next one to a new address. */
  number(address: unknown): number
  /** How many addresses have a number. */
  readonly size: number
}

/** A fresh {@link DeviceNumbering}. */
export function createDeviceNumbering(): DeviceNumbering {
  const numbers = new Map<unknown, number>()
  return {
    number(address) {
      const key = address === undefined ? null : address
      let n = numbers.get(key)
      if (n === undefined) {
        n = numbers.size + 1
        numbers.set(key, n)
      }
      return n
    },
    get size() {
      return numbers.size
    },
  }
}

/** Numbers every `dev_addr` of `rows` in order (priming a day's numbering with its ITMF rows). */
export function numberAddresses(rows: readonly JsonRow[], numbering: DeviceNumbering): void {
  for (const row of rows) numbering.number(row.dev_addr)
}

/** `device_id` → `device_name` of a ready document's devices (a repeated id keeps the last device). */
export function deviceNames(devices: readonly JsonRow[]): ReadonlyMap<unknown, unknown> {
  return new Map(devices.map((d) => [d.device_id, d.device_name]))
}

function name(names: ReadonlyMap<unknown, unknown>, id: unknown): PublishRow[string] {
  if (!names.has(id))
    throw new InputError(`Row references device_id ${pythonStr(id)}, which is not in "devices".`)
  return cell(names.get(id))
}

/** A ready value as a publishable cell: scalars as they are, `NaN`/missing as `null`, other values as JSON text. */
function cell(value: unknown): PublishRow[string] {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return Number.isNaN(value) ? null : value
  if (typeof value === 'string' || typeof value === 'boolean') return value
  return stringifyPy(value)
}

function withRecordId(entry: Record<string, PublishRow[string]>, fileType: AwamFileType): PublishRow {
  entry.record_id = recordId(entry, RECORD_ID_FIELDS[fileType])
  return entry
}

/** The TMSR (`v7zg-5jg9`) row of a ready `traf_match_summary` row. */
export function tmsrRow(line: JsonRow, names: ReadonlyMap<unknown, unknown>): PublishRow {
  return withRecordId(
    {
      origin_reader_identifier: name(names, line.origin_device_id),
      destination_reader_identifier: name(names, line.dest_device_id),
      origin_roadway: cell(line.origin_road),
      origin_cross_street: cell(line.origin_cross_st),
      origin_direction: cell(line.origin_dir),
      destination_roadway: cell(line.dest_road),
      destination_cross_street: cell(line.dest_cross_st),
      destination_direction: cell(line.dest_dir),
      segment_length_miles: cell(line.seg_length),
      timestamp: socTime(line.timestamp, 'timestamp'),
      average_travel_time_seconds: cell(line.avg_travel_time),
      average_speed_mph: cell(line.avg_speed),
      summary_interval_minutes: cell(line.interval),
      number_samples: cell(line.samples),
      standard_deviation: cell(line.std_dev),
    },
    'traf_match_summary',
  )
}

/** The ITMF (`x44q-icha`) row of a ready `matched` row; numbers its `dev_addr`. */
export function itmfRow(
  line: JsonRow,
  names: ReadonlyMap<unknown, unknown>,
  numbering: DeviceNumbering,
): PublishRow {
  return withRecordId(
    {
      device_address: numbering.number(line.dev_addr),
      origin_reader_identifier: name(names, line.origin_device_id),
      destination_reader_identifier: name(names, line.dest_device_id),
      travel_time_seconds: cell(line.travel_time_secs),
      speed_miles_per_hour: cell(line.speed),
      match_validity: cell(line.match_validity),
      filter_identifier: cell(line.filter_id),
      start_time: socTime(line.start_time, 'start_time'),
      end_time: socTime(line.end_time, 'end_time'),
      day_of_week: dayOfWeek(line.start_time, 'start_time'),
    },
    'matched',
  )
}

/** The IAF (`qnpj-zrb9`) row of a ready `unmatched` row; numbers its `dev_addr`. */
export function iafRow(
  line: JsonRow,
  names: ReadonlyMap<unknown, unknown>,
  numbering: DeviceNumbering,
): PublishRow {
  const addressNumber = numbering.number(line.dev_addr)
  return withRecordId(
    {
      host_read_time: socTime(line.host_timestamp, 'host_timestamp'),
      field_device_read_time: socTime(line.field_timestamp, 'field_timestamp'),
      reader_identifier: name(names, line.device_id),
      device_address: addressNumber,
    },
    'unmatched',
  )
}

/**
 * Every publishable row of a ready document, in row order. ITMF and IAF rows number their addresses with
 * `numbering` (the caller decides which day map it is); TMSR ignores it.
 * @throws InputError when a row references an unknown device or holds an unparseable time.
 */
export function publishRows(
  fileType: AwamFileType,
  doc: ReadyInput,
  numbering: DeviceNumbering,
): PublishRow[] {
  const names = deviceNames(doc.devices)
  switch (fileType) {
    case 'traf_match_summary':
      return doc.data.map((line) => tmsrRow(line, names))
    case 'matched':
      return doc.data.map((line) => itmfRow(line, names, numbering))
    case 'unmatched':
      return doc.data.map((line) => iafRow(line, names, numbering))
  }
}

/** Checks that `value` is a `{data, devices}` ready document; {@link InputError} naming `label` otherwise. */
export function asReadyInput(value: unknown, label: string): ReadyInput {
  const doc = value as Partial<ReadyInput> | null
  const rowsOk = (rows: unknown) =>
    Array.isArray(rows) && rows.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))
  if (typeof doc !== 'object' || doc === null || !rowsOk(doc.data) || !rowsOk(doc.devices)) {
    throw new InputError(`${label} is not a ready {"header", "data": [rows], "devices": [devices]} document.`)
  }
  return doc as ReadyInput
}
