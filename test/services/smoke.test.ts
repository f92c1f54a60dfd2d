import { ListBucketsCommand } from '@aws-sdk/client-s3'
import { expect } from 'chai'
import { getTestServices } from './index.js'

describe('test services (real PostgreSQL, PostgREST, S3 on 127.0.0.1)', function () {
  this.timeout(120_000)

  it('PostgreSQL has the migrated catalog, perfmet, journal and lock tables', async () => {
    const services = await getTestServices()
    const client = await services.pg.client()
    try {
      const { rows } = await client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'api' order by 1",
      )
      expect(rows.map((r) => r.table_name)).to.deep.equal([
        'data_lake_cat',
        'etl_perfmet_job',
        'etl_perfmet_obs',
        'etl_run',
        'etl_run_item',
        'etl_run_lock',
      ])
    } finally {
      await client.close()
    }
  })

  it('PostgREST serves the catalog to the writer role and refuses the anonymous role', async () => {
    const { postgrest } = await getTestServices()
    const authed = await fetch(`${postgrest.url}/data_lake_cat?limit=1`, {
      headers: { Authorization: `Bearer ${postgrest.token()}` },
    })
    expect(authed.status).to.equal(200)
    expect(await authed.json()).to.be.an('array')
    const anonymous = await fetch(`${postgrest.url}/data_lake_cat?limit=1`)
    expect(anonymous.status).to.equal(401)
    const forged = await fetch(`${postgrest.url}/data_lake_cat?limit=1`, {
      headers: { Authorization: `Bearer ${postgrest.token('catalog_writer').slice(0, -3)}abc` },
    })
    expect(forged.status).to.equal(401)
  })

  it('the S3 server creates and lists buckets', async () => {
    const { s3 } = await getTestServices()
    const name = await s3.createBucket('smoke')
    const client = s3.client()
    try {
      const listed = await client.send(new ListBucketsCommand({}))
      expect(listed.Buckets?.map((b) => b.Name)).to.include(name)
    } finally {
      client.destroy()
    }
  })
})
