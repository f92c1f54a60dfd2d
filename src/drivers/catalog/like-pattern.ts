const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g

/**
 * Compiles a SQL `LIKE` pattern with PostgreSQL's rules: `%` any run of characters, `_` exactly one
 * character, `\` escapes the next character; everything else (including `.`) is literal and the match is
 * case-sensitive and anchored at both ends.
 * @throws Error when the pattern ends with the escape character (as PostgreSQL does).
 */
export function compileLike(pattern: string): RegExp {
  let source = '^'
  const chars = Array.from(pattern)
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string
    if (char === '%') source += '.*'
    else if (char === '_') source += '.'
    else if (char === '\\') {
      const next = chars[++i]
      if (next === undefined) throw new Error('LIKE pattern must not end with escape character')
      source += next.replace(REGEX_SYNTAX, '\\$&')
    } else source += char.replace(REGEX_SYNTAX, '\\$&')
  }
  return new RegExp(`${source}$`, 'su')
}

/**
 * Compares two strings by Unicode code point, like PostgreSQL's `C` collation on UTF-8 text (plain `<`
 * compares UTF-16 code units, which orders characters above U+FFFF before U+E000–U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return rank(x) - rank(y)
  }
  return a.length - b.length
}

function rank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800
  if (unit >= 0xd800) return unit + 0x2000
  return unit
}
