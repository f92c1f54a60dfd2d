import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createDriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import { createAwamReaders, writeAwamDay } from '../../src/drivers/devices/awam-generator.js'
import { BtInsertLakeApp } from '../../src/entries/bt-insert-lake.js'
import { runCli } from '../../src/entries/cli.js'
import { addDays, fixedClock, parseTimestamp } from '../../src/util/dates.js'
import { createLogSink } from '../helpers/log-sink.js'

describe('--dry-run', () => {
  let dir: string
  const env = { CATALOG_ETL_STORAGE: 'memory', CATALOG_ETL_CATALOG: 'memory', CATALOG_ETL_PERFMET: 'none' }
  const clock = fixedClock('2019-06-04 09:00:00')

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dry-run-'))
    const share = join(dir, 'lake', 'devices', 'awam')
    await mkdir(share, { recursive: true })
    const readers = createAwamReaders(3, 1)
    for (let i = 0; i < 2; i += 1) {
      await writeAwamDay(share, addDays(parseTimestamp('2019-06-01'), i), {
        readers,
        seed: 1,
        iafRows: 10,
        itmfRows: 3,
      })
    }
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('lists exactly the items a real run then processes, and writes nothing', async () => {
    const settings = loadSettings({ cwd: dir, env })
    const drivers = createDriverSet(settings, { debug: false })
    const runtime = { settings, drivers, clock, logger: createLogSink('warn').logger }
    const dry = await new BtInsertLakeApp({ start_date: 3, dry_run: true }, runtime).run()
    expect(dry.items).to.equal(6)
    expect(dry.planned?.map((p) => `${p.date} ${p.ext}`)).to.deep.equal([
      '2019-06-01 00:00:00-05:00 unmatched.txt',
      '2019-06-01 00:00:00-05:00 matched.txt',
      '2019-06-01 00:00:00-05:00 traf_match_summary.txt',
      '2019-06-02 00:00:00-05:00 unmatched.txt',
      '2019-06-02 00:00:00-05:00 matched.txt',
      '2019-06-02 00:00:00-05:00 traf_match_summary.txt',
    ])
    const keys: string[] = []
    for await (const o of drivers.storage('atd-datalake-raw').list('')) keys.push(o.key)
    expect(keys).to.deep.equal([])
    const rows = drivers.catalog().query({ repository: 'atd-datalake-raw', dataSource: 'bt' })
    for await (const row of rows) expect.fail(`unexpected catalog row ${row.pointer}`)
    const real = await new BtInsertLakeApp({ start_date: 3 }, runtime).run()
    expect(real.items).to.equal(dry.items)
    const again = await new BtInsertLakeApp({ start_date: 3, 'dry-run': true }, runtime).run()
    expect(again.planned).to.deep.equal([])
    await drivers.close()
  })

  it('--lookback N re-plans the last N days even when done, and only those', async () => {
    const settings = loadSettings({ cwd: dir, env })
    const drivers = createDriverSet(settings, { debug: false })
    const runtime = { settings, drivers, clock, logger: createLogSink('warn').logger }
    await new BtInsertLakeApp({ start_date: 3 }, runtime).run()
    const none = await new BtInsertLakeApp({ start_date: 3, dry_run: true }, runtime).run()
    expect(none.planned).to.deep.equal([])
    const lookback = await new BtInsertLakeApp({ start_date: 3, dry_run: true, lookback: 2 }, runtime).run()
    expect(lookback.planned?.map((p) => p.date)).to.deep.equal([
      '2019-06-02 00:00:00-05:00',
      '2019-06-02 00:00:00-05:00',
      '2019-06-02 00:00:00-05:00',
    ])
    const bad = await new BtInsertLakeApp({ start_date: 3, lookback: -1 }, runtime)
      .run()
      .catch((e: unknown) => e)
    expect((bad as Error).message).to.contain('--lookback must be a whole number')
    await drivers.close()
  })

  it('the CLI prints the plan', async () => {
    let out = ''
    const code = await runCli(['bt-insert-lake', '-s', '3', '--dry-run'], {
      cwd: dir,
      env,
      clock,
      logger: createLogSink('warn').logger,
      stdout: (t) => {
        out += t
      },
    })
    expect(code).to.equal(0)
    expect(out).to.contain('bt-insert-lake: dry run, 6 item(s) would be processed')
    expect(out).to.contain('Austin_bt_06-02-2019.txt')
  })
})
