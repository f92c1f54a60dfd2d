import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import type { ItemRecordInput, JournalItem, RunJournal } from '../../src/support/run-journal.js'
import { at } from './catalog-fixtures.js'

use(chaiAsPromised)

/** What a test file hands to {@link describeRunJournalContract}: a fresh journal over empty tables per test. */
export type MakeRunJournal = () => Promise<{ journal: RunJournal; cleanup?: () => Promise<void> }>

/** An item outcome with realistic defaults (a Bluetooth file of 2019-06-01, done). */
export function outcome(overrides: Partial<ItemRecordInput> = {}): ItemRecordInput {
  return {
    app: 'bt-insert-lake',
    dataSource: 'bt',
    base: 'Austin',
    ext: 'matched.txt',
    date: at('2019-06-01'),
    label: '/mnt/awam/Austin_bt_06-01-2019.txt',
    status: 'ok',
    records: 1,
    durationMs: 12.5,
    recordedAt: at('2019-06-02T03:00:01.25'),
    ...overrides,
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterable) out.push(value)
  return out
}

const view = (item: JournalItem) =>
  `${item.date.toISODate()} ${item.base} ${item.ext} ${item.status} ${item.recordedAt.toISO()}`

/** The run-journal contract (src/support/run-journal.ts), run unchanged against every driver. */
export function describeRunJournalContract(label: string, make: MakeRunJournal): void {
  describe(`run journal contract: ${label}`, () => {
    let journal: RunJournal
    let cleanup: (() => Promise<void>) | undefined
    const start = (app = 'bt-insert-lake', startedAt = '2019-06-02T03:00:00', args = {}) =>
      journal.startRun({ app, dataSource: app.slice(0, 2), startedAt: at(startedAt), args })

    beforeEach(async () => {
      ;({ journal, cleanup } = await make())
    })
    afterEach(async () => {
      await journal.close()
      await cleanup?.()
    })

    it('starts a run as running, with its arguments, and finishes it with a summary', async () => {
      const runId = await start('bt-insert-lake', '2019-06-02T03:00:00', { sourcedir: '/mnt/awam', n: 2 })
      expect(runId).to.match(/^20190602T080000-[0-9a-f]{8}$/)
      let [run] = await collect(journal.runs())
      expect(run?.status).to.equal('running')
      expect(run?.finishedAt).to.equal(null)
      expect(run?.args).to.deep.equal({ sourcedir: '/mnt/awam', n: 2 })
      expect(run?.startedAt.toMillis()).to.equal(at('2019-06-02T03:00:00').toMillis())
      await journal.finishRun(runId, {
        status: 'fatal',
        finishedAt: at('2019-06-02T03:10:00.5'),
        summary: { records: 3, items: 4, failed: 1 },
        error: { message: 'boom', code: 'E_CATALOG', causes: ['connection refused'] },
      })
      ;[run] = await collect(journal.runs())
      expect(run?.status).to.equal('fatal')
      expect(run?.finishedAt?.toMillis()).to.equal(at('2019-06-02T03:10:00.5').toMillis())
      expect(run?.summary).to.deep.equal({ records: 3, items: 4, failed: 1 })
      expect(run?.error).to.deep.equal({ message: 'boom', code: 'E_CATALOG', causes: ['connection refused'] })
    })

    it('records items with errors and reads them back exactly', async () => {
      const runId = await start()
      const error = { message: 'bad file', code: 'E_INPUT', causes: ['line 3: 2 columns', 'inner'] }
      await journal.recordItem(runId, outcome({ status: 'failed', records: 0, error, durationMs: 3.25 }))
      const [item] = await collect(journal.items())
      expect(item?.runId).to.equal(runId)
      expect(item?.error).to.deep.equal(error)
      expect(item?.status).to.equal('failed')
      expect(item?.durationMs).to.equal(3.25)
      expect(item?.label).to.equal('/mnt/awam/Austin_bt_06-01-2019.txt')
      expect(item?.date.toMillis()).to.equal(at('2019-06-01').toMillis())
      expect(item?.recordedAt.toMillis()).to.equal(at('2019-06-02T03:00:01.25').toMillis())
    })

    it('keeps one outcome per item and run (the later replaces the earlier)', async () => {
      const runId = await start()
      await journal.recordItem(runId, outcome({ status: 'failed', records: 0 }))
      await journal.recordItem(runId, outcome({ status: 'ok', records: 5 }))
      const items = await collect(journal.items())
      expect(items.map((i) => `${i.status} ${i.records}`)).to.deep.equal(['ok 5'])
    })

    it('orders items by date, base, ext, then recordedAt and run', async () => {
      const first = await start('bt-insert-lake', '2019-06-02T03:00:00')
      const second = await start('bt-insert-lake', '2019-06-03T03:00:00')
      await journal.recordItem(second, outcome({ recordedAt: at('2019-06-03T03:00:02') }))
      await journal.recordItem(first, outcome({ status: 'failed', recordedAt: at('2019-06-02T03:00:02') }))
      await journal.recordItem(first, outcome({ ext: 'unmatched.txt' }))
      await journal.recordItem(first, outcome({ ext: 'Matched.txt' }))
      await journal.recordItem(first, outcome({ date: at('2019-05-31') }))
      expect((await collect(journal.items())).map(view)).to.deep.equal([
        '2019-05-31 Austin matched.txt ok 2019-06-02T03:00:01.250-05:00',
        '2019-06-01 Austin Matched.txt ok 2019-06-02T03:00:01.250-05:00',
        '2019-06-01 Austin matched.txt failed 2019-06-02T03:00:02.000-05:00',
        '2019-06-01 Austin matched.txt ok 2019-06-03T03:00:02.000-05:00',
        '2019-06-01 Austin unmatched.txt ok 2019-06-02T03:00:01.250-05:00',
      ])
    })

    it('filters items by app, data source, run, status and a [from, to) item-date window', async () => {
      const bt = await start('bt-insert-lake')
      const wt = await start('wt-insert-lake')
      for (const day of ['2019-06-01', '2019-06-02', '2019-06-03']) {
        await journal.recordItem(
          bt,
          outcome({ date: at(day), status: day === '2019-06-02' ? 'failed' : 'ok' }),
        )
        await journal.recordItem(wt, outcome({ app: 'wt-insert-lake', dataSource: 'wt', date: at(day) }))
      }
      const days = async (filter: Parameters<RunJournal['items']>[0]) =>
        (await collect(journal.items(filter))).map((i) => `${i.app} ${i.date.toISODate()}`)
      expect(await days({ app: 'wt-insert-lake' })).to.have.length(3)
      expect(await days({ dataSource: 'bt', status: 'failed' })).to.deep.equal(['bt-insert-lake 2019-06-02'])
      expect(await days({ runId: wt, from: at('2019-06-02'), to: at('2019-06-03') })).to.deep.equal([
        'wt-insert-lake 2019-06-02',
      ])
      expect(await days({ status: 'quarantined' })).to.deep.equal([])
    })

    it('lists runs in start order with filters, and knows the last run of an app', async () => {
      const later = await start('bt-ready', '2019-06-03T03:00:00')
      const earlier = await start('bt-ready', '2019-06-02T03:00:00')
      const other = await start('wt-ready', '2019-06-04T03:00:00')
      await journal.finishRun(earlier, { status: 'ok', finishedAt: at('2019-06-02T04:00:00'), summary: {} })
      expect((await collect(journal.runs())).map((r) => r.runId)).to.deep.equal([earlier, later, other])
      expect(
        (await collect(journal.runs({ app: 'bt-ready', status: 'running' }))).map((r) => r.runId),
      ).to.deep.equal([later])
      expect(
        (await collect(journal.runs({ from: at('2019-06-03'), dataSource: 'wt' }))).map((r) => r.runId),
      ).to.deep.equal([other])
      expect((await collect(journal.runs({ to: at('2019-06-03') }))).map((r) => r.runId)).to.deep.equal([
        earlier,
      ])
      expect((await collect(journal.runs({ runId: later }))).map((r) => r.app)).to.deep.equal(['bt-ready'])
      expect(await journal.lastRunId('bt-ready')).to.equal(later)
      expect(await journal.lastRunId('gs-ready')).to.equal(null)
    })

    it('streams more rows than one page', async () => {
      const runId = await start()
      for (let i = 0; i < 25; i++) {
        await journal.recordItem(runId, outcome({ base: `reader-${String(i).padStart(2, '0')}` }))
      }
      const items = await collect(journal.items({ runId }))
      expect(items.map((i) => i.base)).to.deep.equal(
        Array.from({ length: 25 }, (_, i) => `reader-${String(i).padStart(2, '0')}`),
      )
    })

    it('rejects an unknown run, bad statuses and bad numbers', async () => {
      await expect(journal.finishRun('nope', { status: 'ok', finishedAt: at('2019-06-02'), summary: {} })).to
        .be.rejected
      await expect(journal.recordItem('nope', outcome())).to.be.rejected
      const runId = await start()
      await expect(journal.recordItem(runId, outcome({ status: 'weird' as 'ok' }))).to.be.rejectedWith(
        TypeError,
      )
      await expect(journal.recordItem(runId, outcome({ records: -1 }))).to.be.rejectedWith(TypeError)
      await expect(
        journal.finishRun(runId, { status: 'running' as 'ok', finishedAt: at('2019-06-02'), summary: {} }),
      ).to.be.rejectedWith(TypeError)
    })
  })
}
