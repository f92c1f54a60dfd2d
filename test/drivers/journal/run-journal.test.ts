import { expect } from 'chai'
import { createMemoryJournal } from '../../../src/drivers/journal/memory.js'
import { createPostgrestJournal } from '../../../src/drivers/postgrest/journal.js'
import { createSqlJournal } from '../../../src/drivers/sql/journal-sql.js'
import { migrateDatabase } from '../../../src/drivers/sql/migrate.js'
import { createPgClient } from '../../../src/drivers/sql/pg-client.js'
import { createPgliteClient } from '../../../src/drivers/sql/sql-client.js'
import { describeRunJournalContract } from '../../contract/run-journal.contract.js'
import { getTestServices } from '../../services/index.js'

let schemas = 0

describe('run journal drivers', function () {
  this.timeout(120_000)

  describeRunJournalContract('memory', async () => ({ journal: createMemoryJournal() }))

  describeRunJournalContract('PGlite (in memory, auto-migrated)', async () => {
    const client = await createPgliteClient()
    return {
      journal: createSqlJournal({ client, migrate: true, pageSize: 7 }),
      cleanup: () => client.close(),
    }
  })

  describeRunJournalContract('PostgreSQL (pg, migrated schema)', async () => {
    const services = await getTestServices()
    schemas += 1
    const schema = `t_journal_${process.pid}_${schemas}`
    const admin = await services.pg.client()
    await migrateDatabase(admin, { schema })
    const client = await createPgClient({ connectionString: services.pg.url, maxConnections: 2 })
    return {
      journal: createSqlJournal({ client, schema, pageSize: 7 }),
      async cleanup() {
        await client.close()
        await admin.query(`drop schema "${schema}" cascade`)
        await admin.query('delete from catalog_etl.schema_migrations where schema_name = $1', [schema])
        await admin.close()
      },
    }
  })

  describeRunJournalContract('PostgREST (writer role)', async () => {
    const { postgrest, pg } = await getTestServices()
    const admin = await pg.client()
    try {
      await admin.query('truncate api.etl_run_item, api.etl_run')
    } finally {
      await admin.close()
    }
    const journal = createPostgrestJournal({
      url: postgrest.url,
      token: postgrest.token(),
      pageSize: 7,
      minDelayMs: 5,
      maxDelayMs: 20,
    })
    return { journal }
  })

  it('db migrate --roles grants the writer the journal tables and denies the anonymous role', async () => {
    const { postgrest } = await getTestServices()
    const anon = createPostgrestJournal({ url: postgrest.url, retries: 0 })
    await expect(anon.lastRunId('bt-ready')).to.be.rejectedWith(/42501|permission/)
    const writer = createPostgrestJournal({ url: postgrest.url, token: postgrest.token() })
    expect(await writer.lastRunId('no-such-app')).to.equal(null)
  })
})
