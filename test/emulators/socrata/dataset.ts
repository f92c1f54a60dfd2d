import {
  type ColumnTypes,
  compileOrder,
  compileSelect,
  compileWhere,
  orderRows,
  type RowPredicate,
  SoqlError,
  type StoredRow,
} from './soql.js'
import { type CellValue, coerceCell, formatUtcFields, type SocrataType } from './types.js'

/** One column of an emulated dataset. */
export interface ColumnSpec {
  /** API field name (lower-case, underscores). */
  readonly fieldName: string
  readonly dataType: SocrataType
}

/** Schema of an emulated dataset. */
export interface DatasetSpec {
  readonly columns: readonly ColumnSpec[]
  /** Publisher-specified row identifier column; absent = internal `:id` only (external-apis.md §1.3). */
  readonly rowIdentifier?: string
  /** Reads need authentication too (otherwise an app token or nothing suffices). @default false */
  readonly private?: boolean
}

/** How a bad value in an upsert is treated ([A] external-apis.md §1.6). */
export type TypeErrorMode = 'request' | 'row'

/** Settings a dataset shares with its emulator. */
export interface DatasetSettings {
  readonly typeErrors: TypeErrorMode
  readonly textAcceptsNumbers: boolean
  readonly now: () => Date
  /** Returns a permutation source for unordered queries, or null to keep insertion order. */
  readonly shuffle: (() => number) | null
}

/** Counts of one upsert or replace. */
export interface WriteSummary {
  created: number
  updated: number
  deleted: number
  errors: number
  byRowIdentifier: number
  bySid: number
}

/** A request-level refusal: status and body. */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message))
  }
}

/** A query result with the SODA 2.1 field/type headers. */
export interface QueryResult {
  readonly rows: Record<string, unknown>[]
  readonly fields: string[]
  readonly types: string[]
}

/** An emulated dataset: rows keyed by the internal id, upsert/replace/delete/query. */
export interface EmulatedDataset {
  readonly id: string
  readonly spec: DatasetSpec
  upsert(payload: readonly unknown[]): WriteSummary
  replace(payload: readonly unknown[]): WriteSummary
  truncate(): number
  getRow(rowId: string): Record<string, unknown> | null
  deleteRow(rowId: string): string | null
  query(params: URLSearchParams): QueryResult
  /** Copies of every stored row, user fields plus `:id`, `:created_at`, `:updated_at`; null cells omitted. */
  rows(): Record<string, unknown>[]
}

const SYSTEM: readonly [string, SocrataType][] = [
  [':id', 'text'],
  [':created_at', 'fixed_timestamp'],
  [':updated_at', 'fixed_timestamp'],
]
const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'

function internalId(n: number): string {
  let digits = ''
  for (let i = 0, v = n; i < 12; i++, v = Math.floor(v / 32)) digits = ID_ALPHABET[v % 32] + digits
  return `row-${digits.slice(0, 4)}~${digits.slice(4, 8)}~${digits.slice(8)}`
}

const illegal = (field: string): RequestRefused =>
  new RequestRefused(400, { error: true, message: 'Illegal field name sent', data: { fieldName: field } })

/** Creates an empty dataset. */
export function createDataset(id: string, spec: DatasetSpec, settings: DatasetSettings): EmulatedDataset {
  const columnTypes = new Map<string, SocrataType>(spec.columns.map((c) => [c.fieldName, c.dataType]))
  if (spec.rowIdentifier && !columnTypes.has(spec.rowIdentifier))
    throw new Error(`row identifier ${spec.rowIdentifier} is not a column of ${id}`)
  const allTypes: ColumnTypes = new Map([...columnTypes, ...SYSTEM])
  const records = new Map<string, Record<string, CellValue>>()
  const byKey = new Map<string, string>()
  let sequence = 0
  const stamp = (): string => `${formatUtcFields(settings.now().getTime())}Z`
  const keyOf = (value: CellValue | undefined): string | null =>
    value === null || value === undefined ? null : JSON.stringify(value)

  /** Validates a payload; returns per-object cells, or `null` for an object refused in per-row mode. */
  function validate(payload: readonly unknown[]): (Record<string, CellValue> | null)[] {
    return payload.map((item, index) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw new RequestRefused(400, {
          code: 'invalid_request',
          error: true,
          message: `Row ${index} is not a JSON object`,
        })
      const cells: Record<string, CellValue> = {}
      let bad = false
      for (const [field, value] of Object.entries(item)) {
        if (field === ':deleted') {
          if (typeof value !== 'boolean') throw illegal(field)
          cells[field] = value
          continue
        }
        if (field === ':id') {
          if (typeof value !== 'string') throw illegal(field)
          cells[field] = value
          continue
        }
        const type = columnTypes.get(field)
        if (!type) throw illegal(field)
        const coerced = coerceCell(type, value, settings)
        if (coerced.ok) cells[field] = coerced.value
        else if (settings.typeErrors === 'row') bad = true
        else
          throw new RequestRefused(400, {
            code: 'invalid_value',
            error: true,
            message: `Invalid value for column ${field} (${type}) in row ${index}: ${JSON.stringify(value)}: ${coerced.reason}`,
            data: { fieldName: field, index },
          })
      }
      return bad ? null : cells
    })
  }

  /** Finds the internal id an object addresses: `null` = new row, `undefined` = cannot be addressed. */
  function locate(cells: Record<string, CellValue>): { id: string | null; by: 'rowid' | 'sid' } | undefined {
    if (spec.rowIdentifier) {
      const key = keyOf(cells[spec.rowIdentifier])
      return key === null ? undefined : { id: byKey.get(key) ?? null, by: 'rowid' }
    }
    const sid = cells[':id']
    if (typeof sid === 'string') return records.has(sid) ? { id: sid, by: 'sid' } : undefined
    return { id: null, by: 'sid' }
  }

  function insert(cells: Record<string, CellValue>, keepId?: string, createdAt?: CellValue): void {
    const sid = keepId ?? internalId(++sequence)
    const record: Record<string, CellValue> = {
      ':id': sid,
      ':created_at': createdAt ?? stamp(),
      ':updated_at': stamp(),
    }
    for (const [field, value] of Object.entries(cells))
      if (!field.startsWith(':') && value !== null) record[field] = value
    records.set(sid, record)
    const key = spec.rowIdentifier ? keyOf(record[spec.rowIdentifier]) : null
    if (key !== null) byKey.set(key, sid)
  }

  function remove(sid: string): void {
    const record = records.get(sid)
    const key = spec.rowIdentifier ? keyOf(record?.[spec.rowIdentifier]) : null
    if (key !== null) byKey.delete(key)
    records.delete(sid)
  }

  function upsert(payload: readonly unknown[]): WriteSummary {
    const summary: WriteSummary = {
      created: 0,
      updated: 0,
      deleted: 0,
      errors: 0,
      byRowIdentifier: 0,
      bySid: 0,
    }
    for (const cells of validate(payload)) {
      const target = cells ? locate(cells) : undefined
      if (!cells || !target) {
        summary.errors++
        continue
      }
      const counter = target.by === 'rowid' ? 'byRowIdentifier' : 'bySid'
      if (cells[':deleted'] === true) {
        if (target.id === null) summary.errors++
        else {
          remove(target.id)
          summary.deleted++
          summary[counter]++
        }
      } else if (target.id === null) {
        insert(cells)
        summary.created++
      } else {
        const record = records.get(target.id) as Record<string, CellValue>
        for (const [field, value] of Object.entries(cells)) {
          if (field.startsWith(':')) continue
          if (value === null) delete record[field]
          else record[field] = value
        }
        record[':updated_at'] = stamp()
        summary.updated++
        summary[counter]++
      }
    }
    return summary
  }

  function replace(payload: readonly unknown[]): WriteSummary {
    const summary: WriteSummary = {
      created: 0,
      updated: 0,
      deleted: 0,
      errors: 0,
      byRowIdentifier: 0,
      bySid: 0,
    }
    const validated = validate(payload)
    const previous = new Map(records)
    const previousKeys = new Map(byKey)
    records.clear()
    byKey.clear()
    for (const cells of validated) {
      const key = spec.rowIdentifier ? keyOf(cells?.[spec.rowIdentifier]) : null
      if (!cells || cells[':deleted'] === true || (spec.rowIdentifier && key === null)) {
        summary.errors++
        continue
      }
      const old = key === null ? undefined : (byKey.get(key) ?? previousKeys.get(key))
      const oldRecord = old ? (records.get(old) ?? previous.get(old)) : undefined
      if (old && oldRecord) {
        summary.updated++
        summary.byRowIdentifier++
      } else summary.created++
      insert(cells, old, oldRecord?.[':created_at'])
    }
    return summary
  }

  function findByPath(rowId: string): string | null {
    if (!spec.rowIdentifier) return records.has(rowId) ? rowId : null
    const coerced = coerceCell(columnTypes.get(spec.rowIdentifier) as SocrataType, rowId, settings)
    return coerced.ok ? (byKey.get(keyOf(coerced.value) ?? '') ?? null) : null
  }

  function query(params: URLSearchParams): QueryResult {
    for (const unsupported of ['$group', '$having', '$q', '$query'])
      if (params.has(unsupported)) throw new SoqlError('malformed', `${unsupported} is not emulated`)
    const userColumns = spec.columns.map((c) => c.fieldName)
    const select = compileSelect(
      params.get('$select') ?? '*',
      allTypes,
      userColumns,
      SYSTEM.map(([name]) => name),
    )
    const predicates: RowPredicate[] = []
    const where = params.get('$where')
    if (where !== null) predicates.push(compileWhere(where, allTypes))
    for (const [name, value] of params) {
      if (name.startsWith('$')) continue
      predicates.push(compileWhere(`\`${name}\` = '${value.replaceAll("'", "''")}'`, allTypes))
    }
    const limit = integerParam(params, '$limit', 1000)
    const offset = integerParam(params, '$offset', 0)
    let rows: StoredRow[] = [...records.values()].filter((row) => predicates.every((p) => p(row) === true))
    const order = params.get('$order')
    if (order !== null) rows = orderRows(rows, compileOrder(order, allTypes))
    else if (settings.shuffle) {
      const random = settings.shuffle
      for (let i = rows.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[rows[i], rows[j]] = [rows[j] as StoredRow, rows[i] as StoredRow]
      }
    }
    const page = rows.slice(offset, offset + limit).map((row) => {
      const out: Record<string, unknown> = {}
      for (const item of select) {
        const value = row[item.source]
        if (value !== null && value !== undefined) out[item.alias] = value
      }
      return out
    })
    return {
      rows: page,
      fields: select.map((s) => s.alias),
      types: select.map((s) => allTypes.get(s.source) as string),
    }
  }

  return {
    id,
    spec,
    upsert,
    replace,
    truncate() {
      const n = records.size
      records.clear()
      byKey.clear()
      return n
    },
    getRow(rowId) {
      const sid = findByPath(rowId)
      const record = sid ? records.get(sid) : undefined
      if (!record) return null
      return Object.fromEntries(Object.entries(record).filter(([field]) => !field.startsWith(':')))
    },
    deleteRow(rowId) {
      const sid = findByPath(rowId)
      if (sid) remove(sid)
      return sid
    },
    query,
    rows: () => [...records.values()].map((record) => structuredClone(record) as Record<string, unknown>),
  }
}

function integerParam(params: URLSearchParams, name: string, fallback: number): number {
  const text = params.get(name)
  if (text === null) return fallback
  if (!/^\d+$/.test(text.trim()))
    throw new SoqlError('malformed', `${name} must be a non-negative integer, got "${text}"`)
  return Number(text)
}
