/**
 * Python-compatible JSON text (spec §10 item 27): what `json.dumps(obj)` writes with default settings, and a
 * lenient reader for what the original wrote (`NaN`, `Infinity`, `-Infinity` tokens).
 */

/**
 * A number that Python holds as a `float`: integral values print with `.0` (`30.0`), exponents follow
 * Python's `repr` (`1e-05`, `1e+16`). Plain JS numbers print as Python ints when integral.
 */
export class PyFloat {
  /** The numeric value. */
  readonly value: number

  constructor(value: number) {
    this.value = value
  }

  /** The plain number, so arithmetic and comparisons keep working. */
  valueOf(): number {
    return this.value
  }

  /** `JSON.stringify` sees the plain number. */
  toJSON(): number {
    return this.value
  }
}

/** Marks `value` as a Python float for {@link stringifyPy}. */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value)
}

/** Marks `value` as a Python float unless it is `null`/`undefined` (which become `null`). */
export function pyFloatOrNull(value: number | null | undefined): PyFloat | null {
  return value === null || value === undefined ? null : new PyFloat(value)
}

/**
 * Python's `repr(float)`: shortest round-trip digits, fixed notation when the decimal exponent is in
 * [-4, 16), scientific otherwise (`1e-05`, `1.5e+16`), `.0` for integral values, `nan`/`inf` are returned
 * as the JSON tokens `NaN`, `Infinity`, `-Infinity`.
 */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return 'Infinity'
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const sign = value < 0 ? '-' : ''
  const [mantissa = '', expText = '0'] = Math.abs(value).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const decpt = Number(expText) + 1
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`
  }
  const exp = decpt - 1
  const expSign = exp < 0 ? '-' : '+'
  const expDigits = String(Math.abs(exp)).padStart(2, '0')
  const rest = digits.length > 1 ? `.${digits.slice(1)}` : ''
  return `${sign}${digits[0]}${rest}e${expSign}${expDigits}`
}

const NEEDS_ESCAPE = /[^ -~]|["\\]/
const ESCAPE_ALL = /[^ -~]|["\\]/g
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}

function escapeChar(ch: string): string {
  return SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * A JSON string literal as Python writes it with `ensure_ascii=True`: everything outside printable ASCII is
 * `\uXXXX` (lower-case hex; astral characters as surrogate pairs), `/` is not escaped.
 */
export function pyStr(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`
  return `"${text.replace(ESCAPE_ALL, escapeChar)}"`
}

function pyNumber(value: number): string {
  if (Number.isInteger(value)) {
    if (Object.is(value, -0)) return '0'
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString()
  }
  return pyFloatRepr(value)
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function'
}

function write(value: unknown, parts: string[], stack: Set<object>): void {
  if (value === null) {
    parts.push('null')
    return
  }
  switch (typeof value) {
    case 'string':
      parts.push(pyStr(value))
      return
    case 'number':
      parts.push(pyNumber(value))
      return
    case 'boolean':
      parts.push(value ? 'true' : 'false')
      return
    case 'bigint':
      parts.push(value.toString())
      return
    case 'object':
      break
    default:
      throw new TypeError(`Object of type ${typeof value} is not JSON serializable`)
  }
  if (value instanceof PyFloat) {
    parts.push(pyFloatRepr(value.value))
    return
  }
  if (stack.has(value)) throw new TypeError('Circular reference detected')
  if (!Array.isArray(value) && hasToJson(value)) {
    write(value.toJSON(), parts, stack)
    return
  }
  stack.add(value)
  if (Array.isArray(value)) {
    parts.push('[')
    value.forEach((item, i) => {
      if (i > 0) parts.push(', ')
      write(item === undefined || typeof item === 'function' ? null : item, parts, stack)
    })
    parts.push(']')
  } else {
    parts.push('{')
    let first = true
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function') continue
      parts.push(first ? '' : ', ', pyStr(key), ': ')
      first = false
      write(item, parts, stack)
    }
    parts.push('}')
  }
  stack.delete(value)
}

/**
 * Serializes like Python's `json.dumps(value)` with default settings: `", "` and `": "` separators,
 * ASCII-only output, keys in insertion order, `NaN`/`Infinity`/`-Infinity` for non-finite numbers.
 * Integral JS numbers print as ints (`30`); wrap with {@link pyFloat} to print a float (`30.0`);
 * non-integral numbers print with Python's float repr. Objects with `toJSON()` are serialized through it.
 * `undefined` and functions are skipped in objects and written as `null` in arrays (as `JSON.stringify`).
 * @throws TypeError for symbols, top-level `undefined`/functions and circular structures.
 */
export function stringifyPy(value: unknown): string {
  const parts: string[] = []
  write(value, parts, new Set())
  return parts.join('')
}

const NON_FINITE_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|-?Infinity(?![\w.])|NaN(?![\w.])/g
const NON_FINITE_HINT = /NaN|Infinity/

/**
 * Parses JSON text written by the original: like `JSON.parse`, but the Python tokens `NaN`, `Infinity` and
 * `-Infinity` outside strings become `NaN`, `Infinity` and `-Infinity` (the same words inside strings are left
 * alone). Text without any of these words goes straight to `JSON.parse`.
 * @throws SyntaxError on invalid JSON.
 */
export function parsePyJson(text: string): unknown {
  if (!NON_FINITE_HINT.test(text)) return JSON.parse(text)
  let nanMarker = ''
  do {
    nanMarker = `\u0000py-json-nan:${Math.random().toString(36).slice(2)}`
  } while (text.includes(nanMarker.slice(1)))
  const nanLiteral = JSON.stringify(nanMarker)
  let sawNaN = false
  const rewritten = text.replace(NON_FINITE_TOKEN, (token) => {
    if (token === 'NaN') {
      sawNaN = true
      return nanLiteral
    }
    if (token === 'Infinity') return '1e999'
    if (token === '-Infinity') return '-1e999'
    return token
  })
  if (!sawNaN) return JSON.parse(rewritten)
  return JSON.parse(rewritten, (_key, value: unknown) => (value === nanMarker ? Number.NaN : value))
}
