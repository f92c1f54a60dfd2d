/**
 * Knack record filters (spec external-apis §2.5): `{"match": "and"|"or", "rules": [...]}` or a bare array of rules
 * (⇒ `and`). Operators: `is`, `is not`, `contains`, `does not contain`, `starts with`, `ends with`, `is blank`,
 * `is not blank`, `higher than`, `lower than`, `is before`, `is after`. Text comparisons ignore case [A]; date
 * values are `MM/DD/YYYY[ HH:mm]` in the app's timezone (compared by day without a time, by minute with one).
 */
import { type KnackFieldDef, parseWallText, type StoredDate, textOf, wallMinutes } from './fields.js'

/** A filter the emulator cannot evaluate (answered as HTTP 400). */
export class FilterError extends Error {}

/** One parsed rule. */
export interface FilterRule {
  readonly field: string
  readonly operator: string
  readonly value?: unknown
}

/** A parsed filter. */
export interface Filter {
  readonly match: 'and' | 'or'
  readonly rules: readonly FilterRule[]
}

const OPERATORS = new Set([
  'is',
  'is not',
  'contains',
  'does not contain',
  'starts with',
  'ends with',
  'is blank',
  'is not blank',
  'higher than',
  'lower than',
  'is before',
  'is after',
])

/** Parses the `filters` query parameter; throws {@link FilterError} for malformed JSON or unknown operators. */
export function parseFilter(text: string, fields: ReadonlyMap<string, KnackFieldDef>): Filter {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new FilterError('filters is not valid JSON')
  }
  const object = Array.isArray(parsed) ? { match: 'and', rules: parsed } : (parsed as Record<string, unknown>)
  if (!object || typeof object !== 'object' || !Array.isArray(object.rules)) {
    throw new FilterError('filters must be {"match", "rules"} or an array of rules')
  }
  const match = object.match === undefined ? 'and' : String(object.match).toLowerCase()
  if (match !== 'and' && match !== 'or') throw new FilterError(`Invalid filter match "${object.match}"`)
  const rules = object.rules.map((rule: unknown): FilterRule => {
    const r = rule as Record<string, unknown> | null
    if (!r || typeof r.field !== 'string' || typeof r.operator !== 'string') {
      throw new FilterError(`Invalid filter rule ${JSON.stringify(rule)}`)
    }
    if (!OPERATORS.has(r.operator)) throw new FilterError(`Unsupported filter operator "${r.operator}"`)
    if (!fields.has(r.field)) throw new FilterError(`Unknown filter field "${r.field}"`)
    return { field: r.field, operator: r.operator, value: r.value }
  })
  return { match, rules }
}

function isBlank(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true
  if (Array.isArray(value)) return value.length === 0
  return false
}

function truthy(value: unknown): boolean | null {
  const text = String(value).trim().toLowerCase()
  if (['true', 'yes', '1'].includes(text)) return true
  if (['false', 'no', '0'].includes(text)) return false
  return null
}

function equals(field: KnackFieldDef, stored: unknown, value: unknown): boolean {
  if (isBlank(stored)) return isBlank(value)
  if (field.type === 'boolean') return stored === truthy(value)
  if (field.type === 'number' || field.type === 'auto_increment' || field.type === 'equation') {
    return Number(stored) === Number(value)
  }
  if (field.type === 'connection' && Array.isArray(stored)) {
    const wanted = String(value).toLowerCase()
    return stored.some(
      (c: { id?: string; identifier?: string }) =>
        c.id?.toLowerCase() === wanted || String(c.identifier).toLowerCase() === wanted,
    )
  }
  if (field.type === 'date_time') return compareDate(stored as StoredDate, value) === 0
  if (Array.isArray(stored))
    return stored.some((s) => String(s).toLowerCase() === String(value).toLowerCase())
  return textOf(field, stored).toLowerCase() === String(value).toLowerCase()
}

function compareDate(stored: StoredDate, value: unknown): number {
  if (stored?.kind !== 'date') throw new FilterError('Date operators need a date/time field')
  const parsed = typeof value === 'string' ? parseWallText(value) : null
  if (!parsed) throw new FilterError(`Invalid date filter value ${JSON.stringify(value)}`)
  const at = wallMinutes(stored.from)
  const ref = wallMinutes(parsed.wall)
  if (parsed.hasTime) return Math.sign(at - ref)
  const day = 24 * 60
  return at < ref ? -1 : at >= ref + day ? 1 : 0
}

function numeric(stored: unknown, value: unknown): number {
  const a = Number(stored)
  const b = Number(value)
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN
  return Math.sign(a - b)
}

function test(field: KnackFieldDef, stored: unknown, rule: FilterRule): boolean {
  const text = textOf(field, stored).toLowerCase()
  const value = String(rule.value ?? '').toLowerCase()
  switch (rule.operator) {
    case 'is':
      return equals(field, stored, rule.value)
    case 'is not':
      return !equals(field, stored, rule.value)
    case 'contains':
      return text.includes(value)
    case 'does not contain':
      return !text.includes(value)
    case 'starts with':
      return text.startsWith(value)
    case 'ends with':
      return text.endsWith(value)
    case 'is blank':
      return isBlank(stored)
    case 'is not blank':
      return !isBlank(stored)
    case 'higher than':
      return !isBlank(stored) && numeric(stored, rule.value) > 0
    case 'lower than':
      return !isBlank(stored) && numeric(stored, rule.value) < 0
    case 'is before':
      return !isBlank(stored) && compareDate(stored as StoredDate, rule.value) < 0
    case 'is after':
      return !isBlank(stored) && compareDate(stored as StoredDate, rule.value) > 0
    default:
      throw new FilterError(`Unsupported filter operator "${rule.operator}"`)
  }
}

/** Whether a stored record (values by field key) passes the filter. */
export function matches(
  filter: Filter,
  record: Readonly<Record<string, unknown>>,
  fields: ReadonlyMap<string, KnackFieldDef>,
): boolean {
  if (filter.rules.length === 0) return true
  const results = filter.rules.map((rule) => {
    const field = fields.get(rule.field) as KnackFieldDef
    return test(field, record[rule.field], rule)
  })
  return filter.match === 'and' ? results.every(Boolean) : results.some(Boolean)
}
