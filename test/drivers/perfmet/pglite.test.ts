import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { createPglitePerfmet } from '../../../src/drivers/perfmet/pglite.js'
import { createPgliteDatabase, type PgliteDatabase } from '../../../src/drivers/sql/pglite-database.js'
import { perfmetSchemaStatements } from '../../../src/drivers/sql/schema.js'
import { at } from '../../contract/catalog-fixtures.js'
import { describePerfmetContract, job, observation } from '../../contract/perfmet.contract.js'

use(chaiAsPromised)

describe('PGlite perfmet', () => {
  let db: PgliteDatabase
  before(async () => {
    db = createPgliteDatabase()
    const client = await db.client()
    for (const statement of perfmetSchemaStatements()) await client.query(statement)
  })
  after(async () => {
    await db.close()
  })
  const truncate = async () => {
    await (await db.client()).query('truncate api.etl_perfmet_job, api.etl_perfmet_obs')
  }

  describePerfmetContract('pglite (in memory)', async () => {
    const driver = db.perfmet()
    return { driver, cleanup: truncate }
  })

  describe('pglite specifics', () => {
    afterEach(truncate)

    it('creates the spec §6.2 tables with their primary keys', async () => {
      const client = await db.client()
      const { rows } = await client.query<{ table_name: string; columns: string }>(
        `select table_name, string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' order by ordinal_position) as columns
         from information_schema.columns where table_schema = 'api' and table_name like 'etl_perfmet_%'
         group by table_name order by table_name`,
      )
      expect(rows).to.deep.equal([
        {
          table_name: 'etl_perfmet_job',
          columns:
            'id integer NO, data_source character varying NO, stage character varying NO, seconds real YES, records integer YES, ' +
            'processing_date timestamp with time zone NO, collection_start timestamp with time zone YES, ' +
            'collection_end timestamp with time zone YES',
        },
        {
          table_name: 'etl_perfmet_obs',
          columns:
            'id integer NO, data_source character varying NO, sensor_name character varying NO, data_type character varying NO, ' +
            'data real YES, expected real YES, collection_date timestamp with time zone NO, ' +
            'timestamp_min timestamp with time zone YES, timestamp_max timestamp with time zone YES',
        },
      ])
      const { rows: keys } = await client.query<{ def: string }>(
        `select pg_get_constraintdef(oid) as def from pg_constraint
         where contype = 'p' and conrelid in ('api.etl_perfmet_job'::regclass, 'api.etl_perfmet_obs'::regclass)
         order by conrelid::regclass::text`,
      )
      expect(keys.map((k) => k.def)).to.deep.equal([
        'PRIMARY KEY (processing_date, data_source, stage)',
        'PRIMARY KEY (collection_date, data_source, data_type, sensor_name)',
      ])
    })

    it('validates rows before writing', async () => {
      const perfmet = db.perfmet()
      await expect(perfmet.writeJob(job({ records: 1.5 }))).to.be.rejectedWith(TypeError)
      await expect(perfmet.writeJob(job({ seconds: Number.NaN }))).to.be.rejectedWith(TypeError)
      await expect(perfmet.writeJob(job({ processingDate: null as never }))).to.be.rejectedWith(TypeError)
      await expect(perfmet.writeObservations([observation(), observation()])).to.be.rejectedWith(/Duplicate/)
      expect(await perfmet.readObservations(at('2020-09-13'), at('2020-09-14'))).to.deep.equal([])
    })

    it('rejects use after close; a standalone driver owns its in-memory instance', async () => {
      const perfmet = createPglitePerfmet()
      await perfmet.writeJob(job())
      expect(await perfmet.readJobs(at('2019-06-02'), at('2019-06-03'))).to.have.length(1)
      await perfmet.close()
      await expect(perfmet.writeJob(job())).to.be.rejectedWith(/closed/)
    })
  })
})
