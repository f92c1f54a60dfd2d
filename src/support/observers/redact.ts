import { SECRET_FIELDS } from '../logger.js'

const SECRET_KEYS = new Set<string>(SECRET_FIELDS.map((field) => field.toLowerCase()))
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g

/** Hides credentials inside a string: URL passwords (`postgres://u:…@h`) and bearer tokens. */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, '$1[redacted]@').replace(BEARER, '$1[redacted]')
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value)
  if (Array.isArray(value)) return value.map(walk)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEYS.has(key.toLowerCase()) && inner !== null ? '[redacted]' : walk(inner)
    }
    return out
  }
  return value
}

/**
 * A JSON-safe copy of `value` for reports: serialised as JSON (so `Secret`s become `[redacted]` and DateTimes ISO
 * text), then fields named like secrets (`password`, `token`, … from the logger's list) replaced by `[redacted]`
 * and credentials inside strings hidden.
 */
export function redactForReport(value: unknown): unknown {
  const json = JSON.stringify(value)
  return json === undefined ? null : walk(JSON.parse(json))
}
