import type { UnitDevice } from '../../support/unit-data.js'
import { md5Hex } from '../../util/hash.js'
import { deviceFrame, frameRecord, pyStrOf } from './device-frame.js'

/** Fields hashed into a Wavetronix `device_id`, in order (spec §9.7). */
export const WT_DEVICE_ID_FIELDS = ['device_type', 'device_name', 'device_ip', 'lat', 'lon'] as const

/** A standardized or ready document: a header, data rows and (ready) the referenced devices. */
export interface WtDocument {
  readonly header: Readonly<Record<string, unknown>>
  readonly data: readonly Readonly<Record<string, unknown>>[]
  readonly devices?: readonly Readonly<Record<string, unknown>>[]
}

/** The ready document: `{"header", "data", "devices"}`. */
export interface WtReadyDocument {
  readonly header: Record<string, unknown>
  readonly data: Record<string, unknown>[]
  readonly devices: Record<string, unknown>[]
}

/**
 * `md5_hex(str(device_type) + str(device_name) + str(device_ip) + str(lat) + str(lon))` of one device record as
 * pandas holds it (see {@link frameRecord}): `None` for null, `nan` for a gap in a float column, float repr for
 * coordinates (`30.0`).
 */
export function wtDeviceId(record: Readonly<Record<string, unknown>>): string {
  return md5Hex(WT_DEVICE_ID_FIELDS.map((field) => pyStrOf(record[field])).join(''))
}

function compareText(a: unknown, b: unknown): number {
  const x = String(a)
  const y = String(b)
  return x < y ? -1 : x > y ? 1 : 0
}

function compareNumber(a: unknown, b: unknown): number {
  return Number(a) - Number(b)
}

/**
 * `wt_ready.py`'s transform (spec §9.7): the header with `processing_date` replaced; every device gets a
 * `device_id`; rows are inner-joined on `intID == kits_id` (a row whose intersection has no radar is dropped, a row
 * whose intersection has two radars appears twice) and get the device's `device_id` as a last field; rows are
 * sorted (stably) by `curDateTime` text, then `detID`; `devices` keeps the referenced devices in unit-data order
 * with pandas' column types (a numeric column with a gap holds floats and `NaN`).
 */
export function readyWt(
  standard: WtDocument,
  unitDevices: readonly UnitDevice[],
  processingDate: string,
): WtReadyDocument {
  const header: Record<string, unknown> = { ...standard.header, processing_date: processingDate }
  const frame = deviceFrame(unitDevices)
  const devices = unitDevices.map((device) => {
    const record = frameRecord(device, frame)
    record.device_id = wtDeviceId(record)
    return record
  })
  const byKitsId = new Map<number, Record<string, unknown>[]>()
  for (const device of devices) {
    const kitsId = Number(device.kits_id)
    if (device.kits_id === null || device.kits_id === undefined || Number.isNaN(kitsId)) continue
    const list = byKitsId.get(kitsId) ?? []
    list.push(device)
    byKitsId.set(kitsId, list)
  }
  const data: Record<string, unknown>[] = []
  for (const row of standard.data) {
    const intId = row.intID
    const matches = typeof intId === 'number' ? byKitsId.get(intId) : undefined
    for (const device of matches ?? []) data.push({ ...row, device_id: device.device_id })
  }
  data.sort((a, b) => compareText(a.curDateTime, b.curDateTime) || compareNumber(a.detID, b.detID))
  const referenced = new Set(data.map((row) => row.device_id))
  return { header, data, devices: devices.filter((device) => referenced.has(device.device_id)) }
}
