import { expect } from 'chai'
import { runCli } from '../../src/entries/cli.js'
import { getTestServices } from '../services/index.js'

async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = ''
  let err = ''
  const code = await runCli(argv, {
    env,
    cwd: '/nonexistent-dir-for-settings',
    stdout: (t) => {
      out += t
    },
    stderr: (t) => {
      err += t
    },
  })
  return { code, out, err }
}

describe('catalog-etl db migrate (real PostgreSQL)', function () {
  this.timeout(120_000)
  const schema = `t_cli_${process.pid}`

  after(async () => {
    const services = await getTestServices()
    const client = await services.pg.client()
    try {
      await client.query(`drop schema if exists "${schema}" cascade`)
      await client.query('delete from catalog_etl.schema_migrations where schema_name = $1', [schema])
    } finally {
      await client.close()
    }
  })

  it('applies the migrations once, then reports the database up to date', async () => {
    const { pg } = await getTestServices()
    const first = await cli(['db', 'migrate', '--url', pg.url, '--schema', schema])
    expect(first.code, first.err).to.equal(0)
    expect(first.out).to.contain(
      `schema "${schema}": applied 001_catalog, 002_perfmet, 003_run_journal, 004_run_lock`,
    )
    const second = await cli(['db', 'migrate', '--url', pg.url, '--schema', schema, '--roles'])
    expect(second.code, second.err).to.equal(0)
    expect(second.out).to.contain('already up to date; roles and grants applied')
  })

  it('uses the catalog URL with catalog.kind postgres, and hides passwords in output', async () => {
    const { pg } = await getTestServices()
    const url = new URL(pg.url)
    url.password = 'not-needed-with-trust'
    const env = {
      CATALOG_ETL_CATALOG: 'postgres',
      CATALOG_ETL_CATALOG_URL: url.toString(),
      CATALOG_ETL_CATALOG_SCHEMA: schema,
    }
    const result = await cli(['db', 'migrate'], env)
    expect(result.code, result.err).to.equal(0)
    expect(result.out).to.contain('already up to date').and.contain('redacted')
    expect(result.out).not.to.contain('not-needed-with-trust')
  })

  it('without a PostgreSQL URL it says how to give one (exit 1)', async () => {
    const result = await cli(['db', 'migrate'])
    expect(result.code).to.equal(1)
    expect(result.err).to.contain('--url postgres://')
  })
})
