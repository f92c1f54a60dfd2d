import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createDriverSet, type DriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import { createAwamReaders, writeAwamDay } from '../../src/drivers/devices/awam-generator.js'
import { createMemoryJournal } from '../../src/drivers/journal/memory.js'
import { formatPlanTable, type PlanRow, runPlan } from '../../src/entries/plan.js'
import { createItemFilter, findRetryTargets, retryWindow, runRetry } from '../../src/entries/retry.js'
import type { RunJournal } from '../../src/support/run-journal.js'
import { addDays, fixedClock, parseTimestamp } from '../../src/util/dates.js'
import { at } from '../contract/catalog-fixtures.js'
import { outcome } from '../contract/run-journal.contract.js'
import { createLogSink } from '../helpers/log-sink.js'

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterable) out.push(value)
  return out
}

describe('plan and retry', () => {
  let dir: string
  let drivers: DriverSet
  let journal: RunJournal
  const env = { CATALOG_ETL_STORAGE: 'memory', CATALOG_ETL_CATALOG: 'memory', CATALOG_ETL_PERFMET: 'none' }
  const clock = fixedClock('2019-06-04 09:00:00')
  const logger = createLogSink('warn').logger
  const settings = () => loadSettings({ cwd: dir, env })
  const common = () => ({ settings: settings(), logger, clock, drivers, journal })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-retry-'))
    const share = join(dir, 'lake', 'devices', 'awam')
    await mkdir(share, { recursive: true })
    const readers = createAwamReaders(3, 1)
    for (let i = 0; i < 2; i += 1) {
      const day = addDays(parseTimestamp('2019-06-01'), i)
      await writeAwamDay(share, day, { readers, seed: 1, iafRows: 10, itmfRows: 3 })
    }
  })
  beforeEach(() => {
    drivers = createDriverSet(settings(), { debug: false })
    journal = createMemoryJournal()
  })
  afterEach(async () => {
    await drivers.close()
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const plan = async (json = false) => {
    let out = ''
    const result = await runPlan({
      ...common(),
      apps: ['bt_insert_lake'],
      start: '2019-06-01',
      end: '2019-06-03',
      json,
      write: (t) => {
        out += t
      },
    })
    return { ...result, out }
  }

  const failOne = async (row: PlanRow, when: string, status: 'failed' | 'ok' | 'quarantined') => {
    const runId = await journal.startRun({ app: 'bt-insert-lake', dataSource: 'bt', startedAt: at(when) })
    await journal.recordItem(
      runId,
      outcome({
        base: row.base,
        ext: row.ext,
        date: parseTimestamp(row.date),
        label: row.label,
        status,
        records: 0,
        recordedAt: at(when),
        ...(status === 'ok'
          ? {}
          : { error: { message: `${status} at ${when}`, code: 'E_INPUT', causes: [] } }),
      }),
    )
    return runId
  }

  it('plan lists what a run would process, marked by the latest journal outcome, and writes nothing', async () => {
    const first = await plan()
    expect(first.rows.map((r) => `${r.date.slice(0, 10)} ${r.ext} ${r.state}`)).to.deep.equal([
      '2019-06-01 unmatched.txt missing',
      '2019-06-01 matched.txt missing',
      '2019-06-01 traf_match_summary.txt missing',
      '2019-06-02 unmatched.txt missing',
      '2019-06-02 matched.txt missing',
      '2019-06-02 traf_match_summary.txt missing',
    ])
    const [a, b, c] = first.rows as [PlanRow, PlanRow, PlanRow]
    await failOne(a, '2019-06-02T03:00', 'failed')
    await failOne(b, '2019-06-02T03:00', 'failed')
    await failOne(b, '2019-06-03T03:00', 'ok')
    const quarantineRun = await failOne(c, '2019-06-03T03:00', 'quarantined')
    const second = await plan(true)
    const parsed = JSON.parse(second.out) as { items: PlanRow[]; errors: unknown[] }
    expect(parsed.errors).to.deep.equal([])
    expect(parsed.items.slice(0, 3).map((r) => [r.ext, r.state, r.lastError, r.lastRunId])).to.deep.equal([
      ['unmatched.txt', 'failed', 'failed at 2019-06-02T03:00', parsed.items[0]?.lastRunId],
      ['matched.txt', 'missing', null, null],
      ['traf_match_summary.txt', 'quarantined', 'quarantined at 2019-06-03T03:00', quarantineRun],
    ])
    const keys: string[] = []
    for await (const o of drivers.storage('atd-datalake-raw').list('')) keys.push(o.key)
    expect(keys).to.deep.equal([])
  })

  it('prints an aligned table, one line per item', () => {
    const row = (ext: string, state: PlanRow['state'], lastError: string | null): PlanRow => ({
      app: 'bt-insert-lake',
      date: '2019-06-01 00:00:00-05:00',
      base: 'Austin',
      ext,
      label: 'x',
      state,
      lastError,
      lastRunId: null,
    })
    expect(formatPlanTable([row('matched.txt', 'missing', null), row('a.txt', 'failed', 'boom')])).to.equal(
      [
        'app             date        base    ext          state    last error',
        'bt-insert-lake  2019-06-01  Austin  matched.txt  missing',
        'bt-insert-lake  2019-06-01  Austin  a.txt        failed   boom',
        '(2 items to process, 1 failed or quarantined)',
        '',
      ].join('\n'),
    )
  })

  it('the retry item filter and window cover exactly the failed items (pure)', () => {
    const items = [
      { base: 'Austin', ext: 'matched.txt', date: at('2019-06-02') },
      { base: 'Austin', ext: 'unmatched.txt', date: at('2019-06-01') },
    ]
    const only = createItemFilter(items)
    expect(only({ base: 'Austin', ext: 'matched.txt', date: at('2019-06-02T05:00:00Z') })).to.equal(true)
    expect(only({ base: 'Austin', ext: 'matched.txt', date: at('2019-06-01') })).to.equal(false)
    expect(only({ base: 'Austin', ext: 'traf_match_summary.txt', date: at('2019-06-02') })).to.equal(false)
    expect(retryWindow(items)).to.deep.equal({
      start_date: '2019-06-01 00:00:00-05:00',
      end_date: '2019-06-03 00:00:00-05:00',
    })
    expect(retryWindow([{ date: at('2019-11-03T13:00') }])).to.deep.equal({
      start_date: '2019-11-03 00:00:00-05:00',
      end_date: '2019-11-04 00:00:00-06:00',
    })
  })

  it("retry --failed picks items whose latest outcome is failed, with the failing run's app options", async () => {
    const rows = (await plan()).rows as PlanRow[]
    const old = await failOne(rows[0] as PlanRow, '2019-06-02T03:00', 'failed')
    await failOne(rows[1] as PlanRow, '2019-06-02T03:00', 'failed')
    await failOne(rows[1] as PlanRow, '2019-06-03T03:00', 'ok')
    await failOne(rows[2] as PlanRow, '2019-06-03T03:00', 'quarantined')
    const targets = await findRetryTargets(journal, { apps: ['bt-insert-lake'] })
    expect(targets.map((t) => [t.app.definition.name, t.items.map((i) => i.ext)])).to.deep.equal([
      ['bt-insert-lake', ['unmatched.txt']],
    ])
    const byRun = await findRetryTargets(journal, { runId: old })
    expect(byRun.flatMap((t) => t.items.map((i) => i.runId))).to.deep.equal([old])
    expect(await findRetryTargets(journal, { apps: ['wt-insert-lake'] })).to.deep.equal([])
  })

  it('retry --run re-runs exactly the failed items and journals the new run (refuses without runtime.only)', async () => {
    const rows = (await plan()).rows as PlanRow[]
    const runId = await failOne(rows[1] as PlanRow, '2019-06-02T03:00', 'failed')
    const lines: string[] = []
    const attempt = runRetry({ ...common(), runId, write: (t) => lines.push(t) })
    const catalogRows = async () =>
      (await collect(drivers.catalog().query({ repository: 'atd-datalake-raw', dataSource: 'bt' }))).map(
        (r) => r.idExt,
      )
    const supported = await attempt.then(
      () => true,
      (error: Error) => {
        expect(error.message).to.match(/runtime\.only/)
        return false
      },
    )
    if (!supported) {
      expect(await catalogRows()).to.deep.equal([])
      return
    }
    expect(await catalogRows()).to.deep.equal(['matched.txt'])
    const newRun = await journal.lastRunId('bt-insert-lake')
    expect(newRun).to.not.equal(runId)
    const items = await collect(journal.items({ runId: newRun ?? '' }))
    expect(items.map((i) => `${i.ext} ${i.status}`)).to.deep.equal(['matched.txt ok'])
    expect(await findRetryTargets(journal, {})).to.deep.equal([])
    expect(lines[0]).to.equal('retry bt-insert-lake: 1 failed item(s): 1 re-run, 0 failed\n')
  })
})
