import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parse } from 'csv-parse/sync'
import { createPgliteClient } from '../../src/drivers/sql/sql-client.js'
import { parsePyJson } from '../../src/util/py-json.js'

// The content of a local lake, normalised for comparing two runs: files (volatile header fields dropped), catalog
// rows, run locks left behind and published rows.

const SKIPPED_TOP = new Set([
  '.catalog',
  '.catalog.lock',
  '.catalog-debug',
  'devices',
  'publish',
  'unit-data',
])

async function walk(dir: string, root: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const rel = relative(root, path)
    if (dir === root && SKIPPED_TOP.has(entry.name)) continue
    if (entry.isDirectory()) await walk(path, root, out)
    else out.push(rel)
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * A JSON document without its volatile parts, as a stable text: `header.processing_date`, and the camera's clock
 * reading (`datetime`) in a GRIDSMART `_site.json`.
 */
function normalJson(key: string, text: string): string {
  const doc = parsePyJson(text) as Record<string, unknown>
  const header = doc?.header as Record<string, unknown> | undefined
  if (header && typeof header === 'object') delete header.processing_date
  if (key.endsWith('_site.json')) delete doc.datetime
  return JSON.stringify(doc)
}

/** What {@link snapshot} reads. */
export interface LakeState {
  /** key → sha256 of the normalised bytes (lake repositories only). */
  readonly files: Map<string, string>
  /** Leftover `.etl-tmp-` files of killed writes (not part of the lake's content). */
  readonly tempFiles: string[]
  /** Catalog rows as `repository|data_source|id_base|id_ext|collection_date|pointer`, sorted. */
  readonly catalog: string[]
  /** Run-lock rows still present. */
  readonly locks: string[]
  /** dataset file → record id → row text (last row per id wins). */
  readonly published: Map<string, Map<string, string>>
  /** Ids published with two different rows. */
  readonly conflicts: string[]
}

/** Reads the normalised state of the local lake at `lake`. */
export async function snapshot(lake: string): Promise<LakeState> {
  const keys: string[] = []
  await walk(lake, lake, keys)
  const files = new Map<string, string>()
  const tempFiles: string[] = []
  for (const key of keys.sort()) {
    if (key.includes('.etl-tmp-')) {
      tempFiles.push(key)
      continue
    }
    const bytes = await readFile(join(lake, key))
    files.set(key, key.endsWith('.json') ? sha256(normalJson(key, bytes.toString('utf8'))) : sha256(bytes))
  }
  const client = await createPgliteClient({ dataDir: join(lake, '.catalog') })
  let catalog: string[]
  let locks: string[]
  try {
    const rows = await client.query<Record<string, unknown>>(
      `select repository, data_source, id_base, id_ext, pointer,
         to_char(collection_date at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as cd
       from api.data_lake_cat`,
    )
    catalog = rows.rows
      .map((r) => [r.repository, r.data_source, r.id_base, r.id_ext, r.cd, r.pointer].join('|'))
      .sort()
    const lockRows = await client
      .query<Record<string, unknown>>('select key, owner from api.etl_run_lock')
      .then((r) => r.rows)
      .catch(() => [])
    locks = lockRows.map((r) => `${r.key} held by ${r.owner}`)
  } finally {
    await client.close()
  }
  const published = new Map<string, Map<string, string>>()
  const conflicts: string[] = []
  const publishDir = join(lake, 'publish')
  const csvs = (await readdir(publishDir).catch(() => [] as string[])).filter((n) => n.endsWith('.csv'))
  for (const name of csvs.sort()) {
    const rows = parse(await readFile(join(publishDir, name)), { columns: true }) as Record<string, string>[]
    const byId = new Map<string, string>()
    for (const row of rows) {
      const id = row.record_id ?? row.row_id
      if (!id) throw new Error(`${name}: a row without record_id/row_id: ${JSON.stringify(row)}`)
      const text = JSON.stringify(row)
      const seen = byId.get(id)
      if (seen !== undefined && seen !== text) conflicts.push(`${name} ${id}`)
      byId.set(id, text)
    }
    published.set(name, byId)
  }
  return { files, tempFiles, catalog, locks, published, conflicts }
}

/** Differences between a trial's state and the reference, one line each (empty when equal). */
export function compareStates(actual: LakeState, expected: LakeState): string[] {
  const problems: string[] = []
  for (const [key, hash] of expected.files) {
    const got = actual.files.get(key)
    if (got === undefined) problems.push(`missing file ${key}`)
    else if (got !== hash) problems.push(`different content ${key}`)
  }
  for (const key of actual.files.keys()) if (!expected.files.has(key)) problems.push(`extra file ${key}`)
  const want = new Set(expected.catalog)
  const got = new Set(actual.catalog)
  for (const row of expected.catalog) if (!got.has(row)) problems.push(`missing catalog row ${row}`)
  for (const row of actual.catalog) if (!want.has(row)) problems.push(`extra catalog row ${row}`)
  if (actual.catalog.length !== got.size) problems.push('duplicate catalog rows')
  for (const lock of actual.locks) problems.push(`run lock left behind: ${lock}`)
  for (const conflict of actual.conflicts) problems.push(`published twice with different rows: ${conflict}`)
  for (const [name, rows] of expected.published) {
    const mine = actual.published.get(name) ?? new Map<string, string>()
    for (const [id, row] of rows) {
      const have = mine.get(id)
      if (have === undefined) problems.push(`not published: ${name} ${id}`)
      else if (have !== row) problems.push(`published differently: ${name} ${id}`)
    }
    for (const id of mine.keys()) if (!rows.has(id)) problems.push(`published extra: ${name} ${id}`)
  }
  for (const name of actual.published.keys())
    if (!expected.published.has(name)) problems.push(`unexpected dataset ${name}`)
  return problems
}
