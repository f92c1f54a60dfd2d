/**
 * Child process of the P1 benchmark: loads a catalog, or drains one contestant's compare loop once, and prints
 * one JSON line (`{ ms, count, rssMb, … }`) so that the parent reads a peak RSS of this contestant alone.
 * Usage: `node --import tsx --expose-gc bench/p1-child.ts '<json P1ChildArgs>'`.
 */
import type { DateTime } from 'luxon'
import { migrateDatabase } from '../src/drivers/sql/migrate.js'
import { createPgClient } from '../src/drivers/sql/pg-client.js'
import { createPgliteDatabase } from '../src/drivers/sql/pglite-database.js'
import { createPostgresDatabase } from '../src/drivers/sql/postgres-database.js'
import { createPgliteClient, type SqlClient } from '../src/drivers/sql/sql-client.js'
import type { CatalogDriver, CatalogEntry } from '../src/support/catalog-driver.js'
import { compareItems } from '../src/support/compare.js'
import type { ItemProvider, ProviderItem } from '../src/support/items.js'
import { createCatalogProvider } from '../src/support/providers/catalog-provider.js'
import { addDays, parseTimestamp } from '../src/util/dates.js'
import { P1_REPOSITORIES, type P1ChildArgs, type P1ChildResult } from './p1-shared.js'

const DATA_SOURCE = 'bt'

/** The one statement that bulk-loads `n` source rows and every second one as a target row. */
function loadSql(n: number): string {
  return `insert into api.data_lake_cat
  (repository, data_source, id_base, id_ext, pointer, collection_date, collection_end, processing_date, metadata)
select s.repo, '${DATA_SOURCE}', 'Reader' || (i % 50), 'matched.txt',
  to_char(d.at, 'YYYY/MM/DD') || '/${DATA_SOURCE}/Reader' || (i % 50) || '_${DATA_SOURCE}_' ||
    to_char(d.at, 'YYYY-MM-DD') || '_matched.txt',
  d.at, null, d.at + interval '1 day', null
from generate_series(0, ${n - 1}) as i
  cross join (values ('${P1_REPOSITORIES.source}'), ('${P1_REPOSITORIES.target}')) as s(repo)
  cross join lateral (select timestamptz '2000-01-01 06:00:00+00' + (i / 50) * interval '1 day' as at) as d
where s.repo = '${P1_REPOSITORIES.source}' or i % 2 = 0`
}

async function load(args: P1ChildArgs): Promise<P1ChildResult> {
  let client: SqlClient
  if (args.contestant === 'pg') {
    if (!args.url) throw new Error('P1 child: pg needs a url')
    client = await createPgClient({ connectionString: args.url, maxConnections: 1 })
  } else {
    if (!args.dataDir) throw new Error('P1 child: the embedded catalog needs a dataDir')
    client = await createPgliteClient({ dataDir: args.dataDir })
  }
  try {
    await migrateDatabase(client, { schema: 'api' })
    await client.query('truncate api.data_lake_cat')
    const started = performance.now()
    await client.query(loadSql(args.n))
    await client.query('analyze api.data_lake_cat')
    const ms = performance.now() - started
    const { rows } = await client.query<{ n: string }>('select count(*)::text as n from api.data_lake_cat')
    return { ms, count: Number(rows[0]?.n ?? 0), rssMb: rssMb() }
  } finally {
    await client.close()
  }
}

function rssMb(): number {
  return process.resourceUsage().maxRSS / 1024
}

function listing(catalog: CatalogDriver, repository: string): AsyncIterable<CatalogEntry> {
  return catalog.query({ repository, dataSource: DATA_SOURCE })
}

/** The original's approach (spec §3.5): both listings read into arrays, targets grouped by key with a cursor. */
async function referenceCompare(catalog: CatalogDriver): Promise<number> {
  const sources: CatalogEntry[] = []
  for await (const entry of listing(catalog, P1_REPOSITORIES.source)) sources.push(entry)
  const targets: CatalogEntry[] = []
  for await (const entry of listing(catalog, P1_REPOSITORIES.target)) targets.push(entry)
  const groups = new Map<string, { items: CatalogEntry[]; cursor: number }>()
  for (const t of targets) {
    const key = `${t.idBase}\u0000${t.idExt}`
    const group = groups.get(key)
    if (group) group.items.push(t)
    else groups.set(key, { items: [t], cursor: 0 })
  }
  const endOf = (date: DateTime, dateEnd: DateTime | null) => (dateEnd ?? addDays(date, 1)).toMillis()
  let count = 0
  for (const s of sources) {
    const start = s.collectionDate.toMillis()
    const group = groups.get(`${s.idBase}\u0000${s.idExt}`)
    let skip = false
    if (group) {
      while (group.cursor < group.items.length) {
        if ((group.items[group.cursor] as CatalogEntry).collectionDate.toMillis() >= start) break
        group.cursor += 1
      }
      const t = group.items[group.cursor]
      if (t) {
        const tStart = t.collectionDate.toMillis()
        skip =
          !(endOf(s.collectionDate, s.collectionEnd) <= tStart) &&
          !(start >= endOf(t.collectionDate, t.collectionEnd))
      }
    }
    if (!skip) count += 1
  }
  return count
}

/** Drains the compare loop over `source` and `target` (no window, base+ext keys); returns the items yielded. */
async function drainCompare(source: ItemProvider, target: ItemProvider): Promise<number> {
  let count = 0
  const items = compareItems(source, target, {
    keyMode: 'base+ext',
    startDate: null,
    endDate: null,
    lastRunDate: null,
    sameDayCutoff: null,
  })
  for await (const _ of items) count += 1
  return count
}

function streamingCompare(catalog: CatalogDriver): Promise<number> {
  const provider = (repository: string) =>
    createCatalogProvider({ catalog, repository, dataSource: DATA_SOURCE })
  return drainCompare(provider(P1_REPOSITORIES.source), provider(P1_REPOSITORIES.target))
}

/** The rows {@link loadSql} loads, as in-process listings: the compare loop alone, without a database. */
async function* generated(n: number, everySecond: boolean): AsyncIterable<ProviderItem<null>> {
  const first = parseTimestamp('2000-01-01 06:00:00+00')
  let day: DateTime = first
  for (let i = 0; i < n; i += 1) {
    if (i % 50 === 0) day = addDays(first, i / 50)
    if (everySecond && i % 2 !== 0) continue
    const base = `Reader${i % 50}`
    yield { base, ext: 'matched.txt', date: day, dateEnd: null, payload: null, label: `${base}/${i}` }
  }
}

async function loopOnly(n: number): Promise<P1ChildResult> {
  globalThis.gc?.()
  const started = performance.now()
  const count = await drainCompare({ list: () => generated(n, false) }, { list: () => generated(n, true) })
  return { ms: performance.now() - started, count, rssMb: rssMb() }
}

async function run(args: P1ChildArgs): Promise<P1ChildResult> {
  if (args.contestant === 'loop') return loopOnly(args.n)
  let catalog: CatalogDriver
  let close: () => Promise<void>
  if (args.contestant === 'pg') {
    if (!args.url) throw new Error('P1 child: pg needs a url')
    const db = createPostgresDatabase({ url: args.url })
    catalog = db.catalog()
    close = () => db.close()
  } else {
    if (!args.dataDir) throw new Error('P1 child: the embedded catalog needs a dataDir')
    const db = createPgliteDatabase({ dataDir: args.dataDir })
    catalog = db.catalog()
    close = () => db.close()
  }
  try {
    for await (const _ of catalog.query({
      repository: P1_REPOSITORIES.source,
      dataSource: DATA_SOURCE,
      limit: 1,
    })) {
      // warm-up: open the database and run the driver's migrations before the clock starts
    }
    globalThis.gc?.()
    const started = performance.now()
    const count =
      args.contestant === 'reference' ? await referenceCompare(catalog) : await streamingCompare(catalog)
    const ms = performance.now() - started
    return { ms, count, rssMb: rssMb() }
  } finally {
    await catalog.close()
    await close()
  }
}

const args = JSON.parse(process.argv[2] ?? '{}') as P1ChildArgs
const result = args.mode === 'load' ? await load(args) : await run(args)
process.stdout.write(`${JSON.stringify(result)}\n`)
