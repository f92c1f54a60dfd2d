import type { SqlQueryable } from './sql-client.js'

/** Most rows sent in one `insert … on conflict` statement. */
export const UPSERT_BATCH_SIZE = 1000

/** Describes a multi-row upsert into one table. */
export interface UpsertSpec {
  /** Qualified, quoted table name. */
  readonly table: string
  /** Column names, in the order of each row's values. */
  readonly columns: readonly string[]
  /** SQL type casts for some columns (`timestamptz`, `jsonb`); the value is bound as text. */
  readonly casts?: Readonly<Record<string, string>>
  /** The conflict target: the primary-key columns. */
  readonly conflict: readonly string[]
}

/**
 * `insert into … values (…), (…) on conflict (pk) do update set <every non-key column> = excluded.…`
 * for `rowCount` rows.
 */
export function buildUpsertSql(spec: UpsertSpec, rowCount: number): string {
  const width = spec.columns.length
  const tuples: string[] = []
  for (let row = 0; row < rowCount; row++) {
    const cells = spec.columns.map((column, i) => {
      const cast = spec.casts?.[column]
      const param = `$${row * width + i + 1}`
      return cast ? `${param}::${cast}` : param
    })
    tuples.push(`(${cells.join(', ')})`)
  }
  const updates = spec.columns
    .filter((column) => !spec.conflict.includes(column))
    .map((column) => `${column} = excluded.${column}`)
  const action = updates.length === 0 ? 'do nothing' : `do update set ${updates.join(', ')}`
  return `insert into ${spec.table} (${spec.columns.join(', ')}) values ${tuples.join(', ')}
on conflict (${spec.conflict.join(', ')}) ${action}`
}

/**
 * Upserts `rows` (each an array of values in `spec.columns` order) in statements of at most
 * {@link UPSERT_BATCH_SIZE} rows, through `tx` (the caller opens the transaction).
 */
export async function upsertRows(
  tx: SqlQueryable,
  spec: UpsertSpec,
  rows: readonly (readonly unknown[])[],
  batchSize = UPSERT_BATCH_SIZE,
): Promise<void> {
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize)
    await tx.query(buildUpsertSql(spec, chunk.length), chunk.flat())
  }
}
