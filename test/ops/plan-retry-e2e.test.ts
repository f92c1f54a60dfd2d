import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { expect } from 'chai'
import { runCli } from '../../src/entries/cli.js'
import type { PlanRow } from '../../src/entries/plan.js'
import { type Clock, parseTimestamp } from '../../src/util/dates.js'
import { writeBtShare } from '../helpers/bt-share.js'
import { productionEnv } from '../helpers/production-env.js'
import { getTestServices, type TestServices } from '../services/index.js'

// A pipeline run in which some items really fail (their raw object vanished from the lake), then `plan` must show
// exactly those items as failed with their error, and after the lake is repaired `retry --failed` must fix them —
// on the embedded default and on S3 + PostgREST (catalog and journal through PostgREST).

const START = parseTimestamp('2019-06-10 03:00:00')
/** A clock that moves one second per reading, so every run and outcome has its own time (the journal orders by it). */
function steppingClock(): Clock {
  let ticks = 0
  return { now: () => START.plus({ seconds: ticks++ }) }
}
const clock = steppingClock()
const FIRST = parseTimestamp('2019-06-01 00:00:00-05:00')
const WINDOW = ['-s', '2019-06-01', '-e', '2019-06-04']
const LOST = '2019/06/02/bt/Austin_bt_2019-06-02_matched.txt'

interface Setup {
  readonly env: Record<string, string>
  readonly flags: readonly string[]
  /** Removes a raw object from the lake behind the catalog's back. */
  lose(key: string): Promise<void>
}

async function cli(
  setup: Setup,
  argv: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli([...argv, ...setup.flags, '--log-level', 'silent'], {
    clock,
    env: setup.env,
    cwd: setup.env.HOME ?? tmpdir(),
    stdout: (t) => {
      out += t
    },
    stderr: (t) => {
      err += t
    },
  })
  return { code, out, err }
}

async function planRows(setup: Setup): Promise<PlanRow[]> {
  const { code, out } = await cli(setup, ['plan', 'bt-insert-lake', 'bt-json-standard', ...WINDOW, '--json'])
  expect(code).to.equal(0)
  return (JSON.parse(out) as { items: PlanRow[] }).items
}

async function scenario(setup: Setup): Promise<void> {
  expect((await cli(setup, ['bt-insert-lake', ...WINDOW])).code).to.equal(0)
  await setup.lose(LOST)
  const broken = await cli(setup, ['bt-json-standard', ...WINDOW])
  expect(broken.code, broken.err).to.equal(2)

  const failed = await planRows(setup)
  expect(failed.map((r) => [r.app, r.date.slice(0, 10), r.ext, r.state])).to.deep.equal([
    ['bt-json-standard', '2019-06-02', 'matched.txt', 'failed'],
  ])
  expect(failed[0]?.lastError).to.contain('Austin_bt_2019-06-02_matched.txt')

  const early = await cli(setup, ['retry', '--failed'])
  expect(early.code, 'retry before the lake is repaired').to.equal(2)
  expect((await planRows(setup)).map((r) => r.state)).to.deep.equal(['failed'])

  expect((await cli(setup, ['bt-insert-lake', '-s', '2019-06-02', '-e', '2019-06-02', '-F'])).code).to.equal(
    0,
  )
  const fixed = await cli(setup, ['retry', '--failed'])
  expect(fixed.code, fixed.err).to.equal(0)
  expect(fixed.out).to.contain('1 re-run, 0 failed')
  expect(await planRows(setup)).to.deep.equal([])
  expect((await cli(setup, ['retry', '--failed'])).out).to.not.contain('re-run')
}

describe('plan and retry --failed after real item failures', function () {
  this.timeout(180_000)
  let dir = ''

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-retry-e2e-'))
    await writeBtShare({
      awamDir: join(dir, 'awam'),
      unitDataDir: join(dir, 'unit-data'),
      first: FIRST,
      days: 3,
      readers: 3,
      readerSeed: 4,
      seed: 4,
      iafRows: 30,
      itmfRows: 6,
    })
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('on the embedded default (local lake, PGlite catalog and journal)', async () => {
    const lake = join(dir, 'lake')
    await scenario({
      env: {
        HOME: dir,
        CATALOG_ETL_AWAM_DIR: join(dir, 'awam'),
        CATALOG_ETL_UNIT_DATA_DIR: join(dir, 'unit-data'),
      },
      flags: ['--lake-dir', lake],
      lose: (key) => rm(join(lake, 'atd-datalake-raw', key)),
    })
  })

  it('on S3 + PostgREST (catalog and journal through PostgREST)', async () => {
    const services: TestServices = await getTestServices()
    await services.postgrest.truncate()
    const raw = await services.s3.createBucket('plan-raw')
    const rawjson = await services.s3.createBucket('plan-rawjson')
    await writeFile(
      join(dir, 'catalog-etl.config.json'),
      JSON.stringify({
        repositories: {
          raw: { production: raw, debug: `${raw}-test` },
          standardized: { production: rawjson, debug: `${rawjson}-test` },
        },
      }),
    )
    await scenario({
      env: productionEnv(services, {
        HOME: dir,
        CATALOG_ETL_PERFMET: 'none',
        CATALOG_ETL_AWAM_DIR: join(dir, 'awam'),
        CATALOG_ETL_UNIT_DATA: 'json-file',
        CATALOG_ETL_UNIT_DATA_DIR: join(dir, 'unit-data'),
      }),
      flags: [],
      lose: async (key) => {
        const client = services.s3.client()
        try {
          await client.send(new DeleteObjectCommand({ Bucket: raw, Key: key }))
        } finally {
          client.destroy()
        }
      },
    })
  })
})
