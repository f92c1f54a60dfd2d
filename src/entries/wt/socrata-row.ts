import { InputError } from '../../support/errors.js'
import type { PublishRow } from '../../support/publisher-driver.js'
import { md5Hex } from '../../util/hash.js'
import { pyStrOf } from './device-frame.js'

/** Fields hashed into the Radar Traffic Counts `row_id`, in order (spec §9.8). */
export const WT_ROW_ID_FIELDS = ['intname', 'curdatetime', 'detid'] as const

/** Options of {@link wtSocrataRow}. */
export interface WtSocrataRowOptions {
  /**
   * Reproduce the original's `timebin` exactly, including `HH:60` for minutes 53–59 (spec §10.21).
   * @default false: minutes 53–59 give the next hour's `HH:00` (see docs/compat.md)
   */
  readonly legacyTimebin?: boolean
}

const PY_TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/

/** The wall-clock fields of a PyTS text in its own offset (what `arrow.get(text)` keeps), or `null`. */
export function wallFieldsOf(text: unknown): {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
} | null {
  const m = typeof text === 'string' ? PY_TS.exec(text) : null
  if (!m) return null
  const [, y = '', mo = '', d = '', h = '', mi = '', s = ''] = m
  return { year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: +s }
}

const p2 = (n: number): string => String(n).padStart(2, '0')

/**
 * The 15-minute bin label `HH:MM` of a time: the minute rounded to the nearest quarter hour. The original printed
 * `"%02d:%02d" % (hour, round(minute / 15) * 15)`, which gives `HH:60` for minutes 53–59 (`legacy`); otherwise
 * those carry into the next hour (`23:55` → `00:00`). Minutes never fall on a rounding tie.
 */
export function timebin(hour: number, minute: number, legacy = false): string {
  const rounded = Math.round(minute / 15) * 15
  if (legacy || rounded < 60) return `${p2(hour)}:${p2(rounded)}`
  return `${p2((hour + 1) % 24)}:00`
}

/** `(weekday() + 1) % 7` of a calendar date: Sunday = 0 … Saturday = 6. */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay()
}

/** The text of `detName` before the first `_` (all of it when there is none; `""` for null). */
export function directionOf(detName: unknown): string {
  if (detName === null || detName === undefined) return ''
  return String(detName).split('_')[0] ?? ''
}

type Cell = string | number | boolean | null

function cell(value: unknown): Cell {
  if (value === undefined) return null
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return value
  return String(value)
}

/**
 * One Radar Traffic Counts row (`i626-g7ub`, spec §9.8) from a ready data row: the counts, the calendar fields of
 * `curDateTime` in its own offset, `day_of_week` (Sunday = 0), `timebin`, `direction`, and
 * `row_id = md5_hex(str(intname) + curdatetime + str(detid))`.
 * @throws InputError when `curDateTime` is not a timestamp.
 */
export function wtSocrataRow(
  row: Readonly<Record<string, unknown>>,
  options: WtSocrataRowOptions = {},
): PublishRow {
  const t = wallFieldsOf(row.curDateTime)
  if (!t) throw new InputError(`curDateTime ${JSON.stringify(row.curDateTime)} is not a timestamp`)
  const curdatetime = `${t.year}-${p2(t.month)}-${p2(t.day)}T${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}`
  const out: Record<string, Cell> = {
    detid: cell(row.detID),
    int_id: cell(row.intID),
    curdatetime,
    intname: cell(row.intName),
    detname: cell(row.detName),
    volume: cell(row.volume),
    occupancy: cell(row.occupancy),
    speed: cell(row.speed),
    month: t.month,
    day: t.day,
    year: t.year,
    hour: t.hour,
    minute: t.minute,
    day_of_week: dayOfWeek(t.year, t.month, t.day),
    timebin: timebin(t.hour, t.minute, options.legacyTimebin === true),
    direction: directionOf(row.detName),
  }
  out.row_id = md5Hex(WT_ROW_ID_FIELDS.map((field) => pyStrOf(out[field])).join(''))
  return out
}
