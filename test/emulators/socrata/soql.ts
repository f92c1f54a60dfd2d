import {
  type CellValue,
  type Coerced,
  coerceCell,
  compareCells,
  parseTimestamp,
  type SocrataType,
} from './types.js'

/** Why a SoQL clause was refused: maps to the two error body shapes of external-apis.md §1.7. */
export type SoqlErrorKind = 'malformed' | 'no-such-column' | 'type-mismatch'

/** A refused SoQL clause (answered with HTTP 400). */
export class SoqlError extends Error {
  override name = 'SoqlError'
  constructor(
    readonly kind: SoqlErrorKind,
    message: string,
    readonly column?: string,
  ) {
    super(message)
  }
}

/** Column name → type, including the system fields. */
export type ColumnTypes = ReadonlyMap<string, SocrataType>

/** A stored row: field name → wire value (absent or `null` = null). */
export type StoredRow = Readonly<Record<string, CellValue | undefined>>

/** A compiled `$where`: `true` keeps the row; `false` and `null` (unknown) drop it. */
export type RowPredicate = (row: StoredRow) => boolean | null

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }

type Operand =
  | { k: 'col'; name: string; type: SocrataType }
  | { k: 'str' | 'num'; v: string }
  | { k: 'bool'; v: boolean }

const TOKEN =
  /\s*(?:'((?:[^']|'')*)'|(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|`([^`]+)`|(:\*|[A-Za-z_:@][\w:@]*)|(!=|<>|<=|>=|[=<>(),*-]))/y

/** Splits a SoQL clause into tokens; throws `malformed` on anything else. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const at = TOKEN.lastIndex
    const m = TOKEN.exec(text)
    if (!m)
      throw new SoqlError(
        'malformed',
        `Could not parse SoQL at character ${at + 1}: ${text.slice(at, at + 20)}`,
      )
    if (m[1] !== undefined) tokens.push({ t: 'str', v: m[1].replaceAll("''", "'") })
    else if (m[2] !== undefined) tokens.push({ t: 'num', v: m[2] })
    else if (m[3] !== undefined || m[4] !== undefined) tokens.push({ t: 'id', v: (m[3] ?? m[4]) as string })
    else tokens.push({ t: 'op', v: m[5] as string })
  }
  return tokens
}

const isWord = (token: Token | undefined, word: string): boolean =>
  token?.t === 'id' && token.v.toUpperCase() === word
const COMPARISONS = new Set(['=', '!=', '<>', '<', '<=', '>', '>='])
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'BETWEEN', 'TRUE', 'FALSE'])

function resolveColumn(types: ColumnTypes, name: string): SocrataType {
  const type = types.get(name)
  if (!type) throw new SoqlError('no-such-column', `No such column: ${name}`, name)
  return type
}

function castLiteral(type: SocrataType, operand: Operand): CellValue {
  let result: Coerced = { ok: false, reason: '' }
  if (operand.k === 'str' && (type === 'fixed_timestamp' || type === 'floating_timestamp')) {
    const ms = parseTimestamp(operand.v, true) ?? parseTimestamp(operand.v, false)
    if (ms !== null)
      result = coerceCell(
        type,
        new Date(ms).toISOString().replace(type === 'floating_timestamp' ? 'Z' : '', ''),
        { textAcceptsNumbers: false },
      )
  } else if (operand.k === 'str' && (type === 'text' || type === 'number'))
    result = coerceCell(type, operand.v, { textAcceptsNumbers: false })
  else if (operand.k === 'num' && type === 'number') result = { ok: true, value: operand.v }
  else if (operand.k === 'bool' && type === 'checkbox') result = { ok: true, value: operand.v }
  if (!result.ok)
    throw new SoqlError(
      'type-mismatch',
      `Type mismatch: cannot compare ${type} with ${operand.k === 'col' ? operand.type : `literal ${JSON.stringify(operand.v)}`}`,
    )
  return result.value
}

type Getter = { type: SocrataType; get: (row: StoredRow) => CellValue }

function typedPair(a: Operand, b: Operand): [Getter, Getter] {
  const literalType = (o: Operand): SocrataType =>
    o.k === 'num' ? 'number' : o.k === 'bool' ? 'checkbox' : 'text'
  const typeOf = a.k === 'col' ? a.type : b.k === 'col' ? b.type : literalType(a)
  const getter = (o: Operand): Getter => {
    if (o.k === 'col') {
      if (o.type !== typeOf)
        throw new SoqlError('type-mismatch', `Type mismatch: ${o.name} is ${o.type}, not ${typeOf}`)
      return { type: o.type, get: (row) => row[o.name] ?? null }
    }
    const value = castLiteral(typeOf, o)
    return { type: typeOf, get: () => value }
  }
  if (typeOf === 'point' || typeOf === 'location')
    throw new SoqlError('type-mismatch', `Type mismatch: ${typeOf} values cannot be compared`)
  return [getter(a), getter(b)]
}

function comparison(op: string, a: Operand, b: Operand): RowPredicate {
  const [x, y] = typedPair(a, b)
  return (row) => {
    const left = x.get(row)
    const right = y.get(row)
    if (left === null || right === null) return null
    const c = compareCells(x.type, left, right)
    if (op === '=') return c === 0
    if (op === '!=' || op === '<>') return c !== 0
    if (op === '<') return c < 0
    if (op === '<=') return c <= 0
    if (op === '>') return c > 0
    return c >= 0
  }
}

const and = (a: boolean | null, b: boolean | null): boolean | null =>
  a === false || b === false ? false : a === null || b === null ? null : true
const or = (a: boolean | null, b: boolean | null): boolean | null =>
  a === true || b === true ? true : a === null || b === null ? null : false

/** Parses a `$where` clause (comparisons, `BETWEEN`, `IS [NOT] NULL`, `AND`, `OR`, `NOT`, parentheses). */
export function compileWhere(text: string, types: ColumnTypes): RowPredicate {
  const tokens = tokenize(text)
  let i = 0
  const peek = (): Token | undefined => tokens[i]
  const malformed = (what: string): SoqlError =>
    new SoqlError('malformed', `Malformed $where: ${what} at token ${i + 1} of "${text}"`)
  const expectOp = (v: string): void => {
    const token = tokens[i++]
    if (token?.t !== 'op' || token.v !== v) throw malformed(`expected "${v}"`)
  }

  function operand(): Operand {
    const token = tokens[i++]
    if (!token) throw malformed('unexpected end')
    if (token.t === 'str' || token.t === 'num') return { k: token.t, v: token.v }
    if (token.t === 'op' && token.v === '-' && peek()?.t === 'num')
      return { k: 'num', v: `-${(tokens[i++] as Token).v}` }
    if (isWord(token, 'TRUE') || isWord(token, 'FALSE')) return { k: 'bool', v: isWord(token, 'TRUE') }
    if (token.t === 'id' && !KEYWORDS.has(token.v.toUpperCase()))
      return { k: 'col', name: token.v, type: resolveColumn(types, token.v) }
    throw malformed(`unexpected "${token.v}"`)
  }

  function primary(): RowPredicate {
    const token = peek()
    if (token?.t === 'op' && token.v === '(') {
      i++
      const inner = disjunction()
      expectOp(')')
      return inner
    }
    const left = operand()
    const next = peek()
    if (isWord(next, 'IS')) {
      i++
      const negate = isWord(peek(), 'NOT')
      if (negate) i++
      if (!isWord(tokens[i++], 'NULL')) throw malformed('expected NULL')
      if (left.k !== 'col') return () => negate
      return (row) => ((row[left.name] ?? null) === null) !== negate
    }
    if (isWord(next, 'BETWEEN')) {
      i++
      const low = operand()
      if (!isWord(tokens[i++], 'AND')) throw malformed('expected AND in BETWEEN')
      const high = operand()
      const lower = comparison('>=', left, low)
      const upper = comparison('<=', left, high)
      return (row) => and(lower(row), upper(row))
    }
    if (next?.t === 'op' && COMPARISONS.has(next.v)) {
      i++
      return comparison(next.v, left, operand())
    }
    if (left.k === 'col' && left.type === 'checkbox')
      return (row) => (row[left.name] ?? null) as boolean | null
    if (left.k === 'bool') return () => left.v
    throw malformed('expected a comparison')
  }

  function negation(): RowPredicate {
    if (!isWord(peek(), 'NOT')) return primary()
    i++
    const inner = negation()
    return (row) => {
      const v = inner(row)
      return v === null ? null : !v
    }
  }

  function conjunction(): RowPredicate {
    let left = negation()
    while (isWord(peek(), 'AND')) {
      i++
      const a = left
      const b = negation()
      left = (row) => and(a(row), b(row))
    }
    return left
  }

  function disjunction(): RowPredicate {
    let left = conjunction()
    while (isWord(peek(), 'OR')) {
      i++
      const a = left
      const b = conjunction()
      left = (row) => or(a(row), b(row))
    }
    return left
  }

  if (tokens.length === 0) throw malformed('empty clause')
  const predicate = disjunction()
  if (i < tokens.length) throw malformed(`unexpected "${(tokens[i] as Token).v}"`)
  return predicate
}

/** Splits a clause at top-level commas into token lists. */
function commaList(text: string, clause: string): Token[][] {
  const items: Token[][] = [[]]
  for (const token of tokenize(text)) {
    if (token.t === 'op' && token.v === ',') items.push([])
    else (items[items.length - 1] as Token[]).push(token)
  }
  if (items.some((item) => item.length === 0))
    throw new SoqlError('malformed', `Malformed ${clause}: "${text}"`)
  return items
}

/** One output column of a `$select`: the source field and the key it is returned under. */
export interface SelectItem {
  readonly source: string
  readonly alias: string
}

/**
 * Parses a `$select` list of `*` (user columns), `:*` (system fields), column names and `name AS alias`.
 * Functions and expressions are outside the emulated subset and answered as malformed.
 */
export function compileSelect(
  text: string,
  types: ColumnTypes,
  userColumns: readonly string[],
  systemColumns: readonly string[],
): SelectItem[] {
  const out: SelectItem[] = []
  for (const item of commaList(text, '$select')) {
    const [first, second, third] = item
    if (item.length === 1 && first?.t === 'op' && first.v === '*') {
      for (const name of userColumns) out.push({ source: name, alias: name })
    } else if (item.length === 1 && first?.t === 'id' && first.v === ':*') {
      for (const name of systemColumns) out.push({ source: name, alias: name })
    } else if (
      first?.t === 'id' &&
      (item.length === 1 || (item.length === 3 && isWord(second, 'AS') && third?.t === 'id'))
    ) {
      resolveColumn(types, first.v)
      out.push({ source: first.v, alias: third?.v ?? first.v })
    } else {
      throw new SoqlError(
        'malformed',
        `Malformed $select item "${item.map((t) => t.v).join(' ')}" in "${text}"`,
      )
    }
  }
  return out
}

/** One `$order` key. */
export interface OrderKey {
  readonly column: string
  readonly type: SocrataType
  readonly descending: boolean
}

/** Parses `$order` (`col [ASC|DESC], …`). */
export function compileOrder(text: string, types: ColumnTypes): OrderKey[] {
  return commaList(text, '$order').map((item) => {
    const [first, direction] = item
    const valid =
      first?.t === 'id' &&
      (item.length === 1 || (item.length === 2 && (isWord(direction, 'ASC') || isWord(direction, 'DESC'))))
    if (!valid || !first) throw new SoqlError('malformed', `Malformed $order item in "${text}"`)
    return { column: first.v, type: resolveColumn(types, first.v), descending: isWord(direction, 'DESC') }
  })
}

/** [A] Sorts rows by the keys, nulls last when ascending and first when descending (PostgreSQL's defaults). */
export function orderRows<R extends StoredRow>(rows: R[], keys: readonly OrderKey[]): R[] {
  return rows.sort((a, b) => {
    for (const key of keys) {
      const x = a[key.column] ?? null
      const y = b[key.column] ?? null
      const c = x === null || y === null ? (x === y ? 0 : x === null ? 1 : -1) : compareCells(key.type, x, y)
      if (c !== 0) return key.descending ? -c : c
    }
    return 0
  })
}
