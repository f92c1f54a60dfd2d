import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { createSqlCatalog } from '../../../src/drivers/sql/catalog-sql.js'
import { catalogSchemaSql, catalogSchemaStatements, quoteIdent } from '../../../src/drivers/sql/schema.js'
import {
  createPgliteClient,
  type SqlClient,
  type SqlQueryable,
  withTransaction,
} from '../../../src/drivers/sql/sql-client.js'
import { buildUpsertSql } from '../../../src/drivers/sql/upsert.js'
import { collect, manyRows, row } from '../../contract/catalog-fixtures.js'

use(chaiAsPromised)

const all = { repository: 'rawjson', dataSource: 'bt' } as const

/** Wraps a client and records every statement sent (inside transactions too). */
function recording(client: SqlClient): { client: SqlClient; texts: string[] } {
  const texts: string[] = []
  const record = (target: SqlQueryable): SqlQueryable => ({
    query<R>(text: string, params?: unknown[]) {
      texts.push(text.replace(/\s+/g, ' ').trim())
      return target.query<R>(text, params)
    },
  })
  const transaction = client.transaction?.bind(client)
  return {
    texts,
    client: {
      ...record(client),
      transaction: transaction ? (fn) => transaction((tx) => fn(record(tx))) : undefined,
      close: async () => {},
    },
  }
}

describe('SQL catalog driver (on PGlite)', () => {
  let pg: SqlClient
  before(async () => {
    pg = await createPgliteClient()
  })
  after(async () => {
    await pg.close()
  })
  afterEach(async () => {
    await pg.query('drop schema if exists api cascade')
    await pg.query('drop schema if exists lake_test cascade')
  })

  it('reads one page per query, with keyset paging (no OFFSET)', async () => {
    const { client, texts } = recording(pg)
    const catalog = createSqlCatalog({ client, pageSize: 10, migrate: true })
    await catalog.upsert(manyRows(95, 5))
    texts.length = 0
    let read = 0
    for await (const _ of catalog.query(all)) {
      read++
      if (read === 5) break
    }
    expect(texts.filter((t) => t.startsWith('select'))).to.have.length(1)
    texts.length = 0
    expect(await collect(catalog.query(all))).to.have.length(95)
    expect(texts).to.have.length(10)
    expect(texts.join('\n')).to.not.match(/offset/i)
    expect(texts[1]).to.match(/\(collection_date, id_base, id_ext\) > \(\$\d+::timestamptz, \$\d+, \$\d+\)/)
    texts.length = 0
    expect(await collect(catalog.query({ ...all, limit: 20 }))).to.have.length(20)
    expect(texts).to.have.length(2)
  })

  it('upserts in statements of at most 1,000 rows inside one transaction', async () => {
    const { client, texts } = recording(pg)
    const catalog = createSqlCatalog({ client, migrate: true })
    await catalog.upsert([])
    texts.length = 0
    await catalog.upsert(manyRows(2345, 9))
    expect(texts.map((t) => t.slice(0, 11))).to.deep.equal(['insert into', 'insert into', 'insert into'])
    expect(texts[0]).to.match(
      /on conflict \(collection_date, repository, data_source, id_base, id_ext\) do update set pointer = excluded\.pointer, collection_end = excluded\.collection_end, processing_date = excluded\.processing_date, metadata = excluded\.metadata$/,
    )
    expect(await collect(catalog.query(all))).to.have.length(2345)
  })

  it('rolls the whole upsert back when a later batch fails', async () => {
    const catalog = createSqlCatalog({ client: pg, migrate: true })
    const rows = manyRows(1500, 10)
    rows[1200] = { ...(rows[1200] as (typeof rows)[number]), metadata: { bad: '\u0000' } }
    await expect(catalog.upsert(rows)).to.be.rejected
    expect(await collect(catalog.query(all))).to.deep.equal([])
  })

  it('uses begin/commit/rollback through query when the client has no transaction()', async () => {
    const texts: string[] = []
    const plain: SqlClient = {
      query<R>(text: string, params?: unknown[]) {
        texts.push(text)
        return pg.query<R>(text, params)
      },
      close: async () => {},
    }
    await withTransaction(plain, async (tx) => tx.query('select 1'))
    await expect(
      withTransaction(plain, async (tx) => {
        await tx.query('select 1')
        throw new Error('boom')
      }),
    ).to.be.rejectedWith('boom')
    expect(texts).to.deep.equal(['begin', 'select 1', 'commit', 'begin', 'select 1', 'rollback'])
  })

  it('pages through the (repository, data_source, collection_date, id_base, id_ext) index, not a sort of the table', async () => {
    const { client, texts } = recording(pg)
    const catalog = createSqlCatalog({ client, pageSize: 1000, migrate: true })
    await catalog.upsert(manyRows(1, 1))
    await pg.query(`insert into api.data_lake_cat (repository, data_source, id_base, id_ext, pointer, collection_date)
      select 'rawjson', 'bt', 'R' || (i % 50), 'matched.txt', 'p' || i,
        timestamptz '2000-01-01 06:00:00+00' + (i / 50) * interval '1 day'
      from generate_series(1, 20000) as i`)
    await pg.query('analyze api.data_lake_cat')
    texts.length = 0
    let read = 0
    for await (const _ of catalog.query(all)) if (++read === 1500) break
    const second = texts.find((t) => t.includes('>'))
    expect(second, 'the keyset page query').to.be.a('string')
    const params = ['rawjson', 'bt', '2000-01-20 06:00:00+00', 'R1', 'matched.txt', 1000]
    const plan = await pg.query<{ 'QUERY PLAN': string }>(`explain ${second}`, params)
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n')
    expect(text).to.match(/Index (Only )?Scan using data_lake_cat_query_idx/)
    expect(text).to.not.match(/Seq Scan/)
    expect(text).to.not.match(/^\s*(->\s*)?Sort\b/m)
  })

  it('creates its table in another schema and table name when asked', async () => {
    const catalog = createSqlCatalog({ client: pg, schema: 'lake_test', table: 'cat', migrate: true })
    await catalog.upsert([row()])
    const { rows } = await pg.query<{ n: number }>('select count(*)::int as n from lake_test.cat')
    expect(rows).to.deep.equal([{ n: 1 }])
    expect(catalogSchemaSql('lake_test', 'cat')).to.equal(
      `${catalogSchemaStatements('lake_test', 'cat').join(';\n')};\n`,
    )
  })

  it('does not create tables unless migrate is set', async () => {
    const catalog = createSqlCatalog({ client: pg })
    await expect(catalog.upsert([row()])).to.be.rejectedWith(/does not exist/)
  })

  it('opens a client factory lazily, retries after a failure and closes what it opened', async () => {
    let calls = 0
    let closed = 0
    const catalog = createSqlCatalog({
      migrate: true,
      client: async () => {
        calls++
        if (calls === 1) throw new Error('connection refused')
        return { query: (text, params) => pg.query(text, params), close: async () => void closed++ }
      },
    })
    expect(calls).to.equal(0)
    await expect(catalog.upsert([row()])).to.be.rejectedWith('connection refused')
    await catalog.upsert([row()])
    expect(await collect(catalog.query(all))).to.have.length(1)
    expect(calls).to.equal(2)
    await catalog.close()
    await catalog.close()
    expect(closed).to.equal(1)
  })

  it('leaves a ready client open on close, and rejects bad options', async () => {
    const catalog = createSqlCatalog({ client: pg })
    await catalog.close()
    expect((await pg.query<{ one: number }>('select 1 as one')).rows).to.deep.equal([{ one: 1 }])
    expect(() => createSqlCatalog({ client: pg, pageSize: 0 })).to.throw(RangeError)
    expect(() => createSqlCatalog({ client: pg, schema: 'api; drop table x' })).to.throw(
      /Invalid SQL identifier/,
    )
    expect(() => quoteIdent('1abc')).to.throw(/Invalid SQL identifier/)
    expect(quoteIdent('data_lake_cat')).to.equal('"data_lake_cat"')
  })

  it('builds multi-row upserts with casts', () => {
    const sql = buildUpsertSql(
      { table: '"api"."t"', columns: ['k', 'd', 'v'], casts: { d: 'timestamptz' }, conflict: ['k', 'd'] },
      2,
    )
    expect(sql.replace(/\s+/g, ' ')).to.equal(
      'insert into "api"."t" (k, d, v) values ($1, $2::timestamptz, $3), ($4, $5::timestamptz, $6) on conflict (k, d) do update set v = excluded.v',
    )
  })
})
