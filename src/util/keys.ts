import { InvalidKeyError } from '../support/errors.js'

/** Longest accepted key segment, in UTF-8 bytes (the `NAME_MAX` of common filesystems). */
export const MAX_SEGMENT_BYTES = 255

/** Longest accepted key, in UTF-8 bytes (the S3 object key limit). */
export const MAX_KEY_BYTES = 1024

// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/
const LONE_SURROGATE = /\p{Cs}/u
const DRIVE_LETTER = /^[A-Za-z]:/

/** Escapes the first control character of `text` as `U+XXXX` for messages. */
function describeControl(text: string): string {
  const found = CONTROL_CHARACTER.exec(text)?.[0] ?? ''
  return `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/** Checks the rules shared by keys and prefixes; returns a reason, or `null` when acceptable. */
function characterProblem(text: string): string | null {
  if (CONTROL_CHARACTER.test(text)) {
    return `contains the control character ${describeControl(text)}; keys may not hold control characters`
  }
  if (LONE_SURROGATE.test(text)) return 'is not well-formed Unicode (it holds a lone surrogate)'
  if (text.includes('\\')) return `contains "\\"; use "/" as the only separator`
  if (text.startsWith('/')) return 'is absolute; keys are relative to the repository (remove the leading "/")'
  if (DRIVE_LETTER.test(text))
    return 'starts with a Windows drive ("C:"); keys are relative to the repository'
  if (Buffer.byteLength(text, 'utf8') > MAX_KEY_BYTES) {
    return `is ${Buffer.byteLength(text, 'utf8')} bytes long; the limit is ${MAX_KEY_BYTES} bytes (UTF-8)`
  }
  return null
}

/** Checks one complete segment; returns a reason, or `null` when acceptable. */
function segmentProblem(segment: string, index: number): string | null {
  if (segment === '') return `has an empty segment at position ${index + 1} (a doubled or trailing "/")`
  if (segment === '.' || segment === '..') {
    return `has a "${segment}" segment; relative path segments are not allowed`
  }
  const bytes = Buffer.byteLength(segment, 'utf8')
  if (bytes > MAX_SEGMENT_BYTES) {
    return `has a segment of ${bytes} bytes at position ${index + 1}; the limit is ${MAX_SEGMENT_BYTES} bytes (UTF-8)`
  }
  return null
}

/**
 * Validates a storage key and returns it. Called once by the `Storage` facade; drivers trust its output.
 *
 * A key is relative and `/`-separated (`2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01.zip`).
 * Rejected: the empty key, absolute paths (leading `/`, a Windows drive such as `C:`), `\`, `.` and `..`
 * segments, empty segments (`a//b`, trailing `/`), control characters (U+0000–U+001F, U+007F), lone
 * surrogates, segments over {@link MAX_SEGMENT_BYTES} and keys over {@link MAX_KEY_BYTES} UTF-8 bytes.
 * Spaces, `&`, `#`, `%`, parentheses, `:` after the first character and any Unicode letter are accepted.
 * The key is returned unchanged (no case or Unicode normalisation: keys compare byte for byte, as in S3).
 *
 * @throws {InvalidKeyError} with a reason the user can act on.
 */
export function normalizeKey(key: string): string {
  if (typeof key !== 'string' || key === '') throw new InvalidKeyError(String(key), 'the key is empty')
  const problem = characterProblem(key)
  if (problem) throw new InvalidKeyError(key, `the key ${problem}`)
  const segments = key.split('/')
  for (const [index, segment] of segments.entries()) {
    const reason = segmentProblem(segment, index)
    if (reason) throw new InvalidKeyError(key, `the key ${reason}`)
  }
  return key
}

/**
 * Validates a listing prefix and returns it unchanged. `''` (everything), a folder (`2019/06/`) and a
 * prefix ending mid-segment (`2019/06/0`, `2019/06/01/gs/Burnet`) are accepted; the complete segments
 * follow the {@link normalizeKey} rules, the last, partial segment only the character rules.
 *
 * @throws {InvalidKeyError} when the prefix could never match a valid key.
 */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new InvalidKeyError(String(prefix), 'the prefix is not a string')
  if (prefix === '') return prefix
  const problem = characterProblem(prefix)
  if (problem) throw new InvalidKeyError(prefix, `the prefix ${problem}`)
  const segments = prefix.split('/')
  const last = segments.pop() ?? ''
  for (const [index, segment] of segments.entries()) {
    const reason = segmentProblem(segment, index)
    if (reason) throw new InvalidKeyError(prefix, `the prefix ${reason}`)
  }
  if (Buffer.byteLength(last, 'utf8') > MAX_SEGMENT_BYTES) {
    throw new InvalidKeyError(prefix, `the prefix ends with a segment over ${MAX_SEGMENT_BYTES} bytes`)
  }
  return prefix
}

/**
 * Joins key parts with `/` and validates the result with {@link normalizeKey}. Empty parts are skipped,
 * so `joinKey('', 'a/b', 'c.json')` is `a/b/c.json`; parts may themselves contain `/`.
 *
 * @throws {InvalidKeyError} when the joined key is invalid.
 */
export function joinKey(...parts: readonly string[]): string {
  return normalizeKey(parts.filter((part) => part !== '').join('/'))
}

/**
 * Orders keys the way S3 lists them: by their UTF-8 bytes (equivalently, by Unicode code point), not by
 * JavaScript's UTF-16 code units. Returns a negative number, zero or a positive number.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

/** Moves UTF-16 surrogates above U+E000–U+FFFF so code-unit comparison follows code-point order. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000
}
