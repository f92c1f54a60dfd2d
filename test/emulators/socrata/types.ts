/** Socrata column data types the emulator knows (external-apis.md §1.6). */
export const SOCRATA_TYPES = [
  'text',
  'number',
  'checkbox',
  'floating_timestamp',
  'fixed_timestamp',
  'point',
  'location',
] as const

/** One of {@link SOCRATA_TYPES}. */
export type SocrataType = (typeof SOCRATA_TYPES)[number]

/** A GeoJSON point as Socrata stores and returns it (`[longitude, latitude]`). */
export interface GeoPoint {
  readonly type: 'Point'
  readonly coordinates: readonly [number, number]
}

/** A legacy location as Socrata returns it: coordinates as strings, `human_address` a JSON-encoded string. */
export interface LegacyLocation {
  readonly latitude: string
  readonly longitude: string
  readonly human_address: string
}

/** A cell in its wire (read) form: numbers as strings, timestamps with milliseconds, `null` for absent. */
export type CellValue = string | boolean | GeoPoint | LegacyLocation | null

/** Result of {@link coerceCell}: the stored value, or why the input does not fit the column type. */
export type Coerced =
  | { readonly ok: true; readonly value: CellValue }
  | { readonly ok: false; readonly reason: string }

/** Options of {@link coerceCell}. */
export interface CoerceOptions {
  /** [A] Accept a JSON number for a `text` column (stored as its JSON text). Booleans are always refused. */
  readonly textAcceptsNumbers: boolean
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/
const WKT_POINT = /^POINT\s*\(\s*(\S+)\s+(\S+)\s*\)$/i
const LAT_LON = /^\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$/
const EMPTY_ADDRESS = JSON.stringify({ address: '', city: '', state: '', zip: '' })

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
const fail = (reason: string): Coerced => ({ ok: false, reason })
const ok = (value: CellValue): Coerced => ({ ok: true, value })

/** Formats epoch milliseconds (read as UTC fields) as `YYYY-MM-DDTHH:MM:SS.mmm`. */
export function formatUtcFields(ms: number): string {
  const d = new Date(ms)
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  return `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
}

/**
 * Parses an ISO-8601 timestamp into epoch milliseconds of its wall-clock fields (`zone` false: no offset allowed)
 * or of the instant (`zone` true: `Z`, `±hh:mm` or `±hhmm` required). `null` when it does not parse or names an
 * impossible date.
 */
export function parseTimestamp(text: string, zone: boolean): number | null {
  const m = TIMESTAMP.exec(text)
  if (!m) return null
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m
  if (Boolean(offset) !== zone) return null
  const ms = Number(frac.padEnd(3, '0').slice(0, 3))
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const
  const utc = Date.UTC(...fields, ms)
  const back = new Date(utc)
  if (
    back.getUTCFullYear() !== fields[0] ||
    back.getUTCMonth() !== fields[1] ||
    back.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  )
    return null
  if (!offset || offset === 'Z') return utc
  const sign = offset.startsWith('-') ? -1 : 1
  const digits = offset.slice(1).replace(':', '')
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))
  return utc - sign * minutes * 60_000
}

function coordinate(value: unknown): number | null {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value) ? Number(value) : NaN
  return Number.isFinite(n) ? n : null
}

function coercePoint(value: unknown): Coerced {
  if (typeof value === 'string') {
    const m = WKT_POINT.exec(value.trim())
    const lon = coordinate(m?.[1])
    const lat = coordinate(m?.[2])
    return lon === null || lat === null
      ? fail('not a WKT POINT (lon lat)')
      : ok({ type: 'Point', coordinates: [lon, lat] })
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { type, coordinates } = value as { type?: unknown; coordinates?: unknown }
    if (type === 'Point' && Array.isArray(coordinates) && coordinates.length === 2) {
      const [lon, lat] = coordinates as unknown[]
      if (typeof lon === 'number' && typeof lat === 'number' && Number.isFinite(lon) && Number.isFinite(lat))
        return ok({ type: 'Point', coordinates: [lon, lat] })
    }
  }
  return fail('not a GeoJSON Point {"type":"Point","coordinates":[lon, lat]}')
}

function coerceLocation(value: unknown): Coerced {
  let lat: number | null = null
  let lon: number | null = null
  if (typeof value === 'string') {
    const m = LAT_LON.exec(value.trim())
    lat = coordinate(m?.[1])
    lon = coordinate(m?.[2])
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as { latitude?: unknown; longitude?: unknown }
    lat = coordinate(object.latitude)
    lon = coordinate(object.longitude)
  }
  if (lat === null || lon === null) return fail('not a location {"latitude":…,"longitude":…} or "(lat, lon)"')
  return ok({ latitude: String(lat), longitude: String(lon), human_address: EMPTY_ADDRESS })
}

/** Checks one upserted JSON value against a column type and returns its stored (wire) form; `null` clears. */
export function coerceCell(type: SocrataType, value: unknown, options: CoerceOptions): Coerced {
  if (value === null) return ok(null)
  switch (type) {
    case 'text':
      if (typeof value === 'string') return ok(value)
      if (typeof value === 'number' && options.textAcceptsNumbers && Number.isFinite(value))
        return ok(String(value))
      return fail('text needs a JSON string')
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return ok(String(value))
      if (typeof value === 'string' && NUMERIC.test(value.trim())) return ok(value.trim().replace(/^\+/, ''))
      return fail('number needs a JSON number or a numeric string')
    case 'checkbox':
      return typeof value === 'boolean' ? ok(value) : fail('checkbox needs true or false')
    case 'floating_timestamp':
    case 'fixed_timestamp': {
      const zone = type === 'fixed_timestamp'
      const ms = typeof value === 'string' ? parseTimestamp(value, zone) : null
      if (ms === null)
        return fail(
          zone
            ? 'fixed_timestamp needs ISO-8601 with Z or ±hh:mm'
            : 'floating_timestamp needs ISO-8601 without offset',
        )
      return ok(zone ? `${formatUtcFields(ms)}Z` : formatUtcFields(ms))
    }
    case 'point':
      return coercePoint(value)
    case 'location':
      return coerceLocation(value)
  }
}

/** Orders two non-null stored values of one column type (numbers numerically, the rest by their wire text). */
export function compareCells(type: SocrataType, a: CellValue, b: CellValue): number {
  if (type === 'number') return Math.sign(Number(a) - Number(b))
  if (type === 'checkbox') return Number(a) - Number(b)
  const x = typeof a === 'string' ? a : JSON.stringify(a)
  const y = typeof b === 'string' ? b : JSON.stringify(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** The `dataTypeName` Socrata's metadata (`/api/views/{id}.json`) reports for a type. */
export function metadataTypeName(type: SocrataType): string {
  if (type === 'floating_timestamp') return 'calendar_date'
  if (type === 'fixed_timestamp') return 'date'
  return type
}
