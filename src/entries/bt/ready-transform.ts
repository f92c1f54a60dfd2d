/**
 * Bluetooth ready transform (spec §9.3): ties the rows of a standardized AWAM document to the unit-data devices
 * through a `device_id` hash, drops rows of unknown readers, sorts the rows and lists the referenced devices.
 * Pure functions; the app reads and writes the documents.
 */
import { InputError } from '../../support/errors.js'
import type { UnitDevice } from '../../support/unit-data.js'
import { md5Hex } from '../../util/hash.js'
import { pyFloat, pyFloatRepr, stringifyPy } from '../../util/py-json.js'
import type { AwamFileType } from './awam-format.js'

/** One row of a standardized or ready `data` array (column → value, as read from JSON). */
export type JsonRow = Readonly<Record<string, unknown>>

/** A standardized Bluetooth document (`bt-json-standard` output) as read back from JSON. */
export interface StandardizedDocument {
  /** The standardized header (`data_type`, `file_type`, file names, dates). */
  readonly header: Readonly<Record<string, unknown>>
  /** The rows. */
  readonly data: readonly JsonRow[]
}

/** A ready Bluetooth document: the standardized header and rows plus device ids, and the referenced devices. */
export interface ReadyDocument {
  /** The source header with `processing_date` replaced. */
  readonly header: Readonly<Record<string, unknown>>
  /** Joined and sorted rows. */
  readonly data: readonly JsonRow[]
  /** Referenced unit-data devices, in unit-data order, each with its `device_id`. */
  readonly devices: readonly Readonly<Record<string, unknown>>[]
}

/** A unit-data device with its computed id. */
export interface IndexedDevice {
  /** The device as stored in the unit data. */
  readonly device: UnitDevice
  /** `md5_hex(device_type + device_ip + str(lat) + str(lon))`. */
  readonly deviceId: string
}

/** Unit-data devices with ids, in unit-data order, and by `device_name`. */
export interface DeviceIndex {
  /** Every device, in unit-data order. */
  readonly devices: readonly IndexedDevice[]
  /** Devices by `device_name` (several when a name repeats), in unit-data order. */
  readonly byName: ReadonlyMap<unknown, readonly IndexedDevice[]>
}

/** Sort columns of each file type (spec §9.3 steps 3–4). */
export const READY_SORT_COLUMNS: Readonly<Record<AwamFileType, readonly string[]>> = Object.freeze({
  unmatched: Object.freeze(['host_timestamp', 'reader_id']),
  matched: Object.freeze(['start_time', 'origin_reader_id', 'dest_reader_id']),
  traf_match_summary: Object.freeze(['timestamp', 'origin_reader_id', 'dest_reader_id']),
})

const isMissing = (value: unknown): boolean =>
  value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))

/**
 * Python's `str()` of a coordinate that pandas held as a float: `30.0`, `30.2715378`, `-97.7539673`, `nan`,
 * `inf`. A missing value is `nan` (pandas' NaN); a `null` is `None` when `allMissing` (pandas keeps a column without
 * any value as an object column of `None`). Text is returned as it is.
 */
export function coordinateText(value: unknown, allMissing = false): string {
  if (isMissing(value)) return value === null && allMissing ? 'None' : 'nan'
  if (typeof value === 'number') {
    if (value === Number.POSITIVE_INFINITY) return 'inf'
    if (value === Number.NEGATIVE_INFINITY) return '-inf'
    return pyFloatRepr(value)
  }
  return String(value)
}

/**
 * The device id of spec §9.3 step 2: `md5_hex(device_type + device_ip + str(lat) + str(lon))` with Python's float
 * `str` ({@link coordinateText}). A missing `device_type` or `device_ip` counts as `""` (the original crashed).
 */
export function deviceId(
  device: UnitDevice,
  options: { latAllMissing?: boolean; lonAllMissing?: boolean } = {},
) {
  const text = (value: unknown) => (isMissing(value) ? '' : String(value))
  return md5Hex(
    text(device.device_type) +
      text(device.device_ip) +
      coordinateText(device.lat, options.latAllMissing) +
      coordinateText(device.lon, options.lonAllMissing),
  )
}

/** Computes every device's id and indexes the devices by `device_name` (missing names are never joined). */
export function indexDevices(devices: readonly UnitDevice[]): DeviceIndex {
  const allMissing = (column: string) => devices.every((d) => isMissing(d[column]))
  const options = { latAllMissing: allMissing('lat'), lonAllMissing: allMissing('lon') }
  const indexed = devices.map((device) => ({ device, deviceId: deviceId(device, options) }))
  const byName = new Map<unknown, IndexedDevice[]>()
  for (const entry of indexed) {
    const name = entry.device.device_name
    if (isMissing(name)) continue
    const list = byName.get(name)
    if (list) list.push(entry)
    else byName.set(name, [entry])
  }
  return { devices: indexed, byName }
}

/**
 * Code-point order of two strings (Python's `str` comparison), `0` when equal. JS `<` compares UTF-16 units,
 * which differs only for characters outside the BMP against U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1
    return x - y
  }
  return a.length - b.length
}

/** pandas `sort_values` order of one column: missing values last, text in code-point order. */
function compareValues(a: unknown, b: unknown): number {
  const am = isMissing(a)
  const bm = isMissing(b)
  if (am || bm) return am === bm ? 0 : am ? 1 : -1
  return compareCodePoints(String(a), String(b))
}

/** Stable sort of rows by `columns` ({@link compareValues} per column), in place; returns the array. */
export function sortRows<T extends JsonRow>(rows: T[], columns: readonly string[]): T[] {
  return rows.sort((x, y) => {
    for (const column of columns) {
      const c = compareValues(x[column], y[column])
      if (c !== 0) return c
    }
    return 0
  })
}

function joinRows(fileType: AwamFileType, data: readonly JsonRow[], index: DeviceIndex): JsonRow[] {
  const lookup = (value: unknown) => (isMissing(value) ? undefined : index.byName.get(value))
  const out: JsonRow[] = []
  for (const row of data) {
    if (fileType === 'unmatched') {
      for (const d of lookup(row.reader_id) ?? []) out.push({ ...row, device_id: d.deviceId })
      continue
    }
    const dests = lookup(row.dest_reader_id)
    if (!dests) continue
    for (const o of lookup(row.origin_reader_id) ?? []) {
      for (const d of dests) out.push({ ...row, origin_device_id: o.deviceId, dest_device_id: d.deviceId })
    }
  }
  return out
}

function referencedIds(fileType: AwamFileType, rows: readonly JsonRow[]): Set<unknown> {
  const ids = new Set<unknown>()
  for (const row of rows) {
    if (fileType === 'unmatched') ids.add(row.device_id)
    else {
      ids.add(row.origin_device_id)
      ids.add(row.dest_device_id)
    }
  }
  return ids
}

/** A device as written to the ready document: its own fields, `lat`/`lon` as floats, then `device_id`. */
function readyDevice(entry: IndexedDevice): Record<string, unknown> {
  const out: Record<string, unknown> = { ...entry.device }
  for (const column of ['lat', 'lon']) {
    const value = out[column]
    if (typeof value === 'number') out[column] = pyFloat(value)
  }
  out.device_id = entry.deviceId
  return out
}

/**
 * The ready document of spec §9.3: the header with `processing_date` replaced (same key position), rows joined
 * to the devices (IAF: `reader_id` → `device_id`; ITMF/TMSR: `origin_reader_id` → `origin_device_id`, then
 * `dest_reader_id` → `dest_device_id`; rows of unknown readers dropped, a repeated device name repeats the row),
 * stably sorted by {@link READY_SORT_COLUMNS}, and the referenced devices in unit-data order.
 */
export function readyTransform(
  fileType: AwamFileType,
  source: StandardizedDocument,
  index: DeviceIndex,
  processingDate: string,
): ReadyDocument {
  const data = sortRows(joinRows(fileType, source.data, index), READY_SORT_COLUMNS[fileType])
  const ids = referencedIds(fileType, data)
  return {
    header: { ...source.header, processing_date: processingDate },
    data,
    devices: index.devices.filter((d) => ids.has(d.deviceId)).map(readyDevice),
  }
}

/** Checks that `value` is a `{header, data}` document; {@link InputError} naming `label` otherwise. */
export function asStandardizedDocument(value: unknown, label: string): StandardizedDocument {
  const doc = value as Partial<StandardizedDocument> | null
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(doc) || !isObject(doc?.header) || !Array.isArray(doc?.data) || !doc.data.every(isObject)) {
    throw new InputError(`${label} is not a {"header": {...}, "data": [rows]} document.`)
  }
  return doc as StandardizedDocument
}

/**
 * The ready document as Python's `json.dump` writes it, in chunks of `rowsPerChunk` rows, so a large IAF
 * document never becomes one string. The concatenation equals `stringifyPy(doc)`.
 */
export function* readyDocumentChunks(doc: ReadyDocument, rowsPerChunk = 2000): Generator<string> {
  yield `{"header": ${stringifyPy(doc.header)}, "data": [`
  for (let i = 0; i < doc.data.length; i += rowsPerChunk) {
    const part = doc.data
      .slice(i, i + rowsPerChunk)
      .map(stringifyPy)
      .join(', ')
    yield i === 0 ? part : `, ${part}`
  }
  yield `], "devices": ${stringifyPy(doc.devices)}}`
}
