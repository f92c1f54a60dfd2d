import { expect } from 'chai'
import { migrateDatabase } from '../../../src/drivers/sql/migrate.js'
import { createPostgresDatabase, type PostgresDatabase } from '../../../src/drivers/sql/postgres-database.js'
import { describeCatalogContract } from '../../contract/catalog.contract.js'
import { describePerfmetContract } from '../../contract/perfmet.contract.js'
import { getTestServices } from '../../services/index.js'

let schemas = 0

/** A fresh schema, migrated, on the real PostgreSQL of the test run. */
async function freshDatabase(): Promise<{ db: PostgresDatabase; drop: () => Promise<void> }> {
  const services = await getTestServices()
  schemas += 1
  const schema = `t_pg_${process.pid}_${schemas}`
  const admin = await services.pg.client()
  try {
    await migrateDatabase(admin, { schema })
  } finally {
    await admin.close()
  }
  const db = createPostgresDatabase({ url: services.pg.url, schema })
  return {
    db,
    async drop() {
      await db.close()
      const cleanup = await services.pg.client()
      try {
        await cleanup.query(`drop schema "${schema}" cascade`)
        await cleanup.query('delete from catalog_etl.schema_migrations where schema_name = $1', [schema])
      } finally {
        await cleanup.close()
      }
    },
  }
}

describe('direct PostgreSQL drivers (pg, real PostgreSQL 15)', function () {
  this.timeout(120_000)

  describeCatalogContract('postgres (pg)', async () => {
    const { db, drop } = await freshDatabase()
    return { driver: db.catalog(), cleanup: drop }
  })

  describePerfmetContract('postgres (pg)', async () => {
    const { db, drop } = await freshDatabase()
    const driver = db.perfmet()
    return { driver, cleanup: drop }
  })

  describe('migrations', () => {
    it('are idempotent and recorded per schema', async () => {
      const services = await getTestServices()
      const client = await services.pg.client()
      const schema = `t_mig_${process.pid}`
      try {
        const first = await migrateDatabase(client, { schema })
        const second = await migrateDatabase(client, { schema })
        expect(first.applied).to.deep.equal(['001_catalog', '002_perfmet', '003_run_journal', '004_run_lock'])
        expect(second.applied).to.deep.equal([])
        const { rows } = await client.query<{ indexname: string }>(
          'select indexname from pg_indexes where schemaname = $1 order by 1',
          [schema],
        )
        expect(rows.map((r) => r.indexname)).to.include.members([
          'data_lake_cat_pkey',
          'data_lake_cat_collection_date_idx',
          'data_lake_cat_query_idx',
          'etl_perfmet_job_pkey',
          'etl_perfmet_obs_pkey',
        ])
      } finally {
        await client.query(`drop schema if exists "${schema}" cascade`)
        await client.query('delete from catalog_etl.schema_migrations where schema_name = $1', [schema])
        await client.close()
      }
    })

    it('run concurrently without racing (advisory lock)', async () => {
      const services = await getTestServices()
      const schema = `t_race_${process.pid}`
      const clients = await Promise.all([services.pg.client(), services.pg.client(), services.pg.client()])
      try {
        const results = await Promise.all(clients.map((c) => migrateDatabase(c, { schema })))
        expect(results.flatMap((r) => r.applied).sort()).to.deep.equal([
          '001_catalog',
          '002_perfmet',
          '003_run_journal',
          '004_run_lock',
        ])
      } finally {
        await clients[0]?.query(`drop schema if exists "${schema}" cascade`)
        await clients[0]?.query('delete from catalog_etl.schema_migrations where schema_name = $1', [schema])
        await Promise.all(clients.map((c) => c.close()))
      }
    })

    it('grant the writer role full access and the anonymous role none', async () => {
      const services = await getTestServices()
      const client = await services.pg.client()
      try {
        const { rows } = await client.query<{ grantee: string; privilege_type: string }>(
          `select grantee, privilege_type from information_schema.role_table_grants
           where table_schema = 'api' and table_name = 'data_lake_cat' and grantee in ('web_anon', 'catalog_writer')
           order by 1, 2`,
        )
        expect(rows.map((r) => `${r.grantee}:${r.privilege_type}`)).to.deep.equal([
          'catalog_writer:DELETE',
          'catalog_writer:INSERT',
          'catalog_writer:SELECT',
          'catalog_writer:UPDATE',
        ])
      } finally {
        await client.close()
      }
    })
  })
})
