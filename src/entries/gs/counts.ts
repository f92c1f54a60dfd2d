import { parse } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import { InputError } from '../../support/errors.js'
import { formatPyTs, LOCAL_ZONE } from '../../util/dates.js'
import { type PyFloat, pyFloat } from '../../util/py-json.js'

/** Count-file API versions the standardizer knows (spec §9.10 step 5). */
export type GsVersion = 4 | 7 | 8

/** How a column is written: `int` (a fractional value stays a float), `float` (always `x.0`), `str`. */
export type GsColumnKind = 'int' | 'float' | 'str'

const col = (spec: string): [string, GsColumnKind][] =>
  spec.split(' ').map((c) => {
    const [name = '', kind = 'int'] = c.split(':')
    return [name, kind as GsColumnKind]
  })

/**
 * Column names and kinds of each version, in file order (names per spec §9.10; kinds follow the values of §11.3:
 * times, seconds and confidences are floats, counts, lengths, speeds and offsets ints).
 */
export const GS_COLUMNS: Readonly<Record<GsVersion, readonly (readonly [string, GsColumnKind])[]>> = {
  8: col(
    'count_version site_version timestamp:float utc_offset turn:str vehicle_length speed light_state:str ' +
      'seconds_in_zone:float vehicles_in_zone light_state_sec:float sec_since_green:float zone_freeflow_speed ' +
      'zone_freeflow_speed_cal',
  ),
  7: col(
    'count_version site_version timestamp:float utc_offset turn:str vehicle_length speed light_state:str ' +
      'seconds_in_zone:float vehicles_in_zone confidence:float',
  ),
  4: col(
    'count_version site_version timestamp:str internal_veh_id internal_veh_type vehicle_length speed turn:str ' +
      'allowable_turns:str seconds_in_zone:float seconds_since_last_exit:float queue_length ' +
      'light_state_on_exit:str sec_since_green:float internal_frame_count day_night:str',
  ),
}

/** The camera's clock error captured at ingest: `HostTimeUTC − device DateTime` (spec §9.10 step 7). */
export interface ClockCorrection {
  /** Milliseconds to add to a device-derived instant. */
  readonly deltaMs: number
  /** The fixed offset of the device's zone label (minutes east of UTC). */
  readonly labelOffsetMinutes: number
}

const US_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$/i
const ZONE_LABEL = /^\(UTC(?:([+-])(\d{1,2}):?(\d{2}))?\)$/

/** `MM/DD/YYYY hh:mm:ss AM|PM` (padding optional) as a zone-free wall reading in epoch ms, or `null`. */
export function parseUsTime(text: string): number | null {
  const m = US_TIME.exec(text.trim())
  if (!m) return null
  const [mo, d, y, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 1 || h > 12 || mi > 59 || s > 59) return null
  const hour = (h % 12) + ((m[7] as string).toUpperCase() === 'PM' ? 12 : 0)
  const wall = Date.UTC(y, mo - 1, d, hour, mi, s)
  return new Date(wall).getUTCDate() === d ? wall : null
}

/** Offset minutes of a `TimeZoneId`'s first token (`(UTC-05:00) Eastern…` → −300; `(UTC)` → 0), or `null`. */
export function zoneLabelOffset(timeZoneId: string): number | null {
  const m = ZONE_LABEL.exec(timeZoneId.trim().split(/\s+/)[0] ?? '')
  if (!m) return null
  if (!m[1]) return 0
  const minutes = Number(m[2]) * 60 + Number(m[3])
  return minutes > 14 * 60 || Number(m[3]) > 59 ? null : (m[1] === '-' ? -1 : 1) * minutes
}

/**
 * The clock correction of a site file's `datetime` document (`DateTime`, `TimeZoneId`, `HostTimeUTC`).
 * @throws InputError naming the missing or unparseable field.
 */
export function clockCorrection(datetime: unknown): ClockCorrection {
  const doc = (datetime ?? {}) as Record<string, unknown>
  const field = (key: string): string => {
    const value = doc[key]
    if (typeof value !== 'string') throw new InputError(`site file: datetime.${key} is missing.`)
    return value
  }
  const host = parseUsTime(field('HostTimeUTC'))
  const device = parseUsTime(field('DateTime'))
  const offset = zoneLabelOffset(field('TimeZoneId'))
  if (host === null)
    throw new InputError(`site file: datetime.HostTimeUTC "${doc.HostTimeUTC}" is unparseable.`)
  if (device === null) throw new InputError(`site file: datetime.DateTime "${doc.DateTime}" is unparseable.`)
  if (offset === null)
    throw new InputError(`site file: datetime.TimeZoneId "${doc.TimeZoneId}" has no offset.`)
  return { deltaMs: host - (device - offset * 60_000), labelOffsetMinutes: offset }
}

/**
 * The device-local time of day of a v8/v7 `timestamp` cell (`HHMMSS.f`) in ms after midnight. Tenths are rounded
 * half-even from the decimal text; a fraction that rounds to 10 tenths carries into the next second (the original
 * built an invalid time and dropped the row, spec §10 item 18).
 * @throws InputError when the cell is not a valid `HHMMSS[.f]` time.
 */
export function v8TimeOfDayMs(cell: string): number {
  const m = /^(\d{1,6})(?:\.(\d*))?$/.exec(cell.trim())
  if (!m) throw new InputError(`invalid HHMMSS.f timestamp "${cell}"`)
  const whole = Number(m[1])
  const [h, mi, s] = [Math.floor(whole / 10_000), Math.floor(whole / 100) % 100, whole % 100]
  if (h > 23 || mi > 59 || s > 59) throw new InputError(`invalid time of day "${cell}"`)
  const frac = m[2] ?? ''
  let tenths = Number(frac[0] ?? '0')
  const rest = frac.slice(1).replace(/0+$/, '')
  if (rest > '5' || (rest.startsWith('5') && rest.length > 1) || (rest === '5' && tenths % 2 === 1))
    tenths += 1
  return ((h * 60 + mi) * 60 + s) * 1000 + tenths * 100
}

/** A v4 `timestamp` cell (`YYYYMMDDTHHMMSS[.f…]`, UTC) as epoch ms (sub-millisecond digits truncated). */
export function v4Instant(cell: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{1,6}))?$/.exec(cell.trim())
  if (!m) throw new InputError(`invalid v4 timestamp "${cell}"`)
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3))
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  const back = new Date(t)
  if (back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    throw new InputError(`invalid v4 timestamp "${cell}"`)
  return t
}

/** A converted cell: int, Python float, string or `null` (blank). */
export type GsCell = number | PyFloat | string | null

/** The outcome of {@link convertCountCsv}. */
export interface ConvertedZone {
  readonly version: GsVersion
  /** Rows as written: every column, plus `timestamp_adj` (PyTS) for v8/v4 when a clock correction is known. */
  readonly rows: Record<string, GsCell>[]
  /** `-1`/`0`/`1` (spec §9.10), or `null` when not computed (v7, no correction, no rows). */
  readonly dayCovered: -1 | 0 | 1 | null
  /** Dropped rows per reason. */
  readonly dropped: ReadonlyMap<string, number>
  /** Rows whose timestamp parsed, and their min/max UTC instants *before* the clock correction (perfmet). */
  readonly parsed: { readonly count: number; readonly min: number | null; readonly max: number | null }
  readonly warnings: readonly string[]
}

/** Inputs of {@link convertCountCsv}. */
export interface ConvertOptions {
  /** The collection day (local midnight). */
  readonly day: DateTime
  /** The clock correction, or `null` when the site file has none (rows are kept without `timestamp_adj`). */
  readonly correction: ClockCorrection | null
}

/**
 * The API version of a count file: the integer in the first column of its first line.
 * @throws InputError for an empty file or an unknown version.
 */
export function countVersion(rows: readonly string[][]): GsVersion {
  const first = rows[0]?.[0]?.trim()
  if (first === undefined) throw new InputError('empty count file')
  const version = Number(first)
  if (version !== 4 && version !== 7 && version !== 8) {
    throw new InputError(`unknown count-file API version "${first}" (known: 4, 7, 8)`)
  }
  return version
}

function convertCell(text: string, kind: GsColumnKind): GsCell {
  const t = text.trim()
  if (t === '') return null
  if (kind === 'str') return t
  const n = Number(t)
  if (!Number.isFinite(n) || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) {
    throw new InputError(`non-numeric value "${t}"`)
  }
  return kind === 'int' && Number.isInteger(n) ? n : pyFloat(n)
}

const num = (cell: GsCell | undefined): number | null =>
  cell === null || cell === undefined || typeof cell === 'string' ? null : Number(cell)

/**
 * Converts one zone's CSV text (headerless; spec §9.10 steps 5–7): typed cells, `timestamp_adj` in Central time
 * after the clock correction, `day_covered`, and the rows that cannot be converted dropped and counted by reason.
 * @throws InputError for an empty, unparseable or unknown-version file, or one where no row converts.
 */
export function convertCountCsv(text: string, options: ConvertOptions): ConvertedZone {
  let lines: string[][]
  try {
    lines = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][]
  } catch (error) {
    throw new InputError(`unparseable CSV (${error instanceof Error ? error.message : String(error)})`)
  }
  const version = countVersion(lines)
  const columns = GS_COLUMNS[version]
  const { day, correction } = options
  const dayWall = Date.UTC(day.year, day.month - 1, day.day)
  const warnings: string[] = []
  if (version === 7) warnings.push('API version 7: timestamps are not supported, no timestamp_adj written.')
  if (!correction && version !== 7) warnings.push('no clock correction: rows kept without timestamp_adj.')
  const dropped = new Map<string, number>()
  const rows: Record<string, GsCell>[] = []
  let count = 0
  let min: number | null = null
  let max: number | null = null
  let firstOffset: number | null = null
  for (const line of lines) {
    try {
      if (line.length > columns.length)
        throw new InputError(`${line.length} fields, expected ${columns.length}`)
      const row: Record<string, GsCell> = {}
      columns.forEach(([name, kind], i) => {
        row[name] = convertCell(line[i] ?? '', kind)
      })
      let instant: number | null = null
      if (version === 8) {
        const offset = num(row.utc_offset)
        if (row.timestamp === null || offset === null) throw new InputError('missing timestamp or utc_offset')
        instant = dayWall + v8TimeOfDayMs(line[2] as string) - offset * 60_000
        firstOffset ??= offset
      } else if (version === 4) {
        if (typeof row.timestamp !== 'string') throw new InputError('missing timestamp')
        instant = v4Instant(row.timestamp)
      }
      if (instant !== null) {
        count += 1
        min = min === null || instant < min ? instant : min
        max = max === null || instant > max ? instant : max
        if (correction) row.timestamp_adj = formatPyTs(central(instant + correction.deltaMs))
      }
      rows.push(row)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      dropped.set(error.message, (dropped.get(error.message) ?? 0) + 1)
    }
  }
  if (rows.length === 0) {
    throw new InputError(`no convertible rows (${[...dropped.keys()].slice(0, 3).join('; ')})`)
  }
  let dayCovered: -1 | 0 | 1 | null = null
  if (correction && (version === 4 || (version === 8 && firstOffset !== null))) {
    const start = dayWall - (version === 8 ? (firstOffset as number) * 60_000 : 0) + correction.deltaMs
    const midnight = day.toMillis()
    dayCovered = start < midnight ? -1 : start === midnight ? 0 : 1
  }
  return { version, rows, dayCovered, dropped, parsed: { count, min, max }, warnings }
}

/** An epoch-ms instant in the lake's zone. */
export function central(ms: number): DateTime {
  return DateTime.fromMillis(ms, { zone: LOCAL_ZONE })
}
