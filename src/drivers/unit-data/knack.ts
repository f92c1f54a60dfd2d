import { DateTime } from 'luxon'
import { ConfigError, InputError } from '../../support/errors.js'
import type { UnitDataSource, UnitDevice } from '../../support/unit-data.js'
import {
  createKnackClient,
  type KnackAppMetadata,
  type KnackClient,
  type KnackClientOptions,
  type KnackFieldMeta,
  type KnackFilters,
  type KnackRecord,
} from '../knack/client.js'

/** Knack object keys of the inventory (spec §6.1). */
export interface KnackUnitDataObjects {
  /** Locations. @default 'object_11' */
  readonly locations?: string
  /** Bluetooth readers and radars (`field_884` = sensor type). @default 'object_56' */
  readonly sensors?: string
  /** GRIDSMART detectors (`field_2384` = 1). @default 'object_98' */
  readonly gridsmart?: string
}

/** Options of {@link createKnackUnitData}: a ready client, or the options to create one. */
export interface KnackUnitDataOptions {
  readonly client?: KnackClient | undefined
  readonly clientOptions?: KnackClientOptions | undefined
  readonly objects?: KnackUnitDataObjects | undefined
  /** The app's timezone, for date/time values formatted like knackpy. @default 'America/Chicago' */
  readonly timezone?: string | undefined
}

/** Data sources this driver serves. */
export const KNACK_UNIT_DATA_SOURCES = ['bt', 'wt', 'gs'] as const

type Row = Record<string, unknown>

/** Stands for a value that a left join did not find (pandas NaN in the original). */
const MISSING = Symbol('missing join value')

const LOCATION_LABELS = [
  'ATD_LOCATION_ID',
  'COA_INTERSECTION_ID',
  'CROSS_ST',
  'CROSS_ST_SEGMENT_ID',
  'PRIMARY_ST',
  'PRIMARY_ST_SEGMENT_ID',
  'SIGNAL_ID',
  'LOCATION',
]

interface SourceSpec {
  readonly object: 'sensors' | 'gridsmart'
  readonly filters: KnackFilters
  readonly joinOn: 'ATD_LOCATION_ID' | 'SIGNAL_ID'
  /** Output column → device-side label (the other columns come from the location). */
  readonly deviceColumns: Readonly<Record<string, string>>
  readonly columns: readonly string[]
  readonly deviceType?: string
}

const LOCATION_COLUMNS = ['coa_intersection_id', 'lat', 'lon', 'primary_st', 'primary_st_segment_id']
const SENSOR_COLUMNS = {
  device_type: 'SENSOR_TYPE',
  atd_device_id: 'ATD_SENSOR_ID',
  device_name: 'READER_ID',
  device_status: 'SENSOR_STATUS',
  device_ip: 'SENSOR_IP',
  ip_comm_status: 'IP_COMM_STATUS',
  atd_location_id: 'ATD_LOCATION_ID',
  kits_id: 'KITS_ID',
}
const sensorSpec = (type: string): SourceSpec => ({
  object: 'sensors',
  filters: { match: 'and', rules: [{ field: 'field_884', operator: 'is', value: type }] },
  joinOn: 'ATD_LOCATION_ID',
  deviceColumns: SENSOR_COLUMNS,
  columns: [
    ...['device_type', 'atd_device_id', 'device_name', 'device_status', 'device_ip', 'ip_comm_status'],
    ...['atd_location_id', ...LOCATION_COLUMNS, 'cross_st', 'cross_st_segment_id', 'kits_id'],
  ],
})

const SOURCES: Readonly<Record<string, SourceSpec>> = {
  bt: sensorSpec('BLUETOOTH'),
  wt: sensorSpec('RADAR'),
  gs: {
    object: 'gridsmart',
    filters: { match: 'and', rules: [{ field: 'field_2384', operator: 'is', value: 1 }] },
    joinOn: 'SIGNAL_ID',
    deviceColumns: {
      atd_device_id: 'DETECTOR_ID',
      device_ip: 'DETECTOR_IP',
      device_status: 'DETECTOR_STATUS',
      ip_comm_status: 'IP_COMM_STATUS',
      SIGNAL_ID: 'SIGNAL_ID',
    },
    columns: [
      ...['device_type', 'atd_device_id', 'device_ip', 'device_status', 'ip_comm_status', 'atd_location_id'],
      ...LOCATION_COLUMNS,
      ...['cross_st', 'cross_st_segment_id'],
    ],
    deviceType: 'GRIDSMART',
  },
}

/** Python truthiness of a JSON value (knackpy falls back to `field_N` when `field_N_raw` is falsy). */
function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (value && typeof value === 'object') return Object.keys(value).length > 0
  return Boolean(value)
}

/** knackpy's formatter for a field type (its `formatters` module), applied to the raw value. */
function formatValue(type: string, value: unknown, timezone: string): unknown {
  if (value === null || value === undefined) return null
  const obj = (typeof value === 'object' && !Array.isArray(value) ? value : {}) as Row
  switch (type) {
    case 'address': {
      const parts = ['street', 'street2', 'city', 'state', 'zip', 'country']
        .map((k) => obj[k])
        .filter(pyTruthy)
      return parts.length > 0 ? parts.join(', ') : null
    }
    case 'multiple_choice':
      if (!Array.isArray(value)) return value
      return value.length === 0 || (value.length === 1 && value[0] === null) ? null : value.join(', ')
    case 'connection':
      if (!pyTruthy(value)) return null
      return (value as { identifier?: unknown }[]).map((c) => String(c.identifier)).join(', ')
    case 'email':
      return obj.email ?? null
    case 'link':
      return obj.url ?? null
    case 'phone':
      return obj.full ?? null
    case 'signature':
      return obj.base30 ?? null
    case 'image':
    case 'file':
      return typeof value === 'object' ? (obj.url ?? null) : value
    case 'date_time': {
      const ms = Number(obj.unix_timestamp)
      if (!Number.isFinite(ms)) return value
      const wall = DateTime.fromMillis(ms, { zone: 'utc' })
      const local = DateTime.fromObject(wall.toObject(), { zone: timezone })
      return local.toISO({ suppressMilliseconds: true })
    }
    default:
      return value
  }
}

/** A Knack record keyed by field label, as knackpy's `Record.format(keys=True, values=formatted)` returns it. */
function byLabel(
  record: KnackRecord,
  fields: readonly KnackFieldMeta[],
  formatted: boolean,
  tz: string,
): Row {
  const out: Row = {}
  for (const field of fields) {
    const blank = (v: unknown) => (v === '' || v === undefined ? null : v)
    const raw = blank(record[`${field.key}_raw`])
    const value = pyTruthy(raw) ? raw : blank(record[field.key])
    out[field.name === 'id' ? '_id' : field.name] = formatted ? formatValue(field.type, value, tz) : value
  }
  return out
}

/** Python `float(value)`: numbers, booleans and numeric text; `null` where Python raises. */
function pyFloat(value: unknown): number | null {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value !== 'string') return null
  const text = value.trim()
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity
  if (/^[+-]?nan$/i.test(text)) return Number.NaN
  if (!/^[+-]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d+)?$/.test(text)) return null
  return Number(text.replaceAll('_', ''))
}

/** The original's `cInt`: integer via float; `null` for null, a missing join value or anything unparseable. */
function cInt(value: unknown): number | null {
  const number = value === MISSING ? null : pyFloat(value)
  return number !== null && Number.isFinite(number) ? Math.trunc(number) : null
}

/** The original's `cFlt`, except that a non-finite result is `null` (strict JSON). */
function cFlt(value: unknown): number | null {
  const number = value === MISSING ? null : pyFloat(value)
  return number !== null && Number.isFinite(number) ? number : null
}

/** The original's `tStr`: trimmed text; a missing join value gives `"nan"` (later stages test for it). */
function tStr(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value === MISSING) return 'nan'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return (typeof value === 'object' ? JSON.stringify(value) : String(value)).trim()
}

function plain(value: unknown): string | number | null {
  if (value === MISSING || value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return JSON.stringify(value)
}

function joinKey(value: unknown, type: string | undefined, tz: string): string | null {
  const formatted = formatValue(type ?? 'short_text', value, tz)
  return formatted === null || formatted === undefined ? null : String(formatted)
}

/** Unit data from the city's Knack inventory (spec §6.1): devices of one type left-joined to their locations. */
export function createKnackUnitData(options: KnackUnitDataOptions): UnitDataSource {
  if (!options.client && !options.clientOptions) {
    throw new ConfigError('Knack unit data needs a client or clientOptions (appId, apiKey).')
  }
  const client = options.client ?? createKnackClient(options.clientOptions as KnackClientOptions)
  const tz = options.timezone ?? 'America/Chicago'
  const objects = {
    locations: options.objects?.locations ?? 'object_11',
    sensors: options.objects?.sensors ?? 'object_56',
    gridsmart: options.objects?.gridsmart ?? 'object_98',
  }
  let metadata: Promise<KnackAppMetadata> | null = null

  async function fieldsOf(objectKey: string, labels: readonly string[]): Promise<readonly KnackFieldMeta[]> {
    metadata ??= client.getApplicationMetadata().catch((error: unknown) => {
      metadata = null
      throw error
    })
    const found = (await metadata).objects.find((o) => o.key === objectKey)
    if (!found) throw new InputError(`Knack application has no object ${objectKey}.`)
    const missing = labels.filter((label) => !found.fields.some((f) => f.name === label))
    if (missing.length > 0) {
      throw new InputError(`Knack object ${objectKey} has no field labelled ${missing.join(', ')}.`)
    }
    return found.fields
  }

  async function read(objectKey: string, filters: KnackFilters | undefined): Promise<KnackRecord[]> {
    const records: KnackRecord[] = []
    for await (const record of client.getObjectRecords(objectKey, filters ? { filters } : {}))
      records.push(record)
    return records
  }

  async function fetchDevices(dataSource: string): Promise<UnitDevice[]> {
    const spec = SOURCES[dataSource]
    if (!spec) {
      throw new ConfigError(
        `Knack unit data has no data source "${dataSource}"; choose one of ${KNACK_UNIT_DATA_SOURCES.join(', ')}.`,
      )
    }
    const deviceObject = objects[spec.object]
    const deviceFields = await fieldsOf(deviceObject, Object.values(spec.deviceColumns))
    const locationFields = await fieldsOf(objects.locations, LOCATION_LABELS)
    const deviceRows = (await read(deviceObject, spec.filters)).map((r) => byLabel(r, deviceFields, true, tz))
    const locationRows = (await read(objects.locations, undefined)).map((r) =>
      byLabel(r, locationFields, false, tz),
    )
    const joinType = locationFields.find((f) => f.name === spec.joinOn)?.type
    const devices: UnitDevice[] = []
    for (const device of deviceRows) {
      const key = joinKey(device[spec.joinOn], undefined, tz)
      const matches =
        key === null ? [] : locationRows.filter((loc) => joinKey(loc[spec.joinOn], joinType, tz) === key)
      for (const location of matches.length > 0 ? matches : [null])
        devices.push(shape(spec, device, location))
    }
    return devices
  }

  return { name: 'knack', fetchDevices, close: async () => {} }
}

function shape(spec: SourceSpec, device: Row, location: Row | null): UnitDevice {
  const loc = (label: string): unknown => (location ? (location[label] ?? null) : MISSING)
  const point = location?.LOCATION as Row | null | undefined
  const coordinate = (name: string): unknown => (location ? (point?.[name] ?? null) : MISSING)
  const values: Record<string, unknown> = {
    device_type: spec.deviceType ?? null,
    atd_location_id: loc('ATD_LOCATION_ID'),
    coa_intersection_id: cInt(loc('COA_INTERSECTION_ID')),
    lat: cFlt(coordinate('latitude')),
    lon: cFlt(coordinate('longitude')),
    primary_st: tStr(loc('PRIMARY_ST')),
    primary_st_segment_id: cInt(loc('PRIMARY_ST_SEGMENT_ID')),
    cross_st: tStr(loc('CROSS_ST')),
    cross_st_segment_id: cInt(loc('CROSS_ST_SEGMENT_ID')),
  }
  for (const [column, label] of Object.entries(spec.deviceColumns)) values[column] = device[label] ?? null
  if (spec.deviceType) values.device_type = spec.deviceType
  if ('kits_id' in spec.deviceColumns) values.kits_id = cInt(values.kits_id)
  const out: Record<string, string | number | null> = {}
  for (const column of spec.columns) out[column] = plain(values[column])
  return out
}
