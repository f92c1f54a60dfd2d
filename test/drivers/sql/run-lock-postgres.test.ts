import { expect } from 'chai'
import { createPgClient } from '../../../src/drivers/sql/pg-client.js'
import { createSqlRunLock } from '../../../src/drivers/sql/run-lock-sql.js'
import { describeRunLockContract } from '../../contract/run-lock.contract.js'
import { getTestServices } from '../../services/index.js'

describe('run lock on real PostgreSQL (pg, migration 004_run_lock)', function () {
  this.timeout(120_000)

  describeRunLockContract('postgres (two connection pools)', async () => {
    const { pg } = await getTestServices()
    const pool = () => createPgClient({ connectionString: pg.url, maxConnections: 4 })
    return { a: createSqlRunLock({ client: pool }), b: createSqlRunLock({ client: pool }) }
  })

  it('is created by db migrate: the table and the three PostgREST functions', async () => {
    const { pg } = await getTestServices()
    const client = await pg.client()
    try {
      const { rows } = await client.query<{ name: string }>(
        `select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'api' and p.proname like 'etl_%lock%' order by 1`,
      )
      expect(rows.map((row) => row.name)).to.deep.equal([
        'etl_lock_holder',
        'etl_release_lock',
        'etl_try_lock',
      ])
      const versions = await client.query<{ version: string }>(
        "select version from catalog_etl.schema_migrations where schema_name = 'api' and version = '004_run_lock'",
      )
      expect(versions.rows).to.have.length(1)
    } finally {
      await client.close()
    }
  })
})
