import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DateTime } from 'luxon'
import { loadSettings } from '../../src/config/load.js'
import type { SimulatedCamera } from '../../src/drivers/devices/gridsmart/simulator.js'
import { runCli } from '../../src/entries/cli.js'
import { simulateDemoDevices } from '../../src/entries/demo-devices.js'
import { fixedClock } from '../../src/util/dates.js'
import { compareStates, snapshot } from '../helpers/lake-state.js'

// The 13 apps' pipelines on the embedded default, once with --concurrency 1 and once with --concurrency 4: the
// lakes, catalogs and published rows must come out the same.

const ZONE = 'America/Chicago'
const DAYS = [1, 2, 3, 4].map((day) => DateTime.fromObject({ year: 2019, month: 6, day }, { zone: ZONE }))
const NOW = DateTime.fromObject({ year: 2019, month: 6, day: 10, hour: 3 }, { zone: ZONE })
const APPS = [
  'bt-insert-lake',
  'bt-json-standard',
  'bt-ready',
  'bt-extract-soc',
  'wt-insert-lake',
  'wt-json-standard',
  'wt-ready',
  'wt-extract-soc',
  'gs-insert-lake',
  'gs-json-standard',
  'gs-ready',
  'gs-ready-agg',
  'gs-agg-extract-soc',
]

describe('--concurrency 4 ends in the same state as --concurrency 1 (embedded default, 13 apps)', function () {
  this.timeout(300_000)
  let root = ''
  let prepared = ''
  let cameras: readonly SimulatedCamera[] = []

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'catalog-etl-concurrency-'))
    prepared = join(root, 'prepared')
    const settings = loadSettings({ env: {}, cwd: root, overrides: { lakeDir: prepared } })
    const devices = await simulateDemoDevices(settings, DAYS, NOW, {
      readers: 4,
      iafRows: 200,
      intersections: 3,
      gsRowsPerZone: 20,
      cameraClock: fixedClock(NOW),
    })
    cameras = devices.cameras
  })

  after(async () => {
    await Promise.all(cameras.map((camera) => camera.close()))
    if (root) await rm(root, { recursive: true, force: true })
  })

  async function runAll(concurrency: number): Promise<string> {
    const lake = join(root, `lake-${concurrency}`)
    await cp(prepared, lake, { recursive: true })
    const errors: string[] = []
    for (const app of APPS) {
      const argv = [app, '-s', '2019-06-01', '-e', '2019-06-05', '--lake-dir', lake, '--log-level', 'error']
      const code = await runCli([...argv, '--concurrency', String(concurrency)], {
        clock: fixedClock(NOW),
        cwd: lake,
        env: {},
        stdout: () => undefined,
        stderr: (text) => errors.push(text),
      })
      expect(code, `${app} --concurrency ${concurrency}: ${errors.join('')}`).to.equal(0)
    }
    return lake
  }

  it('files, catalog rows and published rows are identical', async () => {
    const one = await snapshot(await runAll(1))
    const four = await snapshot(await runAll(4))
    expect(one.files.size).to.be.greaterThan(50)
    expect(one.catalog.length).to.be.greaterThan(50)
    expect([...one.published.values()].reduce((n, rows) => n + rows.size, 0)).to.be.greaterThan(100)
    expect(compareStates(four, one)).to.deep.equal([])
  })
})
