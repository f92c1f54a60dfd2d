/**
 * Field definitions of the Knack emulator and the rendering of stored values into Knack's wire shapes
 * (`field_N` display value, `field_N_raw` structured value; spec external-apis §2.3).
 */

/** Field types the emulator renders; anything else is treated like `short_text`. */
export type KnackFieldType =
  | 'short_text'
  | 'paragraph_text'
  | 'number'
  | 'auto_increment'
  | 'equation'
  | 'currency'
  | 'multiple_choice'
  | 'boolean'
  | 'connection'
  | 'address'
  | 'date_time'
  | 'email'
  | 'link'
  | 'phone'

/** One field of an object: key (`field_884`), label (`SENSOR_TYPE`) and type. */
export interface KnackFieldDef {
  readonly key: string
  readonly label: string
  /** @default 'short_text' */
  readonly type?: KnackFieldType
}

/** A local wall-clock time (the app's timezone), as Knack keeps date values. */
export interface WallTime {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
}

/** A stored date/time value: a wall time and, for ranges, an end. */
export interface StoredDate {
  readonly kind: 'date'
  readonly from: WallTime
  readonly to?: WallTime
}

/** Thrown for a value the emulator cannot store (answered as HTTP 400). */
export class FieldValueError extends Error {}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** `MM/DD/YYYY` of a wall time. */
export function formatDate(wall: WallTime): string {
  return `${pad(wall.month)}/${pad(wall.day)}/${wall.year}`
}

/** Parses `MM/DD/YYYY`, `MM/DD/YYYY HH:mm` (24 h) or `MM/DD/YYYY h:mm am|pm`; `null` when it is none of them. */
export function parseWallText(text: string): { wall: WallTime; hasTime: boolean } | null {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})\s*([ap]m)?)?$/i.exec(text.trim())
  if (!match) return null
  const [, mm, dd, yyyy, hh, mi, ampm] = match
  let hour = hh === undefined ? 0 : Number(hh)
  if (ampm) hour = to24(hour, ampm)
  const wall = { year: Number(yyyy), month: Number(mm), day: Number(dd), hour, minute: Number(mi ?? 0) }
  return validWall(wall) ? { wall, hasTime: hh !== undefined } : null
}

function to24(hour12: number, ampm: string): number {
  const pm = ampm.toLowerCase() === 'pm'
  return (hour12 % 12) + (pm ? 12 : 0)
}

function validWall(w: WallTime): boolean {
  const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute)
  const d = new Date(ms)
  return d.getUTCMonth() === w.month - 1 && d.getUTCDate() === w.day && w.hour < 24 && w.minute < 60
}

/** Minutes since the epoch of a wall time read as if it were UTC (the Knack timestamp quirk). */
export function wallMinutes(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) / 60000
}

function wallFromObject(value: Record<string, unknown>): WallTime {
  const parsed = typeof value.date === 'string' ? parseWallText(value.date) : null
  if (!parsed) throw new FieldValueError(`Invalid date value ${JSON.stringify(value)}`)
  let hour = value.hours === undefined ? 0 : Number(value.hours)
  const minute = value.minutes === undefined ? 0 : Number(value.minutes)
  if (typeof value.am_pm === 'string') hour = to24(hour, value.am_pm)
  const wall = { ...parsed.wall, hour, minute }
  if (!Number.isInteger(hour) || !Number.isInteger(minute) || !validWall(wall)) {
    throw new FieldValueError(`Invalid date value ${JSON.stringify(value)}`)
  }
  return wall
}

/**
 * Reads a date/time as clients write it: `{date: "MM/DD/YYYY", hours, minutes, am_pm}` (local time), with an
 * optional `to` of the same shape, `{times: [{from, to}]}` (the original's range form), or a `MM/DD/YYYY[ HH:mm]`
 * string.
 */
export function toStoredDate(value: unknown): StoredDate {
  if (typeof value === 'string') {
    const parsed = parseWallText(value)
    if (!parsed) throw new FieldValueError(`Invalid date value ${JSON.stringify(value)}`)
    return { kind: 'date', from: parsed.wall }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>
    if (Array.isArray(obj.times)) {
      const first = obj.times[0] as Record<string, unknown> | undefined
      if (!first || typeof first.from !== 'object' || first.from === null) {
        throw new FieldValueError(`Invalid date range ${JSON.stringify(value)}`)
      }
      const from = wallFromObject(first.from as Record<string, unknown>)
      const to = first.to ? wallFromObject(first.to as Record<string, unknown>) : undefined
      return to ? { kind: 'date', from, to } : { kind: 'date', from }
    }
    const from = wallFromObject(obj)
    const to =
      obj.to && typeof obj.to === 'object' ? wallFromObject(obj.to as Record<string, unknown>) : undefined
    return to ? { kind: 'date', from, to } : { kind: 'date', from }
  }
  throw new FieldValueError(`Invalid date value ${JSON.stringify(value)}`)
}

function rawWall(wall: WallTime): Record<string, unknown> {
  const hour12 = wall.hour % 12 === 0 ? 12 : wall.hour % 12
  const ampm = wall.hour < 12 ? 'am' : 'pm'
  const fakeUtcMs = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute)
  return {
    date: formatDate(wall),
    date_formatted: formatDate(wall),
    hours: pad(hour12),
    minutes: pad(wall.minute),
    am_pm: ampm.toUpperCase(),
    unix_timestamp: fakeUtcMs,
    iso_timestamp: new Date(fakeUtcMs).toISOString(),
    timestamp: `${formatDate(wall)} ${pad(hour12)}:${pad(wall.minute)} ${ampm}`,
    time: wall.hour * 60 + wall.minute,
  }
}

function displayWall(wall: WallTime): string {
  return `${formatDate(wall)} ${pad(wall.hour)}:${pad(wall.minute)}`
}

/** Normalises a value written by a client (or seeded by a test) into what the emulator stores. */
export function toStored(field: KnackFieldDef, value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null
  if (field.type === 'date_time') return toStoredDate(value)
  return value
}

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

/** The structured `field_N_raw` value of a stored value. */
export function renderRaw(field: KnackFieldDef, stored: unknown): unknown {
  if (stored === null || stored === undefined) return field.type === 'connection' ? [] : ''
  if (field.type === 'date_time') {
    const date = stored as StoredDate
    const raw = rawWall(date.from)
    return date.to ? { ...raw, to: rawWall(date.to) } : raw
  }
  if (field.type === 'currency') return String(stored)
  return stored
}

/** The display `field_N` value of a stored value (HTML for links, connections, addresses). */
export function renderDisplay(field: KnackFieldDef, stored: unknown): unknown {
  if (stored === null || stored === undefined) return ''
  const obj = (typeof stored === 'object' ? stored : {}) as Record<string, unknown>
  switch (field.type) {
    case 'date_time': {
      const date = stored as StoredDate
      return date.to ? `${displayWall(date.from)} to ${displayWall(date.to)}` : displayWall(date.from)
    }
    case 'currency':
      return `$${Number(stored).toFixed(2)}`
    case 'boolean':
      return stored === true ? 'Yes' : 'No'
    case 'multiple_choice':
      return Array.isArray(stored) ? stored.join(', ') : stored
    case 'connection':
      return (Array.isArray(stored) ? stored : [])
        .map((c: { id?: string; identifier?: string }) => `<span class="${c.id}">${c.identifier}</span>`)
        .join('<br />')
    case 'address': {
      const line2 = [obj.city, obj.state].filter(Boolean).join(', ')
      return [obj.street, obj.street2, [line2, obj.zip].filter(Boolean).join(' ')]
        .filter(Boolean)
        .join('<br />')
    }
    case 'email':
      return `<a href="mailto:${escapeHtml(String(obj.email))}">${escapeHtml(String(obj.email))}</a>`
    case 'link':
      return `<a href="${escapeHtml(String(obj.url))}">${escapeHtml(String(obj.url))}</a>`
    case 'phone':
      return obj.formatted ?? obj.full ?? ''
    default:
      return stored
  }
}

/** Plain text of a stored value, used by text filters (connections match on their identifiers). */
export function textOf(field: KnackFieldDef, stored: unknown): string {
  if (stored === null || stored === undefined) return ''
  if (field.type === 'connection' && Array.isArray(stored)) {
    return stored.map((c: { identifier?: string }) => c.identifier ?? '').join(', ')
  }
  if (field.type === 'date_time') return displayWall((stored as StoredDate).from)
  if (field.type === 'address') return String(renderDisplay(field, stored)).replaceAll('<br />', ', ')
  if (Array.isArray(stored)) return stored.join(', ')
  if (typeof stored === 'object') return JSON.stringify(stored)
  return String(stored)
}
