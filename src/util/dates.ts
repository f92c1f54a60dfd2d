import { type DateObjectUnits, DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon'
import { ArgumentError } from '../support/errors.js'
import { OffsetCachingZone } from './cached-zone.js'

/** The data lake's zone (the original's `US/Central`). Every wall time without an offset is read in it. */
export const LOCAL_ZONE = 'America/Chicago'

/** Calendar fields (year 1000–9999, month 1–12, day) and optional clock fields (default 0) of a naive wall time. */
export type WallFields = { year: number; month: number; day: number } & Pick<
  DateObjectUnits,
  'hour' | 'minute' | 'second' | 'millisecond'
>

/** Source of "now"; injected everywhere so tests never read the real clock. */
export interface Clock {
  /** The current time in {@link LOCAL_ZONE}. */
  now(): DateTime
}

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000
const PROBE_MS = 36 * 3_600_000

/** One offset-caching zone per IANA name (a memo of pure values). */
const CACHED_ZONES = new Map<string, Zone>()

function zoneFor(name: string): Zone {
  const cached = CACHED_ZONES.get(name)
  if (cached) return cached
  if (IANAZone.isValidZone(name)) {
    const zone = new OffsetCachingZone(name)
    CACHED_ZONES.set(name, zone)
    return zone
  }
  const fixed = FixedOffsetZone.parseSpecifier(name)
  if (fixed) return fixed
  throw new ArgumentError(`Unknown time zone ${JSON.stringify(name)}`)
}

function inRange(value: number, low: number, high: number): boolean {
  return Number.isInteger(value) && value >= low && value <= high
}

/** Wall reading as "UTC" epoch milliseconds (the zone-free clock reading), or null when out of range. */
function wallMillis(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | null {
  const dateOk = inRange(y, 1000, 9999) && inRange(mo, 1, 12) && inRange(d, 1, 31)
  if (!dateOk || !inRange(h, 0, 23) || !inRange(mi, 0, 59) || !inRange(s, 0, 59) || !inRange(ms, 0, 999))
    return null
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  return new Date(wall).getUTCDate() === d ? wall : null
}

/**
 * Offset (minutes) for a wall reading in `zone` with pytz `is_dst=False` rules; `exists` is false inside a
 * spring-forward gap. Assumes no two transitions within 72 hours (true for every real zone since 1970).
 */
function wallOffset(wall: number, zone: Zone): { offset: number; exists: boolean } {
  if (zone.isUniversal) return { offset: zone.offset(wall), exists: true }
  const before = zone.offset(wall - PROBE_MS)
  const after = zone.offset(wall + PROBE_MS)
  if (before === after) return { offset: before, exists: true }
  const standard = Math.min(before, after)
  const daylight = Math.max(before, after)
  if (zone.offset(wall - standard * MINUTE_MS) === standard) return { offset: standard, exists: true }
  if (zone.offset(wall - daylight * MINUTE_MS) === daylight) return { offset: daylight, exists: true }
  return { offset: standard, exists: false }
}

function fromWall(wall: number, offset: number, exists: boolean, zone: Zone): DateTime {
  const ts = wall - offset * MINUTE_MS
  return DateTime.fromMillis(ts, { zone: exists ? zone : FixedOffsetZone.instance(offset) })
}

function localizeWallMillis(wall: number, zone: Zone): DateTime {
  const { offset, exists } = wallOffset(wall, zone)
  return fromWall(wall, offset, exists, zone)
}

/**
 * Attaches `zone` to a naive wall time the way the original's pytz `localize(…, is_dst=False)` did: an ambiguous
 * time (the repeated hour in November) gets standard time (the later instant); a non-existent time (the skipped
 * hour in March) keeps its clock text with the standard offset and is returned in that fixed-offset zone
 * (`2019-03-10 02:30` → `2019-03-10 02:30:00-06:00`). Every other time is returned in `zone` itself.
 * @throws ArgumentError when a field is out of range (month 13, 31 April, hour 24…).
 */
export function localizeWall(fields: WallFields, zone: string = LOCAL_ZONE): DateTime {
  const { year, month, day, hour, minute, second, millisecond } = fields
  const wall = wallMillis(year, month, day, hour, minute, second, millisecond)
  if (wall === null) throw new ArgumentError(`Invalid wall time ${JSON.stringify(fields)}`)
  return localizeWallMillis(wall, zoneFor(zone))
}

/** 2000-01-01 00:00 Central: what `-r 0` (or an empty date) means. */
export const EARLIEST_TIME: DateTime = localizeWall({ year: 2000, month: 1, day: 1 })

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** `dt`'s own clock reading as "UTC" epoch millis. */
function ownWall(dt: DateTime): number {
  if (!dt.isValid) throw new ArgumentError(`Invalid DateTime: ${dt.invalidExplanation ?? dt.invalidReason}`)
  return dt.toMillis() + dt.offset * MINUTE_MS
}

function dayText(wall: Date): string {
  return `${String(wall.getUTCFullYear()).padStart(4, '0')}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`
}

function clockText(wall: Date): string {
  return `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}:${pad2(wall.getUTCSeconds())}`
}

function pyTsText(wall: number, offsetMinutes: number): string {
  const date = new Date(wall)
  const ms = date.getUTCMilliseconds()
  const frac = ms === 0 ? '' : `.${String(ms).padStart(3, '0')}000`
  const total = Math.round(Math.abs(offsetMinutes) * 60)
  const hhmm = `${pad2(Math.floor(total / 3600))}:${pad2(Math.floor(total / 60) % 60)}`
  const offset = `${offsetMinutes < 0 ? '-' : '+'}${hhmm}${total % 60 === 0 ? '' : `:${pad2(total % 60)}`}`
  return `${dayText(date)} ${clockText(date)}${frac}${offset}`
}

/** `YYYY-MM-DD` of `dt`'s own calendar fields (its own offset, no conversion). */
export function formatDay(dt: DateTime): string {
  return dayText(new Date(ownWall(dt)))
}

/**
 * Python's `str()` of an aware datetime ("PyTS"), in `dt`'s own offset: `2019-06-01 00:00:00-05:00`, with six
 * fraction digits only when the sub-second part is non-zero (`2019-06-01 00:00:13.600000-05:00`).
 */
export function formatPyTs(dt: DateTime): string {
  return pyTsText(ownWall(dt), dt.offset)
}

/** Socrata's floating timestamp ("SocTS"): `YYYY-MM-DDTHH:MM:SS`, wall time in `dt`'s own offset. */
export function formatSocTs(dt: DateTime): string {
  const wall = new Date(ownWall(dt))
  return `${dayText(wall)}T${clockText(wall)}`
}

const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz]|UTC|utc|GMT)|([+-])(\d{2})(?::?(\d{2}))?)?$/

/** Parses the ISO/PyTS/PostgreSQL forms; null when the text is not one of them. */
function parseIsoLike(text: string, zone: Zone): DateTime | null {
  const m = TIMESTAMP_RE.exec(text)
  if (!m) return null
  const [, y = '', mo = '', d = '', h = '0', mi = '0', s = '0', frac, utc, sign, oh, om] = m
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0
  const wall = wallMillis(+y, +mo, +d, +h, +mi, +s, ms)
  if (wall === null || (sign && m[4] === undefined)) return null
  if (!utc && !sign) return localizeWallMillis(wall, zone)
  if (Number(oh ?? 0) > 23 || Number(om ?? 0) > 59) return null
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) : 0
  return DateTime.fromMillis(wall - offset * MINUTE_MS, { zone })
}

/**
 * Parses a timestamp as the original or PostgreSQL/PostgREST write it: PyTS (`2019-06-01 00:00:00-05:00`, with
 * optional fraction), ISO with `T`, `Z`/`UTC`, offsets `+00`, `+0000`, `+00:00`, or a bare date. Text with an offset
 * is that instant shown in `zone`; naive text is a wall time in `zone` ({@link localizeWall}). Fractions beyond
 * milliseconds are truncated.
 * @throws ArgumentError for anything else.
 */
export function parseTimestamp(text: string, zone: string = LOCAL_ZONE): DateTime {
  const dt = typeof text === 'string' ? parseIsoLike(text.trim(), zoneFor(zone)) : null
  if (!dt) {
    throw new ArgumentError(
      `Cannot parse timestamp ${JSON.stringify(text)}: expected YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|±HH[:MM]]`,
    )
  }
  return dt
}

const AWAM_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s+([AaPp])[Mm]$/

/** Wall millis of an AWAM 12-hour timestamp (`%m/%d/%Y %I:%M[:%S] %p`, strptime's 1–2 digit fields), or null. */
function awamWall(text: string, withSeconds: boolean): number | null {
  const m = AWAM_RE.exec(text)
  if (!m || (m[6] !== undefined) !== withSeconds) return null
  const hour12 = Number(m[4])
  if (hour12 < 1 || hour12 > 12) return null
  const hour = (hour12 % 12) + (m[7] === 'P' || m[7] === 'p' ? 12 : 0)
  return wallMillis(Number(m[3]), Number(m[1]), Number(m[2]), hour, Number(m[5]), Number(m[6] ?? 0))
}

/** Luxon format strings served by the fast AWAM parsers; the value says whether seconds are present. */
const AWAM_FORMATS: ReadonlyMap<string, boolean> = new Map([
  ['M/d/yyyy h:mm:ss a', true],
  ['MM/dd/yyyy hh:mm:ss a', true],
  ['M/d/yyyy h:mm a', false],
  ['MM/dd/yyyy hh:mm a', false],
])

function genericWall(text: string, format: string): number | null {
  const parsed = DateTime.fromFormat(text, format, { zone: 'utc', locale: 'en-US' })
  return parsed.isValid ? parsed.toMillis() : null
}

/**
 * Strictly parses naive `text` with a luxon format token string, then {@link localizeWall}s it; null when it does not
 * parse. The AWAM formats (`M/d/yyyy h:mm:ss a`, `M/d/yyyy h:mm a` and their zero-padded spellings) use a
 * hand-written parser (about 2× faster than luxon's `fromFormat`) that, like Python's strptime, takes 1- or 2-digit
 * month, day, hour, minute and second and a case-insensitive AM/PM. For millions of rows prefer
 * {@link createWallTimeParser}, which also caches the zone's offset per day.
 */
export function parseWallTime(text: string, format: string, zone: string = LOCAL_ZONE): DateTime | null {
  const awam = AWAM_FORMATS.get(format)
  const wall = awam === undefined ? genericWall(text, format) : awamWall(text, awam)
  return wall === null ? null : localizeWallMillis(wall, zoneFor(zone))
}

/** AWAM Bluetooth time `MM/DD/YYYY hh:mm:ss AM|PM` (leading zeros optional) as Central wall time, or null. */
export function parseAwamTime(text: string, zone: string = LOCAL_ZONE): DateTime | null {
  return parseWallTime(text, 'M/d/yyyy h:mm:ss a', zone)
}

/** AWAM summary time without seconds `M/D/YYYY h:mm AM|PM` as Central wall time, or null. */
export function parseAwamMinute(text: string, zone: string = LOCAL_ZONE): DateTime | null {
  return parseWallTime(text, 'M/d/yyyy h:mm a', zone)
}

/** A reusable wall-time parser from {@link createWallTimeParser}. */
export interface WallTimeParser {
  /** Same result as {@link parseWallTime}. */
  parse(text: string): DateTime | null
  /** `formatPyTs(parse(text))` without building a DateTime (the fastest path), or null. */
  toPyTs(text: string): string | null
}

/**
 * A {@link parseWallTime} for hot loops: it remembers, per calendar day, the zone's offset when no change happens
 * near that day, so ordinary rows skip the zone lookups. The cache lives in the closure (reset after 4096 days).
 */
export function createWallTimeParser(format: string, zone: string = LOCAL_ZONE): WallTimeParser {
  const z = zoneFor(zone)
  const awam = AWAM_FORMATS.get(format)
  const dayOffsets = new Map<number, number | null>()
  const resolve = (text: string): { wall: number; offset: number; exists: boolean } | null => {
    const wall = awam === undefined ? genericWall(text, format) : awamWall(text, awam)
    if (wall === null) return null
    const day = Math.floor(wall / DAY_MS)
    let offset = dayOffsets.get(day)
    if (offset === undefined) {
      const before = z.offset(day * DAY_MS - PROBE_MS)
      offset = before === z.offset((day + 1) * DAY_MS + PROBE_MS) ? before : null
      if (dayOffsets.size >= 4096) dayOffsets.clear()
      dayOffsets.set(day, offset)
    }
    return offset === null ? { wall, ...wallOffset(wall, z) } : { wall, offset, exists: true }
  }
  return {
    parse(text) {
      const r = resolve(text)
      return r && fromWall(r.wall, r.offset, r.exists, z)
    },
    toPyTs(text) {
      const r = resolve(text)
      return r && pyTsText(r.wall, r.offset)
    },
  }
}

/** `dt` shown in {@link LOCAL_ZONE} (same instant). */
export function toLocal(dt: DateTime): DateTime {
  return dt.setZone(zoneFor(LOCAL_ZONE))
}

/** The current time in {@link LOCAL_ZONE}, read from `clock` (a `Date` source) or the system clock. */
export function nowLocal(clock?: () => Date): DateTime {
  return DateTime.fromJSDate(clock ? clock() : new Date(), { zone: zoneFor(LOCAL_ZONE) })
}

/** A {@link Clock} reading the system time. */
export function systemClock(): Clock {
  return { now: () => nowLocal() }
}

/** A {@link Clock} frozen at `iso` (any {@link parseTimestamp} form; naive = Central) or at a given DateTime. */
export function fixedClock(iso: string | DateTime): Clock {
  const at = toLocal(typeof iso === 'string' ? parseTimestamp(iso) : iso)
  return { now: () => at }
}

/**
 * The wall reading of `dt` as a local time: its own clock fields when they denote the same instant in `zone`
 * (a Central value, or a fixed-offset value from {@link localizeWall}), else its clock in `zone`.
 */
function localWall(dt: DateTime, zone: Zone): number {
  const own = ownWall(dt)
  const ts = dt.toMillis()
  if (dt.zone.equals(zone)) return own
  const { offset } = wallOffset(own, zone)
  return own - offset * MINUTE_MS === ts ? own : ts + zone.offset(ts) * MINUTE_MS
}

/** Local midnight of `dt`'s calendar day in `zone`, with that midnight's real offset (also on DST days). */
export function startOfLocalDay(dt: DateTime, zone: string = LOCAL_ZONE): DateTime {
  const z = zoneFor(zone)
  const wall = localWall(dt, z)
  return localizeWallMillis(wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS), z)
}

/**
 * Wall-clock day arithmetic as in the original (drop the zone, add n × 24 h, re-attach the zone): the result keeps
 * the clock time, so midnight + 1 day is the next midnight even when that is 23 or 25 real hours later.
 */
export function addDays(dt: DateTime, n: number, zone: string = LOCAL_ZONE): DateTime {
  const z = zoneFor(zone)
  return localizeWallMillis(localWall(dt, z) + n * DAY_MS, z)
}

/** Options of {@link parseDateArg}. */
export interface DateArgOptions {
  /** Truncate to local midnight of the value's calendar date in `zone` (the scripts' `parseDateOnly`). */
  dateOnly: boolean
  /** Zone for naive values and truncation; default {@link LOCAL_ZONE}. */
  zone?: string
}

const ACCEPTED_DATE_FORMS =
  'accepted: 0 or empty (earliest time), UNIX epoch seconds, YYYYMMDD, YYYY-MM-DD, ' +
  "'YYYY-MM-DD HH:MM[:SS]' or 'YYYY-MM-DDTHH:MM[:SS]', optionally followed by Z, UTC or an offset like -05:00"

function parseDateText(text: string, zone: Zone): DateTime | null {
  if (/^\d{8}$/.test(text)) {
    const wall = wallMillis(+text.slice(0, 4), +text.slice(4, 6), +text.slice(6, 8))
    if (wall !== null) return localizeWallMillis(wall, zone)
  }
  if (/^\d+(\.\d+)?$/.test(text)) return DateTime.fromMillis(Math.round(Number(text) * 1000), { zone })
  return parseIsoLike(text, zone)
}

/**
 * The `-r/--last_run_date`, `-e/--end_date` (and absolute `-s`) rules with the original's documented intent:
 * null, `''`, `'0'` or `0` → {@link EARLIEST_TIME}; a number or all-digit string (but an 8-digit `YYYYMMDD`) is UNIX
 * epoch seconds; ISO-like text without offset is a Central wall time; `Z`, ` UTC` and explicit offsets are real
 * instants. The result is shown in Central. `dateOnly` gives Central midnight of the value's Central date.
 * @throws ArgumentError naming the value and the accepted forms.
 */
export function parseDateArg(value: string | number | null | undefined, options: DateArgOptions): DateTime {
  const zoneName = options.zone ?? LOCAL_ZONE
  const zone = zoneFor(zoneName)
  const text = typeof value === 'string' ? value.trim() : value
  if (text === null || text === undefined || text === '' || text === '0' || text === 0) {
    return zoneName === LOCAL_ZONE ? EARLIEST_TIME : localizeWall({ year: 2000, month: 1, day: 1 }, zoneName)
  }
  let dt: DateTime | null = null
  if (typeof text === 'number') {
    dt = Number.isFinite(text) ? DateTime.fromMillis(Math.round(text * 1000), { zone }) : null
  } else if (typeof text === 'string') {
    dt = parseDateText(text, zone)
  }
  if (!dt?.isValid || dt.year < 1000 || dt.year > 9999) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value)
    throw new ArgumentError(`Cannot parse date ${shown} (${ACCEPTED_DATE_FORMS})`)
  }
  return options.dateOnly ? startOfLocalDay(dt, zoneName) : dt
}

/** Options of {@link parseStartDateArg}. */
export interface StartDateArgOptions {
  /** The run's "now" (from its {@link Clock}). */
  now: DateTime
  /** Passed on to {@link parseDateArg} for absolute dates. */
  dateOnly: boolean
}

/**
 * The `-s/--start_date` rule: an integer N (a string of at most 5 digits, optionally signed, or an integer number
 * with |N| < 100000) is Central midnight of `now`'s day minus N days, counted on the wall clock; anything else
 * (including 10-digit epoch seconds and `YYYYMMDD`) goes to {@link parseDateArg}.
 */
export function parseStartDateArg(value: string | number, options: StartDateArgOptions): DateTime {
  let days: number | null = null
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 100_000) days = value
  } else if (/^[+-]?\d{1,5}$/.test(value.trim())) {
    days = Number(value.trim())
  }
  if (days === null) return parseDateArg(value, { dateOnly: options.dateOnly })
  return addDays(startOfLocalDay(options.now), -days)
}
