import type { DateTime } from 'luxon'
import { parseTimestamp } from '../../util/dates.js'

/**
 * SQL expression that renders a `timestamptz` column as exact UTC text with microseconds
 * (`2019-06-01 05:00:00.123456+00`), whatever the session `TimeZone`. `null` stays `null`.
 * @param column A trusted column expression (never user input).
 */
export function timestampText(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`
}

/**
 * Text to bind as `$n::timestamptz`: ISO 8601 with milliseconds and an explicit offset, so the instant does
 * not depend on the session `TimeZone`.
 * @throws Error for an invalid DateTime.
 */
export function toSqlTimestamp(value: DateTime): string {
  const text = value.isValid ? value.toISO({ includeOffset: true }) : null
  if (text === null) throw new Error(`Invalid date: ${value.invalidExplanation ?? String(value)}`)
  return text
}

/** {@link toSqlTimestamp}, passing `null`/`undefined` through as `null`. */
export function toSqlTimestampOrNull(value: DateTime | null | undefined): string | null {
  return value ? toSqlTimestamp(value) : null
}

/** Parses text produced by {@link timestampText} into an America/Chicago DateTime; `null` stays `null`. */
export function fromSqlTimestamp(text: string | null): DateTime | null {
  return text === null ? null : parseTimestamp(text)
}
