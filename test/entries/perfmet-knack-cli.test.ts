import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createDriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import { runCli } from '../../src/entries/cli.js'
import { fixedClock } from '../../src/util/dates.js'
import { type KnackEmulator, startKnackEmulator } from '../emulators/knack/knack-emulator.js'
import { createLogSink } from '../helpers/log-sink.js'
import { JOB_FIELD_DEFS, JOBS, OBS_FIELD_DEFS, OBSERVATIONS } from './perfmet-knack-fixtures.js'

describe('catalog-etl perfmet-knack (settings → PGlite perfmet → Knack emulator)', function () {
  this.timeout(120_000)
  let dir: string
  let knack: KnackEmulator

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfmet-knack-cli-'))
    const settings = loadSettings({ cwd: dir, env: {} })
    const drivers = createDriverSet(settings, { debug: false })
    const perfmet = drivers.perfmet()
    for (const job of JOBS) await perfmet?.writeJob(job)
    await perfmet?.writeObservations(OBSERVATIONS)
    await drivers.close()
    knack = await startKnackEmulator()
    knack.setView('scene_4', 'view_4', [], { fields: JOB_FIELD_DEFS })
    knack.setView('scene_5', 'view_5', [], { fields: OBS_FIELD_DEFS })
  })

  after(async () => {
    await knack.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function cli(argv: string[], env: Record<string, string>) {
    let out = ''
    let err = ''
    const code = await runCli(argv, {
      cwd: dir,
      env,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger: createLogSink('error').logger,
      stdout: (t) => {
        out += t
      },
      stderr: (t) => {
        err += t
      },
    })
    return { code, out, err }
  }

  it('needs the dashboard app id', async () => {
    const result = await cli(['perfmet-knack', '-r', '0'], {})
    expect(result.code).to.equal(1)
    expect(result.err).to.contain('CATALOG_ETL_KNACK_PERFMET_APP_ID')
  })

  it('exports jobs and observations to the dashboard views named by the settings', async () => {
    const env = { CATALOG_ETL_KNACK_URL: knack.url, CATALOG_ETL_KNACK_PERFMET_APP_ID: knack.appId }
    const result = await cli(['perfmet-knack', '-r', '2019-06-08'], env)
    expect(result.code, result.err).to.equal(0)
    expect(result.out).to.match(/perfmet-knack: \d+ job record\(s\), \d+ observation record\(s\)/)
    expect(knack.viewRecords('scene_4', 'view_4').length).to.be.greaterThan(0)
    expect(knack.viewRecords('scene_5', 'view_5').length).to.be.greaterThan(0)
    const posts = knack.requests.filter((r) => r.method === 'POST')
    expect(posts.every((r) => r.headers['x-knack-rest-api-key'] === 'knack')).to.equal(true)
  })

  it('refuses (exit 1) when the newest jobs are older than -r, before touching Knack', async () => {
    const before = knack.requests.length
    const env = { CATALOG_ETL_KNACK_URL: knack.url, CATALOG_ETL_KNACK_PERFMET_APP_ID: knack.appId }
    const result = await cli(['perfmet-knack', '-r', '2019-06-09'], env)
    expect(result.code).to.equal(1)
    expect(knack.requests.length).to.equal(before)
  })
})
