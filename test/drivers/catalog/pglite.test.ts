import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { createPgliteCatalog } from '../../../src/drivers/catalog/pglite.js'
import { createPglitePerfmet } from '../../../src/drivers/perfmet/pglite.js'
import { createPgliteDatabase, type PgliteDatabase } from '../../../src/drivers/sql/pglite-database.js'
import { catalogSchemaStatements } from '../../../src/drivers/sql/schema.js'
import { describeCatalogContract } from '../../contract/catalog.contract.js'
import { at, collect, row } from '../../contract/catalog-fixtures.js'

use(chaiAsPromised)

const all = { repository: 'rawjson', dataSource: 'bt' } as const

describe('PGlite catalog', () => {
  let db: PgliteDatabase
  before(async () => {
    db = createPgliteDatabase()
    const client = await db.client()
    for (const statement of catalogSchemaStatements()) await client.query(statement)
  })
  after(async () => {
    await db.close()
  })
  const truncate = async () => {
    await (await db.client()).query('truncate api.data_lake_cat')
  }

  describeCatalogContract('pglite (in memory, pageSize 97)', async () => ({
    driver: db.catalog({ pageSize: 97 }),
    cleanup: truncate,
  }))

  describe('pglite specifics', () => {
    afterEach(truncate)

    it('creates the spec §4.1 table: columns, nullability, primary key and indexes', async () => {
      const client = await db.client()
      for (const statement of catalogSchemaStatements()) await client.query(statement)
      const { rows: columns } = await client.query<{
        column_name: string
        data_type: string
        is_nullable: string
      }>(
        `select column_name, data_type, is_nullable from information_schema.columns
         where table_schema = 'api' and table_name = 'data_lake_cat' order by ordinal_position`,
      )
      expect(columns.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable}`)).to.deep.equal([
        'id integer NO',
        'repository text NO',
        'data_source text NO',
        'id_base text NO',
        'id_ext text NO',
        'pointer text NO',
        'collection_date timestamp with time zone NO',
        'collection_end timestamp with time zone YES',
        'processing_date timestamp with time zone YES',
        'metadata jsonb YES',
      ])
      const { rows: indexes } = await client.query<{ indexdef: string }>(
        `select indexdef from pg_indexes where schemaname = 'api' and tablename = 'data_lake_cat' order by indexname`,
      )
      const defs = indexes.map((i) => i.indexdef.replace(/^.* USING btree /, ''))
      expect(defs).to.have.members([
        '(collection_date)',
        '(collection_date, repository, data_source, id_base, id_ext)',
        '(repository, data_source, collection_date, id_base, id_ext)',
      ])
    })

    it('pages on the exact stored instant: microsecond dates are neither skipped nor repeated', async () => {
      const client = await db.client()
      await client.query(
        `insert into api.data_lake_cat (repository, data_source, id_base, id_ext, pointer, collection_date)
         values ('rawjson', 'bt', 'a', 'x', 'p1', '2019-06-01 00:00:00.123456-05'),
                ('rawjson', 'bt', 'a', 'x', 'p2', '2019-06-01 00:00:00.123457-05'),
                ('rawjson', 'bt', 'b', 'x', 'p3', '2019-06-01 00:00:00.123457-05'),
                ('rawjson', 'bt', 'a', 'x', 'p4', '2019-06-01 00:00:00.123999-05')`,
      )
      const catalog = db.catalog({ pageSize: 1 })
      for (const order of ['asc', 'desc'] as const) {
        const found = await collect(catalog.query({ ...all, order }))
        const pointers = found.map((e) => e.pointer)
        expect(pointers).to.deep.equal(order === 'asc' ? ['p1', 'p2', 'p3', 'p4'] : ['p4', 'p2', 'p3', 'p1'])
        expect(found.map((e) => e.collectionDate.toISO())).to.deep.equal(
          Array(4).fill('2019-06-01T00:00:00.123-05:00'),
        )
      }
    })

    it('reads and writes the same instants whatever the session TimeZone', async () => {
      const client = await db.client()
      const catalog = db.catalog()
      try {
        await client.query(`set time zone 'Asia/Kolkata'`)
        await catalog.upsert([row({ date: '2019-11-03', processingDate: at('2019-11-03T01:30:00.5-06:00') })])
        const [found] = await collect(catalog.query({ ...all, early: at('2019-11-03'), exact: true }))
        expect(found?.collectionDate.toISO()).to.equal('2019-11-03T00:00:00.000-05:00')
        expect(found?.processingDate?.toISO()).to.equal('2019-11-03T01:30:00.500-06:00')
        const { rows } = await client.query<{ utc: string }>(
          `select to_char(collection_date at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as utc from api.data_lake_cat`,
        )
        expect(rows).to.deep.equal([{ utc: '2019-11-03 05:00' }])
      } finally {
        await client.query('reset time zone')
      }
    })

    it('rejects use after close, without closing the shared database', async () => {
      const catalog = db.catalog()
      await catalog.close()
      await expect(catalog.upsert([row()])).to.be.rejectedWith(/closed/)
      await expect(collect(catalog.query(all))).to.be.rejectedWith(/closed/)
      expect(await collect(db.catalog().query(all))).to.deep.equal([])
    })
  })
})

describe('PGlite catalog and perfmet on a data directory', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'catalog-etl-pglite-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('share one instance and persist across close and reopen', async () => {
    const dataDir = join(dir, 'db')
    const first = createPgliteDatabase({ dataDir })
    const catalog = first.catalog()
    const perfmet = first.perfmet()
    const job = {
      dataSource: 'Bluetooth',
      stage: 'Standardize',
      seconds: 812.5,
      records: 3,
      processingDate: at('2019-06-02T03:00:01.5'),
      collectionStart: at('2019-06-01'),
      collectionEnd: at('2019-06-02'),
    }
    await Promise.all([catalog.upsert([row({ metadata: { kept: true } })]), perfmet.writeJob(job)])
    await catalog.close()
    await perfmet.writeJob({ ...job, stage: 'Ready' })
    await perfmet.close()
    await first.close()

    const second = createPgliteDatabase({ dataDir })
    try {
      const found = await collect(second.catalog().query(all))
      expect(found.map((e) => [e.pointer, e.metadata])).to.deep.equal([[row().pointer, { kept: true }]])
      const jobs = await second.perfmet().readJobs(at('2019-06-02'), at('2019-06-03'))
      expect(jobs.map((j) => [j.stage, j.seconds, j.processingDate.toISO()])).to.deep.equal([
        ['Ready', 812.5, '2019-06-02T03:00:01.500-05:00'],
        ['Standardize', 812.5, '2019-06-02T03:00:01.500-05:00'],
      ])
    } finally {
      await second.close()
    }
  })

  it('a standalone driver closes its own instance, so the directory can be reopened', async () => {
    const dataDir = join(dir, 'db')
    const catalog = createPgliteCatalog({ dataDir, pageSize: 10 })
    await catalog.upsert([row()])
    await catalog.close()
    const again = createPgliteCatalog({ dataDir })
    expect(await collect(again.query(all))).to.have.length(1)
    await again.close()
    const perfmet = createPglitePerfmet({ dataDir })
    expect(await perfmet.readJobs(at('2019-06-01'), at('2019-06-02'))).to.deep.equal([])
    await perfmet.close()
  })

  it('closeWhenUnused keeps the instance open while any driver is open', async () => {
    const database = createPgliteDatabase({ dataDir: join(dir, 'db'), closeWhenUnused: true })
    const catalog = database.catalog()
    const perfmet = database.perfmet()
    const clientBefore = await database.client()
    await catalog.upsert([row()])
    await catalog.close()
    expect(await database.client()).to.equal(clientBefore)
    expect(await perfmet.readJobs(at('2019-06-01'), at('2019-06-02'))).to.deep.equal([])
    await perfmet.close()
    await database.close()
    await expect(database.client()).to.be.rejectedWith(/closed/)
  })
})
